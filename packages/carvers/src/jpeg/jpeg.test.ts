import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, resultLength } from '@rawcarve/core';
import { jpegCarver } from './index.js';
import { walkJpeg } from './walk.js';
import { MEDIA, embed, generateJpegs, hasCjpeg, sha256 } from './test-helpers.js';

const ctx = { maxFileSize: 256 * 1024 * 1024, align: 512 };
const carveAt = (img: Uint8Array, at: number) => jpegCarver.carve(new BufferReader(img), at, ctx);
const carvedBytes = (img: Uint8Array, at: number, len: number) => img.subarray(at, at + len);

describe.skipIf(!existsSync(join(MEDIA, 'jpeg')))('real camera JPEGs from ../shared/media/jpeg', () => {
  const files = existsSync(join(MEDIA, 'jpeg')) ? readdirSync(join(MEDIA, 'jpeg')).sort() : [];
  it.each(files)('%s comes back byte-exact and complete from a 512-aligned offset', (name) => {
    const bytes = readFileSync(join(MEDIA, 'jpeg', name));
    const img = embed(bytes, 512 * 37);
    const r = carveAt(img, 512 * 37);
    expect(r?.status).toBe('complete');
    const len = resultLength(r!);
    expect(len).toBe(bytes.length);
    expect(sha256(carvedBytes(img, 512 * 37, len))).toBe(sha256(bytes));
  });
});

describe.skipIf(!existsSync(join(MEDIA, 'jpeg')))('zeros or text inside the scan data of a file that breaks off', () => {
  const TEXT = Buffer.from('The quick brown fox jumps over the lazy dog.\r\n'.repeat(800));
  // The Jolla's optimised tables give all-zero bits valid codes, and the Canon's decode text for a long
  // while: the decoder runs through the gap and on into whatever follows. The first sector of one
  // repeated byte or of text is where the file's data ends.
  it.each([
    ['j029_jolla.jpg', 'zeros'],
    ['j032_canon_eos5d.jpg', 'text'],
  ])('%s with %s in it ends before them', (name, filler) => {
    const bytes = Uint8Array.from(readFileSync(join(MEDIA, 'jpeg', name)));
    const gap = Math.floor((bytes.length * 0.4) / 512) * 512;
    if (filler === 'zeros') bytes.fill(0, gap, gap + 64 * 512);
    else bytes.set(TEXT.subarray(0, 64 * 512), gap);
    const img = bytes.subarray(0, Math.floor(bytes.length * 0.7));
    const walk = walkJpeg(new BufferReader(img), 0, img.length)!;
    expect(walk.end, 'the decoder reads through the gap').toBeGreaterThan(gap + 64 * 512);
    const r = carveAt(img, 0)!;
    expect(r.status).toBe('truncated');
    expect(resultLength(r)).toBe(gap);
  });
});

describe.skipIf(!hasCjpeg)('generated JPEGs (cjpeg: baseline, progressive, restart markers, subsampling, grayscale)', () => {
  const jpegs = hasCjpeg ? generateJpegs() : [];

  it('every variant carves complete and byte-exact', () => {
    for (const j of jpegs) {
      const img = embed(j, 4096);
      const r = carveAt(img, 4096);
      expect(r?.status).toBe('complete');
      expect(sha256(carvedBytes(img, 4096, resultLength(r!)))).toBe(sha256(j));
    }
  });

  it('a BlackBerry camera trailer after EOI is kept only when its own length and the picture size in it agree', () => {
    const j = jpegs[0]!;
    const { width, height } = walkJpeg(new BufferReader(j), 0, j.length)!.frame;
    const trailer = (length: number, w: number, h: number, size = 4096): Uint8Array => {
      const t = new Uint8Array(size);
      for (let i = 44; i < size; i += 7) t[i] = (i * 31) & 0xff; // some binary among zeros, as in the Z10's
      const v = new DataView(t.buffer);
      v.setUint32(0, length);
      v.setUint32(36, w);
      v.setUint32(40, h);
      return t;
    };
    const carveWith = (t: Uint8Array): number => {
      const img = new Uint8Array(j.length + t.length + 512);
      img.set(j, 0);
      img.set(t, j.length);
      const r = carveAt(img, 0);
      expect(r?.status).toBe('complete');
      return resultLength(r!);
    };
    expect(carveWith(trailer(4096, width, height))).toBe(j.length + 4096);
    expect(carveWith(trailer(4096, width + 1, height))).toBe(j.length);
    expect(carveWith(trailer(4096, width, height + 16))).toBe(j.length);
    expect(carveWith(trailer(1 << 24, width, height))).toBe(j.length); // claims more than the image holds
    expect(carveWith(trailer(16, width, height))).toBe(j.length); // shorter than its own header
    // Random bytes after EOI: the 12 bytes that must agree are almost never all right by chance.
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 64, maxLength: 64 }), (t) => {
        expect(carveWith(t)).toBe(j.length);
      }),
      { numRuns: 200 },
    );
  });

  it('property: any of them at any aligned offset in random filler comes back byte-exact', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: jpegs.length - 1 }), fc.integer({ min: 0, max: 64 }), fc.integer({ min: 1, max: 1 << 30 }), (i, sector, seed) => {
        const img = embed(jpegs[i]!, sector * 512, 4096, seed);
        const r = carveAt(img, sector * 512);
        expect(r?.status).toBe('complete');
        expect(resultLength(r!)).toBe(jpegs[i]!.length);
        expect(sha256(carvedBytes(img, sector * 512, jpegs[i]!.length))).toBe(sha256(jpegs[i]!));
      }),
      { numRuns: 60 },
    );
  });

  it('property: truncating a JPEG anywhere never gives complete, and the carve stays inside what is there', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: jpegs.length - 1 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (i, f) => {
        const j = jpegs[i]!;
        const cut = Math.floor(j.length * f);
        const img = j.subarray(0, cut); // the image ends where the file was cut
        const r = carveAt(img, 0);
        if (r !== null) {
          expect(r.status).not.toBe('complete');
          expect(resultLength(r)).toBeLessThanOrEqual(cut);
        }
      }),
      { numRuns: 200 },
    );
  });

  /** Sequential (single-scan) variants: every byte after the SOS header is entropy data until EOI. */
  const sequential = jpegs.filter((j) => !isProgressive(j));

  it('property: random bytes written over the scan are caught at or after the damage, never silently complete', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: Math.max(0, sequential.length - 1) }),
        fc.double({ min: 0, max: 0.95, noNaN: true }),
        fc.uint8Array({ minLength: 64, maxLength: 2048 }),
        (i, f, garbage) => {
          const j = Uint8Array.from(sequential[i]!);
          const start = scanDataStart(j);
          const damageAt = start + Math.floor((j.length - 2 - garbage.length - start) * f);
          if (damageAt < start || damageAt + garbage.length > j.length - 2) return;
          j.set(garbage, damageAt);
          const r = carveAt(j, 0);
          if (r === null) return; // nothing decoded at all: not a file
          if (r.status === 'complete') {
            // Possible only if the garbage decoded as valid data and the rest still lined up:
            // then the decoder read through the damage to the end.
            expect(resultLength(r)).toBe(j.length);
          } else {
            // Valid data before the damage decodes, so the decoder cannot stop before it...
            const w = walkJpeg(new BufferReader(j), 0, j.length)!;
            expect(w.status).not.toBe('complete');
            expect(w.end).toBeGreaterThanOrEqual(damageAt - 4);
            // ...and the carved file keeps at least every whole sector before the damage.
            expect(resultLength(r)).toBeGreaterThanOrEqual(Math.min(w.end, damageAt - 4 - ((damageAt - 4) % 512)));
            expect(resultLength(r)).toBeLessThanOrEqual(w.end);
          }
        },
      ),
      { numRuns: 300 },
    );
  });

  it('property: a real header followed by random scan data is never complete', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: jpegs.length - 1 }), fc.uint8Array({ minLength: 1, maxLength: 6000 }), (i, scan) => {
        const j = jpegs[i]!;
        const start = scanDataStart(j);
        const img = new Uint8Array(start + scan.length + 2);
        img.set(j.subarray(0, start), 0);
        img.set(scan, start);
        img.set([0xff, 0xd9], start + scan.length); // even with an EOI at the end
        const r = carveAt(img, 0);
        expect(r === null || r.status !== 'complete').toBe(true);
      }),
      { numRuns: 300 },
    );
  });
});

/** Offset of the first byte after the first SOS header. */
function scanDataStart(j: Uint8Array): number {
  for (let i = 2; i + 3 < j.length; ) {
    if (j[i] !== 0xff) return -1;
    const len = (j[i + 2]! << 8) | j[i + 3]!;
    if (j[i + 1] === 0xda) return i + 2 + len;
    i += 2 + len;
  }
  return -1;
}

function isProgressive(j: Uint8Array): boolean {
  for (let i = 2; i + 3 < j.length; ) {
    if (j[i + 1] === 0xc2) return true;
    if (j[i + 1] === 0xda) return false;
    i += 2 + ((j[i + 2]! << 8) | j[i + 3]!);
  }
  return false;
}

describe('hostile input', () => {
  it('random bytes after FF D8 FF never produce a complete file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 20000 }), (tail) => {
        const img = new Uint8Array(3 + tail.length);
        img.set([0xff, 0xd8, 0xff], 0);
        img.set(tail, 3);
        const r = carveAt(img, 0);
        expect(r === null || r.status !== 'complete').toBe(true);
      }),
      { numRuns: 2000 },
    );
  });

});
