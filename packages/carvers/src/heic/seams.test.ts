import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { resultLength, FragmentReader, BufferReader } from '@rawcarve/core';
import { scanBuffer } from '@rawcarve/core/testing';
import { MEDIA, sha256 } from '../jpeg/test-helpers.js';
import { randomBytes, twoFragments } from '../fragment-layouts.js';
import { heicCarver } from './index.js';

const heicDir = join(MEDIA, 'heic');
const files = existsSync(heicDir) ? readdirSync(heicDir).sort().filter((f) => /^h0(01|10|14|20|23)/.test(f)) : [];


describe.skipIf(files.length === 0)('HEIC seams proven by the HEVC slice parse (../shared/media/heic)', () => {
  it('a seam inside a tile with random bytes on both sides: rebuilt byte-exact, bifragment and out of order', () => {
    for (const name of files) {
      const file = new Uint8Array(readFileSync(join(heicDir, name)));
      for (const outOfOrder of [false, true]) {
        const { img, fileAt } = twoFragments(file, file.length * 0.55, 37, outOfOrder, 11);
        const { files: kept } = scanBuffer(img, [heicCarver], { blockSize: 512 });
        const f = kept.find((k) => k.offset === fileAt);
        expect(f?.status, `${name} ${outOfOrder ? 'out of order' : 'bifragment'}: ${f?.notes.join('; ')}`).toBe('complete');
        const bytes = Buffer.concat(f!.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
        expect(sha256(bytes), name).toBe(sha256(file));
      }
    }
  });

  it('property: wherever the cut, a rebuilt file is byte-exact; a seam the parse cannot prove is not joined', () => {
    const pool = files.map((f) => new Uint8Array(readFileSync(join(heicDir, f))));
    let rebuilt = 0;
    fc.assert(
      fc.property(fc.nat({ max: pool.length - 1 }), fc.double({ min: 0.3, max: 0.95, noNaN: true }), fc.integer({ min: 1, max: 300 }), fc.boolean(), fc.integer({ min: 1, max: 1 << 30 }), (i, at, gap, ooo, seed) => {
        const file = pool[i]!;
        const { img, fileAt } = twoFragments(file, file.length * at, gap, ooo, seed);
        const f = scanBuffer(img, [heicCarver], { blockSize: 512 }).files.find((k) => k.offset === fileAt);
        if (f?.status !== 'complete') return; // not rebuilt is allowed; a wrong rebuild never
        rebuilt++;
        const bytes = Buffer.concat(f.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
        expect(sha256(bytes)).toBe(sha256(file));
      }),
      { numRuns: 12, seed: 20261127 }, // fixed: the count below must not depend on the draw
    );
    // A cut in the metadata or the Exif item has no tile to prove it; most cuts fall in tiles.
    expect(rebuilt).toBeGreaterThanOrEqual(10); // 12 with this seed
  });

  it('proveSeams: the true seam is proven, a seam one sector off is broken, never before the foreign bytes', () => {
    const file = new Uint8Array(readFileSync(join(heicDir, files[0]!)));
    const cut = Math.floor((file.length * 0.6) / 512) * 512;
    const rest = file.subarray(cut);
    // Image: first part, 20 sectors of random bytes, the rest.
    const img = Uint8Array.from(Buffer.concat([file.subarray(0, cut), randomBytes(20 * 512, 5), rest]));
    const image = new BufferReader(img);
    const at = (seam: number): FragmentReader => new FragmentReader(image, [{ img: 0, length: seam }, { img: cut + 20 * 512 - (cut - seam), length: Infinity }]);
    expect(heicCarver.proveSeams!(at(cut), [cut])[0]!.verdict).toBe('proven');
    for (const off of [-512, 512, 2048]) {
      const p = heicCarver.proveSeams!(at(cut + off), [cut + off])[0]!;
      expect(p.verdict, `seam ${off} bytes off`).toBe('broken');
      // Foreign bytes start at min(seam, true seam): the failure is never reported before them.
      expect(p.failedAt!).toBeGreaterThanOrEqual(Math.min(cut, cut + off));
    }
    expect(resultLength(heicCarver.carve(at(cut), 0, { maxFileSize: 1 << 30, align: 512 })!)).toBe(file.length);
  });
});

const sony = join(heicDir, 'h026_sony_a7s3.hif');

describe.skipIf(!existsSync(sony))('a camera HEIF whose items hold several NAL units each (Sony a7s3, ../shared/media)', () => {
  it('is rebuilt byte-exact when it breaks inside an item: the NAL units after the break find the next fragment', () => {
    // The break lies inside the primary image's first slice, random bytes around it; the next NAL unit's
    // length and header are not known bytes, but the NAL units from there must end exactly where iloc
    // ends the item, which finds the second fragment; the slice parse then proves the seam.
    const file = new Uint8Array(readFileSync(sony));
    for (const outOfOrder of [false, true]) {
      const { img, fileAt } = twoFragments(file, file.length * 0.63, 37, outOfOrder, 11);
      const f = scanBuffer(img, [heicCarver], { blockSize: 512 }).files.find((k) => k.offset === fileAt);
      expect(f?.status, `${outOfOrder ? 'out of order' : 'bifragment'}: ${f?.notes.join('; ')}`).toBe('complete');
      const bytes = Buffer.concat(f!.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
      expect(sha256(bytes)).toBe(sha256(file));
    }
  });
});
