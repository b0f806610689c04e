import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it, vi } from 'vitest';
import fc from 'fast-check';
import { BufferReader, type Reader } from '@rawcarve/core';
import { MAX_TRACE_BLOCKS, pictureBreaks, seamsLookContinuous } from './continuity.js';
import { MEDIA, frameHeader, hasCjpeg, ppm } from './test-helpers.js';

const work = mkdtempSync(join(tmpdir(), 'rawcarve-seam-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A picture as PPM from a brightness function (colour channels derived from it). */
function picture(w: number, h: number, f: (x: number, y: number) => number): string {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const v = f(x, y) & 0xff;
      px.set([v, (v * 7 + x) & 0xff, (v * 3 + y) & 0xff], (y * w + x) * 3);
    }
  }
  const file = join(work, `p${Math.random().toString(36).slice(2)}.ppm`);
  writeFileSync(file, Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), px]));
  return file;
}

describe.skipIf(!hasCjpeg)('seam continuity (Pal & Memon style, luminance DC)', () => {
  it('accepts a photo split anywhere, and rejects one continued with another photo of the same tables', () => {
    const a = execFileSync('cjpeg', ['-quality', '90', picture(640, 480, (_x, y) => ((y * 255) / 480) | 0)]);
    const b = execFileSync('cjpeg', ['-quality', '90', picture(640, 480, (x, y) => (255 - (((x * 255) / 640) | 0)) ^ ((y >> 3) & 16))]);
    for (const frac of [0.3, 0.5, 0.7]) {
      const cut = Math.floor((a.length * frac) / 512) * 512;
      expect(seamsLookContinuous(new BufferReader(a), [cut]), `A cut at ${frac}`).toBe(true);
      const mixed = Buffer.concat([a.subarray(0, cut), b.subarray(Math.floor((b.length * frac) / 512) * 512)]);
      expect(seamsLookContinuous(new BufferReader(mixed), [cut]), `A then B at ${frac}`).toBe(false);
    }
  });
});

/** A grey picture (the colour picture above wraps its channels, which no camera photo does). */
function grey(w: number, h: number, f: (x: number, y: number) => number): string {
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.fill(Math.max(0, Math.min(255, f(x, y) | 0)), (y * w + x) * 3, (y * w + x) * 3 + 3);
  const file = join(work, `g${Math.random().toString(36).slice(2)}.ppm`);
  writeFileSync(file, Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), px]));
  return file;
}

describe.skipIf(!hasCjpeg)('picture breaks: where another photo of the same tables takes over', () => {
  it('finds where a textured photo continues with another of the same tables, and nothing in either alone', () => {
    const a = execFileSync('cjpeg', ['-quality', '90'], { input: ppm(640, 480, 1) });
    const b = execFileSync('cjpeg', ['-quality', '90'], { input: ppm(640, 480, 7) });
    expect(pictureBreaks(new BufferReader(a))).toEqual([]);
    expect(pictureBreaks(new BufferReader(b))).toEqual([]);
    let found = 0;
    for (const frac of [0.2, 0.35, 0.5, 0.6, 0.75]) {
      const cut = Math.floor((a.length * frac) / 512) * 512;
      const mixed = Buffer.concat([a.subarray(0, cut), b.subarray(Math.floor((b.length * frac) / 512) * 512)]);
      const ranges = pictureBreaks(new BufferReader(mixed));
      // A range may start a row early and end a few MCUs late, but one holds the seam. DC prediction
      // hides some seams (the brightness continues from A's last block): those give none.
      if (ranges.some((r) => r.from <= cut && r.to >= cut)) found++;
      // Nothing before the seam: A alone shows no break.
      for (const r of ranges) expect(r.to, `A then B at ${frac}: a break inside A`).toBeGreaterThanOrEqual(cut - 16 * 1024);
    }
    // Measured: 4 of 5 (all but the seam at 0.2).
    expect(found).toBeGreaterThanOrEqual(4);
  });

  it('a horizontal edge across the whole picture is not a seam', () => {
    const edge = execFileSync('cjpeg', ['-quality', '90', grey(640, 480, (x, y) => (y < 200 ? 230 : 20) + ((x >> 5) & 3))]);
    expect(pictureBreaks(new BufferReader(edge))).toEqual([]);
    // Nor does the seam check reject a cut next to it.
    const cut = Math.floor((edge.length * 0.4) / 512) * 512;
    expect(seamsLookContinuous(new BufferReader(edge), [cut])).toBe(true);
  });
});

describe.skipIf(!existsSync(join(MEDIA, 'jpeg')))('seam continuity on real photos (../shared/media/jpeg)', () => {
  it('rarely rejects a seam inside a continuous photo (a false rejection loses a rebuild, never makes a wrong one)', () => {
    let accepted = 0;
    let tried = 0;
    for (const name of readdirSync(join(MEDIA, 'jpeg'))) {
      const bytes = readFileSync(join(MEDIA, 'jpeg', name));
      const seams = [0.25, 0.5, 0.75].map((frac) => Math.floor((bytes.length * frac) / 512) * 512);
      tried++;
      if (seamsLookContinuous(new BufferReader(bytes), seams)) accepted++;
    }
    // Measured: 47 of 48 photos pass with seams at a quarter, half and three quarters.
    expect(accepted / tried).toBeGreaterThanOrEqual(0.95);
  });

  it('rarely sees a picture break in a whole photo (a false one costs search time, never a wrong join)', () => {
    const names = readdirSync(join(MEDIA, 'jpeg'));
    const flagged = names.filter((name) => pictureBreaks(new BufferReader(readFileSync(join(MEDIA, 'jpeg', name)))).length > 0);
    // Measured: 3 of 48 (strong natural edges that happen to start mid-row, and photos that get
    // rougher at once). Only incomplete files are asked, so a false break costs trials, not files.
    expect(flagged.length / names.length, flagged.join(', ')).toBeLessThanOrEqual(0.125);
  });

  it('finds where a photo with a calm sky and textured ground continues with another camera\'s photo of the same tables', () => {
    // The Panasonic's top rows are sky, its lower half rougher; the Sony photo read with the
    // Panasonic's row length is rougher still, at once. The seam is found wherever it lies.
    const a = readFileSync(join(MEDIA, 'jpeg', 'j044_panasonic_lx3.jpg'));
    const b = readFileSync(join(MEDIA, 'jpeg', 'j043_sony_dsc_g1.jpg'));
    for (const fa of [0.3, 0.5, 0.64, 0.8]) {
      const cut = Math.floor((a.length * fa) / 512) * 512;
      const mixed = Buffer.concat([a.subarray(0, cut), b.subarray(Math.floor((b.length * 0.4) / 512) * 512)]);
      const ranges = pictureBreaks(new BufferReader(mixed));
      expect(ranges.some((r) => r.from <= cut && r.to >= cut), `seam at ${fa}: ${JSON.stringify(ranges)}`).toBe(true);
      // The Panasonic alone shows one natural shift (row 172 of 315, where its ground starts): one of the 3 of 48 below.
      expect(ranges.filter((r) => r.to < cut - 64 * 1024).length, `breaks inside the Panasonic photo (${fa})`).toBeLessThanOrEqual(1);
    }
  });
});

/** The largest Int32Array or Float64Array (the trace's DC grid and MCU offsets) made while `run` runs, in bytes. */
function largestTypedArray(run: () => void): number {
  let largest = 0;
  const recording = <C extends object>(ctor: C): C =>
    new Proxy(ctor, {
      construct(target, args, newTarget) {
        const made = Reflect.construct(target as unknown as new (...a: unknown[]) => ArrayBufferView, args, newTarget) as ArrayBufferView;
        largest = Math.max(largest, made.byteLength);
        return made;
      },
    });
  vi.stubGlobal('Int32Array', recording(Int32Array));
  vi.stubGlobal('Float64Array', recording(Float64Array));
  try {
    run();
  } finally {
    vi.unstubAllGlobals();
  }
  return largest;
}

/**
 * A JPEG of `w`×`h` (components sampled as `sampling`, 0xHV) whose first scan
 * holds the components `scan`, with 64 bytes of scan data: the SOF alone
 * decides what a trace would allocate.
 */
function geometry(w: number, h: number, sampling: number[], scan: number[]): Uint8Array {
  return Uint8Array.from([0xff, 0xd8, ...frameHeader(w, h, sampling, scan), ...new Uint8Array(64), 0xff, 0xd9]);
}

/** Runs both continuity hooks on `bytes`: the largest array they made, and whether they read the scan data (traced it). */
function traceCost(bytes: Uint8Array): { largest: number; traced: boolean } {
  const inner = new BufferReader(bytes);
  let traced = false;
  const reader: Reader = {
    size: inner.size,
    bytes: (offset, length) => inner.bytes(offset, length),
    // The walk reads headers with bytes() and stops at the first scan: only the trace streams the scan data.
    chunk: (offset, maxLength) => {
      traced = true;
      return inner.chunk(offset, maxLength);
    },
  };
  const largest = largestTypedArray(() => {
    expect(seamsLookContinuous(reader, [])).toBe(true);
    expect(pictureBreaks(reader)).toEqual([]);
  });
  return { largest, traced };
}

/** What a trace may allocate: 4 bytes per luminance block (MCU offsets take 8 bytes for at most 4 M MCUs, less). */
const TRACE_BYTES = 4 * MAX_TRACE_BLOCKS;

describe('continuity trace: bounded by the blocks of the first scan, not only its MCUs', () => {
  it('traces 200 MP photos (4:2:0, 4:4:4, greyscale) within the bound', () => {
    for (const [what, sampling, scan] of [
      ['4:2:0', [0x22, 0x11, 0x11], [0, 1, 2]],
      ['4:4:4', [0x11, 0x11, 0x11], [0, 1, 2]],
      ['greyscale', [0x11], [0]],
    ] as const) {
      const { largest, traced } = traceCost(geometry(16384, 12208, [...sampling], [...scan]));
      expect(traced, what).toBe(true);
      expect(largest, what).toBeLessThanOrEqual(TRACE_BYTES);
    }
  });

  it('skips a SOF whose luminance grid needs 256 MiB (4×4 sampling, 4 M MCUs) or 40 M blocks of 10-block MCUs', () => {
    // Luminance 4×4, first scan Cb and Cr only (2 blocks per MCU): the grid allocated was still the luminance one.
    const chroma = traceCost(geometry(65535, 62000, [0x44, 0x11, 0x11], [1, 2]));
    expect(chroma.traced).toBe(false);
    expect(chroma.largest).toBeLessThanOrEqual(TRACE_BYTES);
    // Luminance 4×2 with Cb and Cr: 10 blocks in each of 3.97 M MCUs.
    const ten = traceCost(geometry(65535, 31000, [0x42, 0x11, 0x11], [0, 1, 2]));
    expect(ten.traced).toBe(false);
    expect(ten.largest).toBeLessThanOrEqual(TRACE_BYTES);
  });

  it('property: whatever the SOF geometry and first scan, a trace allocates within the bound', () => {
    const sampling = (max: number) => fc.record({ h: fc.integer({ min: 1, max }), v: fc.integer({ min: 1, max }) });
    fc.assert(
      fc.property(
        sampling(4),
        fc.array(sampling(2), { maxLength: 2 }),
        fc.constantFrom('all', 'luminance', 'chroma'),
        // Up to 4 M MCUs (the old bound, the only one before): the range where the blocks per MCU decide.
        fc.integer({ min: 1, max: 4_000_000 }),
        fc.double({ min: 0, max: 1, noNaN: true }),
        (luma, chroma, which, mcus, shape) => {
          const comps = [luma, ...chroma];
          const scan = comps.map((_, i) => i).filter((i) => (which === 'all' ? true : which === 'luminance' ? i === 0 : i > 0));
          // An interleaved scan holds at most 10 blocks per MCU (B.2.3): the walk refuses others before any trace.
          fc.pre(scan.length === 1 || (scan.length > 1 && scan.reduce((n, i) => n + comps[i]!.h * comps[i]!.v, 0) <= 10));
          const hmax = Math.max(...comps.map((c) => c.h));
          const vmax = Math.max(...comps.map((c) => c.v));
          // mcusX × mcusY close to `mcus`, from a wide strip to a tall one, within 65535 pixels each way.
          const mcusX = Math.max(1, Math.min(Math.floor(65535 / (8 * hmax)), Math.round(Math.sqrt(mcus) * 2 ** (4 * shape - 2))));
          const mcusY = Math.max(1, Math.min(Math.floor(65535 / (8 * vmax)), Math.ceil(mcus / mcusX)));
          const { largest } = traceCost(geometry(mcusX * 8 * hmax, mcusY * 8 * vmax, comps.map((c) => (c.h << 4) | c.v), scan));
          expect(largest).toBeLessThanOrEqual(TRACE_BYTES);
        },
      ),
      { numRuns: 60, seed: 3 },
    );
  });
});
