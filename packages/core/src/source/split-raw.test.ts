import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openImageSource } from './open.js';
import { RawFileSource } from './raw-file.js';
import { SplitRawSource, splitRawParts } from './split-raw.js';

const work = mkdtempSync(join(tmpdir(), 'rawcarve-split-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Writes `parts` as `<dir>/<base><ext_i>` and returns the first part's path. */
function writeParts(dir: string, base: string, exts: string[], parts: Uint8Array[]): string {
  mkdirSync(dir, { recursive: true });
  parts.forEach((p, i) => writeFileSync(join(dir, base + exts[i]!), p));
  return join(dir, base + exts[0]!);
}

const numbered = (n: number, from = 1): string[] => Array.from({ length: n }, (_, i) => '.' + String(i + from).padStart(3, '0'));
const lettered = (n: number): string[] =>
  Array.from({ length: n }, (_, i) => '.' + String.fromCharCode(97 + Math.floor(i / 26)) + String.fromCharCode(97 + (i % 26)));

describe('split raw images', () => {
  let run = 0;
  it('read as the concatenation of their parts, whatever the part sizes and the read', () => {
    fc.assert(
      fc.property(
        fc.array(fc.uint8Array({ maxLength: 3000 }), { minLength: 2, maxLength: 8 }),
        fc.constantFrom('numbered', 'lettered', 'raw.numbered'),
        fc.array(fc.tuple(fc.nat(30_000), fc.nat(9000)), { minLength: 1, maxLength: 20 }),
        (parts, naming, reads) => {
          const dir = join(work, `p${run++}`);
          const exts = naming === 'lettered' ? lettered(parts.length) : numbered(parts.length);
          const first = writeParts(dir, naming === 'raw.numbered' ? 'card.raw' : 'card', exts, parts);
          const whole = Buffer.concat(parts);
          const src = openImageSource(first);
          try {
            expect(src).toBeInstanceOf(SplitRawSource);
            expect(src.kind).toBe('split-raw');
            expect(src.size).toBe(whole.length);
            for (const [offset, length] of reads) {
              const into = new Uint8Array(length);
              const n = src.readInto(offset, into, 0, length);
              expect(n).toBe(Math.max(0, Math.min(length, whole.length - offset)));
              expect(Buffer.from(into.subarray(0, n)).equals(whole.subarray(offset, offset + n))).toBe(true);
            }
            const all = new Uint8Array(whole.length);
            expect(src.readInto(0, all, 0, all.length)).toBe(whole.length);
            expect(Buffer.from(all).equals(whole)).toBe(true);
          } finally {
            src.close();
          }
        },
      ),
      { numRuns: 60 },
    );
  });

  it('finds the parts from the first one only, stops at the first gap, and counts past .099 and .az', () => {
    const dir = join(work, 'names');
    const p = (n: number): Uint8Array => new Uint8Array(n).fill(n & 0xff);
    const first = writeParts(dir, 'big', numbered(101), Array.from({ length: 101 }, (_, i) => p(i + 1)));
    expect(splitRawParts(first)).toHaveLength(101);
    expect(splitRawParts(join(dir, 'big.002'))).toBeNull(); // not a first part: read as a raw file
    const zero = writeParts(dir, 'z', numbered(3, 0), [p(1), p(2), p(3)]);
    expect(splitRawParts(zero)?.map((x) => x.slice(-4))).toEqual(['.000', '.001', '.002']);
    const letters = writeParts(dir, 'l', lettered(28), Array.from({ length: 28 }, () => p(5)));
    expect(splitRawParts(letters)?.at(-1)).toBe(join(dir, 'l.bb'));
    writeParts(dir, 'gap', ['.001', '.002', '.004'], [p(1), p(1), p(1)]);
    expect(splitRawParts(join(dir, 'gap.001'))).toHaveLength(2);
  });

  it('leaves a lone .001 or .aa file, and ordinary names, to the raw source', () => {
    const dir = join(work, 'lone');
    const lone = writeParts(dir, 'only', ['.001'], [new Uint8Array(512)]);
    const aa = writeParts(dir, 'words', ['.aa'], [new Uint8Array(512)]);
    const dd = writeParts(dir, 'card', ['.dd'], [new Uint8Array(512)]);
    for (const path of [lone, aa, dd]) {
      const src = openImageSource(path);
      expect(src).toBeInstanceOf(RawFileSource);
      src.close();
    }
  });
});
