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
