/** Sample PNGs for the tests: made by ImageMagick when installed, and by hand (zlib + CRC-32) always. */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { crc32 } from '@rawcarve/core';
import { xorshift32, type ConformanceSample } from '@rawcarve/core/testing';

/** ImageMagick's convert (the IM6 binary first: a `convert` on PATH may be another program). */
export function findConvert(): string | null {
  for (const c of ['/usr/bin/convert-im6.q16', '/usr/bin/magick', '/usr/bin/convert']) if (existsSync(c)) return c;
  return null;
}

/** name → [convert arguments, output format prefix]. */
const VARIANTS: Record<string, [string[], string]> = {
  'plasma 64x48 16-bit truecolour, ancillary chunks': [['-size', '64x48', 'plasma:'], ''],
  'plasma 64x48 stripped (IHDR IDAT IEND only)': [['-size', '64x48', 'plasma:', '-strip'], ''],
  'plasma 300x200 indexed (PLTE, two IDATs)': [['-size', '300x200', 'plasma:', '-colors', '200'], 'PNG8:'],
  'plasma 96x64 truecolour + alpha': [['-size', '96x64', 'plasma:', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '60%'], 'PNG32:'],
  'plasma 120x90 greyscale 8-bit': [['-size', '120x90', 'plasma:', '-colorspace', 'Gray', '-depth', '8'], ''],
  'plasma 200x150 16-bit interlaced (six IDATs)': [['-size', '200x150', 'plasma:', '-depth', '16', '-interlace', 'PNG'], 'PNG48:'],
  'gradient 257x33 greyscale + alpha': [['-size', '257x33', 'gradient:black-white', '-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '40%', '-colorspace', 'Gray'], ''],
  'plasma 40x30 1-bit': [['-size', '40x30', 'plasma:', '-monochrome'], ''],
};

/** One PNG per variant, or none when ImageMagick is missing. */
export function imageMagickPngs(): ConformanceSample[] {
  const im = findConvert();
  if (!im) return [];
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-png-'));
  try {
    return Object.entries(VARIANTS).map(([name, [args, format]], i) => {
      const out = join(dir, `p${i}.png`);
      execFileSync(im, ['-seed', String(7 + i), ...args, `${format}${out}`]);
      return { name: `ImageMagick ${name}`, bytes: new Uint8Array(readFileSync(out)) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Options of a hand-made PNG. */
export interface PngSpec {
  width: number;
  height: number;
  colorType: 0 | 2 | 3 | 4 | 6;
  bitDepth: number;
  seed: number;
  /** IDAT chunk size (the compressed stream is split into chunks of this many bytes). */
  idatSize?: number;
  /** tEXt entries before the image data. */
  text?: Record<string, string>;
  /** Add a tIME chunk. */
  time?: boolean;
}

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** A chunk: length, type, data, CRC-32 over type and data. */
export function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const dv = new DataView(out.buffer);
  dv.setUint32(0, data.length);
  const t = new TextEncoder().encode(type);
  out.set(t, 4);
  out.set(data, 8);
  dv.setUint32(8 + data.length, crc32(data, crc32(t)));
  return out;
}

/** A valid PNG with noisy pixels (so its IDAT data has high entropy, like a photo's). */
export function makePng(spec: PngSpec): Uint8Array {
  const { width, height, colorType, bitDepth } = spec;
  const next = xorshift32(spec.seed);
  const rowBytes = Math.ceil((width * CHANNELS[colorType]! * bitDepth) / 8);
  const raw = new Uint8Array((rowBytes + 1) * height);
  for (let y = 0; y < height; y++) {
    raw[y * (rowBytes + 1)] = y % 5; // filter type
    for (let x = 0; x < rowBytes; x++) raw[y * (rowBytes + 1) + 1 + x] = (next() & 0x3f) + ((x * 3 + y) & 0xbf);
  }
  const ihdr = new Uint8Array(13);
  const dv = new DataView(ihdr.buffer);
  dv.setUint32(0, width);
  dv.setUint32(4, height);
  ihdr.set([bitDepth, colorType, 0, 0, 0], 8);
  const parts = [Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk('IHDR', ihdr)];
  if (spec.time) parts.push(chunk('tIME', Uint8Array.from([0x07, 0xe8, 6, 1, 12, 30, 5])));
  for (const [k, v] of Object.entries(spec.text ?? {})) parts.push(chunk('tEXt', new TextEncoder().encode(`${k}\0${v}`)));
  if (colorType === 3) parts.push(chunk('PLTE', Uint8Array.from({ length: 3 << bitDepth }, () => next() & 0xff)));
  const z = deflateSync(raw);
  const size = spec.idatSize ?? 8192;
  for (let at = 0; at < z.length; at += size) parts.push(chunk('IDAT', z.subarray(at, at + size)));
  parts.push(chunk('IEND', new Uint8Array(0)));
  return Uint8Array.from(Buffer.concat(parts));
}

/** Hand-made PNGs of every colour type, some with many small IDATs, some with text and time. */
export function handmadePngs(): ConformanceSample[] {
  const specs: PngSpec[] = [
    { width: 80, height: 60, colorType: 2, bitDepth: 8, seed: 1, text: { Software: 'rawcarve tests', Title: 'noise' }, time: true },
    { width: 33, height: 17, colorType: 0, bitDepth: 4, seed: 2 },
    { width: 64, height: 64, colorType: 3, bitDepth: 8, seed: 3, idatSize: 1000 },
    { width: 50, height: 40, colorType: 6, bitDepth: 16, seed: 4, idatSize: 4096 },
    { width: 20, height: 20, colorType: 4, bitDepth: 8, seed: 5, idatSize: 97 },
    { width: 1, height: 1, colorType: 0, bitDepth: 1, seed: 6 },
  ];
  return specs.map((s) => ({ name: `hand-made ${s.width}x${s.height} type ${s.colorType} depth ${s.bitDepth}${s.idatSize ? ` IDAT ${s.idatSize}` : ''}`, bytes: makePng(s) }));
}
