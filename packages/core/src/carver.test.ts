import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { firstUniformSector, isTextSector } from './carver.js';
import { BufferReader } from './reader/source-reader.js';
import { FragmentReader } from './reassemble/fragment-reader.js';

/** The definition, one sector at a time. */
function naive(bytes: Uint8Array, from: number, to: number, base: number): number {
  for (let s = base + Math.ceil((from - base) / 512) * 512; s + 512 <= Math.min(to, bytes.length); s += 512) {
    const v = bytes[s]!;
    if (bytes.subarray(s, s + 512).every((x) => x === v)) return s;
  }
  return -1;
}

describe('firstUniformSector', () => {
  it('property: finds the first sector of one repeated byte, through pieces of any length', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 8, max: 40 }),
        fc.array(fc.integer({ min: 0, max: 39 }), { maxLength: 3 }),
        fc.array(fc.integer({ min: 1, max: 3000 }), { minLength: 1, maxLength: 6 }),
        fc.integer({ min: 0, max: 2000 }),
        fc.integer({ min: 0, max: 600 }),
        (sectors, blanks, cuts, from, base) => {
          const bytes = new Uint8Array(sectors * 512 + base);
          for (let i = 0; i < bytes.length; i++) bytes[i] = (i * 2654435761) >>> 24;
          for (const b of blanks) bytes.fill(b % 2 ? 0xff : 0, base + b * 512, base + b * 512 + 512);
          // The same bytes through a fragment reader whose pieces end anywhere, sectors included.
          const pieces: { img: number; length: number }[] = [];
          let at = 0;
          for (const c of cuts) if (at + c < bytes.length) pieces.push({ img: at, length: c }), (at += c);
          pieces.push({ img: at, length: Infinity });
          const expected = naive(bytes, from, bytes.length, base);
          expect(firstUniformSector(new BufferReader(bytes), from, bytes.length, base)).toBe(expected);
          expect(firstUniformSector(new FragmentReader(new BufferReader(bytes), pieces), from, bytes.length, base)).toBe(expected);
        },
      ),
      { numRuns: 300 },
    );
  });
});

describe('isTextSector', () => {
  it('property: printable ASCII with tabs and line ends is text; one byte outside it is not', () => {
    const printable = fc.oneof(fc.integer({ min: 0x20, max: 0x7e }), fc.constantFrom(0x09, 0x0a, 0x0d));
    fc.assert(
      fc.property(fc.array(printable, { minLength: 512, maxLength: 512 }), fc.integer({ min: 0, max: 511 }), fc.oneof(fc.integer({ min: 0x7f, max: 0xff }), fc.integer({ min: 0, max: 0x08 })), (text, at, odd) => {
        const b = Uint8Array.from([7, 7, ...text]); // at index 2: sectors need not start a buffer
        expect(isTextSector(b, 2)).toBe(true);
        b[2 + at] = odd;
        expect(isTextSector(b, 2)).toBe(false);
      }),
      { numRuns: 300 },
    );
  });
});
