/** Shared by the JPEG tests: generated JPEGs (cjpeg) and images built around them. */
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const MEDIA = resolve(REPO, '../shared/media');
export const hasCjpeg = spawnSync('which', ['cjpeg']).status === 0;
export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** A synthetic picture with gradients and texture, as PPM. */
export function ppm(w: number, h: number, seed: number): Buffer {
  const head = Buffer.from(`P6\n${w} ${h}\n255\n`);
  const px = Buffer.alloc(w * h * 3);
  let x32 = seed * 2654435761;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      x32 ^= x32 << 13;
      x32 ^= x32 >>> 17;
      x32 ^= x32 << 5;
      const i = (y * w + x) * 3;
      px[i] = ((x * 255) / w + (x32 & 15)) & 0xff;
      px[i + 1] = ((y * 255) / h) & 0xff;
      px[i + 2] = (((x ^ y) * (seed + 1)) + ((x32 >>> 8) & 7)) & 0xff;
    }
  }
  return Buffer.concat([head, px]);
}

/** cjpeg variants: baseline, progressive, restart markers, subsampling, grayscale, optimized tables. */
export const CJPEG_VARIANTS: string[][] = [
  [],
  ['-progressive'],
  ['-restart', '1'],
  ['-restart', '3B'],
  ['-sample', '2x2,1x1,1x1'],
  ['-sample', '1x1,1x1,1x1', '-progressive', '-restart', '2'],
  ['-grayscale'],
  ['-grayscale', '-progressive'],
  ['-optimize'],
  ['-sample', '2x1,1x1,1x1', '-restart', '5'],
];

/** Generates one JPEG per variant (odd sizes on purpose: partial MCUs at the edges). */
export function generateJpegs(): Buffer[] {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-jpeg-'));
  try {
    return CJPEG_VARIANTS.map((flags, i) => {
      const src = join(dir, `p${i}.ppm`);
      writeFileSync(src, ppm(97 + 40 * i, 61 + 23 * i, i + 1));
      const out = join(dir, `p${i}.jpg`);
      execFileSync('cjpeg', ['-quality', String(70 + 2 * i), ...flags, '-outfile', out, src]);
      return readFileSync(out);
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** `bytes` placed at `offset` inside deterministic filler without FF D8 FF at sector starts. */
export function embed(bytes: Uint8Array, offset: number, tail = 8192, seed = 1): Uint8Array {
  const img = new Uint8Array(offset + bytes.length + tail);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < img.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    img[i] = x & 0x7f;
  }
  img.set(bytes, offset);
  return img;
}

/** A marker segment: FF `marker`, the 16-bit length (payload + 2), the payload. */
export function segment(marker: number, payload: ArrayLike<number>): Uint8Array {
  const out = new Uint8Array(4 + payload.length);
  out.set([0xff, marker, ((payload.length + 2) >> 8) & 255, (payload.length + 2) & 255]);
  out.set(Array.from(payload), 4);
  return out;
}

/** Huffman BITS: counts of codes of each length 1..16. */
const bitCounts = (lengths: Record<number, number>): number[] => Array.from({ length: 16 }, (_, i) => lengths[i + 1] ?? 0);

/**
 * The segments from DQT to SOS of a baseline JPEG (no cjpeg needed): `w`×`h`
 * with one component per entry of `sampling` (0xHV), the first scan holding
 * the components `scan` (indices), one quantization table, and a DC and an AC
 * table of one 1-bit code each (DC size 0, EOB): every block is the bits 00.
 */
export function frameHeader(w: number, h: number, sampling: readonly number[] = [0x11], scan: readonly number[] = [0]): Uint8Array {
  return Uint8Array.from([
    ...segment(0xdb, [0, ...new Array<number>(64).fill(1)]),
    ...segment(0xc0, [8, h >> 8, h & 255, w >> 8, w & 255, sampling.length, ...sampling.flatMap((hv, i) => [i + 1, hv, 0])]),
    ...segment(0xc4, [0x00, ...bitCounts({ 1: 1 }), 0x00]),
    ...segment(0xc4, [0x10, ...bitCounts({ 1: 1 }), 0x00]),
    ...segment(0xda, [scan.length, ...scan.flatMap((i) => [i + 1, 0x00]), 0, 63, 0]),
  ]);
}

/** Entropy-coded data of `blocks` blocks of frameHeader's tables: zero bits, the last byte padded with ones. */
export function zeroScan(blocks: number): Uint8Array {
  const bits = 2 * blocks;
  const out = new Uint8Array(Math.ceil(bits / 8));
  if (bits % 8 !== 0) out[out.length - 1] = (1 << (8 - (bits % 8))) - 1;
  return out;
}

/** A whole hand-built JPEG of `w`×`h` (small: its scan is zeros) with `apps` (APPn segments) after SOI. */
export function tinyJpeg(w = 8, h = 8, apps: readonly Uint8Array[] = []): Uint8Array {
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
  return Uint8Array.from([0xff, 0xd8, ...apps.flatMap((a) => Array.from(a)), ...frameHeader(w, h), ...zeroScan(blocks), 0xff, 0xd9]);
}

/** A big-endian TIFF header and one IFD at offset 8 of `entries` (tag, type, count, value or offset), then `data`. */
export function tiffIfd(entries: readonly { tag: number; type: number; count: number; value: number }[], data: ArrayLike<number> = []): Uint8Array {
  const out = new Uint8Array(8 + 2 + 12 * entries.length + 4 + data.length);
  const dv = new DataView(out.buffer);
  out.set([0x4d, 0x4d, 0, 42]);
  dv.setUint32(4, 8);
  dv.setUint16(8, entries.length);
  entries.forEach((e, i) => {
    dv.setUint16(10 + 12 * i, e.tag);
    dv.setUint16(12 + 12 * i, e.type);
    dv.setUint32(14 + 12 * i, e.count);
    dv.setUint32(18 + 12 * i, e.value);
  });
  out.set(Array.from(data), 8 + 2 + 12 * entries.length + 4);
  return out;
}

/** Where the data after tiffIfd's IFD starts (offsets in entries count from the TIFF header). */
export const tiffDataAt = (entries: number): number => 8 + 2 + 12 * entries + 4;
