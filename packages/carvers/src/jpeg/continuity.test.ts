import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferReader } from '@rawcarve/core';
import { pictureBreaks, seamsLookContinuous } from './continuity.js';
import { MEDIA, hasCjpeg, ppm } from './test-helpers.js';

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
    // Measured: 3 of 5 (the seams at 0.35, 0.6 and 0.75).
    expect(found).toBeGreaterThanOrEqual(3);
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
    // Measured: 7 of 48 (strong natural edges that happen to start mid-row).
    expect(flagged.length / names.length, flagged.join(', ')).toBeLessThanOrEqual(0.2);
  });
});
