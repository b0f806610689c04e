import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, FragmentReader } from '@rawcarve/core';
import { scanBuffer } from '@rawcarve/core/testing';
import { MEDIA, sha256 } from '../jpeg/test-helpers.js';
import { randomBytes, threeFragmentsOutOfOrder, twoFragments } from '../fragment-layouts.js';
import { movCarver } from './index.js';

// H.264 moov-first and moov-last, HEVC moov-last (B-frames), a phone's H.264 with audio.
const names = ['mp4/s003_synthetic_h264_faststart.mp4', 'mov/m002_apple_iphone6_gps.mov', 'mov/m005_apple_ipadmini_hevc.mov', 'mp4/p001_google_pixel.mp4'];
const paths = names.map((n) => join(MEDIA, n)).filter((p) => existsSync(p));


describe.skipIf(paths.length < names.length)('movie seams proven by the H.264/HEVC slice parse (../shared/media)', () => {
  it('a seam inside a video sample with random bytes on both sides: rebuilt byte-exact, bifragment and out of order', () => {
    for (const path of paths) {
      const file = new Uint8Array(readFileSync(path));
      for (const outOfOrder of [false, true]) {
        const { img, fileAt } = twoFragments(file, file.length * 0.5, 29, outOfOrder, 7);
        const f = scanBuffer(img, [movCarver], { blockSize: 512 }).files.find((k) => k.offset === fileAt);
        expect(f?.status, `${path} ${outOfOrder ? 'out of order' : 'bifragment'}: ${f?.notes.join('; ')}`).toBe('complete');
        const bytes = Buffer.concat(f!.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
        expect(sha256(bytes), path).toBe(sha256(file));
      }
    }
  });

  it('property: wherever the cut, a rebuilt movie is byte-exact (not rebuilt is allowed, wrong never)', () => {
    const pool = paths.map((p) => new Uint8Array(readFileSync(p)));
    let rebuilt = 0;
    fc.assert(
      fc.property(fc.nat({ max: pool.length - 1 }), fc.double({ min: 0.2, max: 0.9, noNaN: true }), fc.integer({ min: 1, max: 200 }), fc.boolean(), fc.integer({ min: 1, max: 1 << 30 }), (i, at, gap, ooo, seed) => {
        const file = pool[i]!;
        const { img, fileAt } = twoFragments(file, file.length * at, gap, ooo, seed);
        const f = scanBuffer(img, [movCarver], { blockSize: 512 }).files.find((k) => k.offset === fileAt);
        if (f?.status !== 'complete') return;
        rebuilt++;
        const bytes = Buffer.concat(f.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
        expect(sha256(bytes)).toBe(sha256(file));
      }),
      { numRuns: 12, seed: 20261127 }, // fixed: the count below must not depend on the draw
    );
    // A cut in audio or between samples has no picture to prove it; most cuts fall in video samples.
    expect(rebuilt).toBeGreaterThanOrEqual(10); // 12 with this seed
  });

  it('proveSeams: the true seam is proven, seams a sector or more off are broken, never before the foreign bytes', () => {
    const file = new Uint8Array(readFileSync(paths[0]!));
    const cut = Math.floor((file.length * 0.6) / 512) * 512;
    const img = Uint8Array.from(Buffer.concat([file.subarray(0, cut), randomBytes(20 * 512, 5), file.subarray(cut)]));
    const image = new BufferReader(img);
    const at = (seam: number): FragmentReader => new FragmentReader(image, [{ img: 0, length: seam }, { img: cut + 20 * 512 - (cut - seam), length: Infinity }]);
    expect(movCarver.proveSeams!(at(cut), [cut])[0]!.verdict).toBe('proven');
    for (const off of [-1024, -512, 512, 4096]) {
      const p = movCarver.proveSeams!(at(cut + off), [cut + off])[0]!;
      if (p.verdict === 'unknown') continue; // the seam fell in audio
      expect(p.verdict, `seam ${off} bytes off`).toBe('broken');
      expect(p.failedAt!).toBeGreaterThanOrEqual(Math.min(cut, cut + off));
    }
  });
});

const h263 = join(MEDIA, 'mp4', 'p007_coremedia_3gp5.3gp');

describe.skipIf(!existsSync(h263))('a moov-first H.263 3GP in three fragments (../shared/media)', () => {
  it('is rebuilt byte-exact: the sample tables and the picture start codes find the middle fragment', () => {
    // No slice parser proves H.263 seams: the zeros around every fragment are the evidence, and the
    // samples after each break, found by their start codes where stsz puts them, say which cluster follows.
    const file = new Uint8Array(readFileSync(h263));
    for (const cuts of [[0.3, 0.65], [0.45, 0.8]] as const) {
      const { img, fileAt } = threeFragmentsOutOfOrder(file, [file.length * cuts[0], file.length * cuts[1]], 24, 0);
      const f = scanBuffer(img, [movCarver], { blockSize: 512 }).files.find((k) => k.offset === fileAt);
      expect(f?.status, `cut at ${cuts.join(', ')}: ${f?.notes.join('; ')}`).toBe('complete');
      expect(f!.byteRuns.length).toBe(3);
      const bytes = Buffer.concat(f!.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
      expect(sha256(bytes)).toBe(sha256(file));
    }
  });
});
