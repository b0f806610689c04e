import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { PageGrid, parseByteCount, parseRange, parseShard, shardRange } from './range.js';

describe('byte counts and ranges', () => {
  it('reads sizes with binary suffixes, and refuses anything else', () => {
    expect(parseByteCount('4096')).toBe(4096);
    expect(parseByteCount('64K')).toBe(65536);
    expect(parseByteCount('3m')).toBe(3 * 2 ** 20);
    expect(parseByteCount('2GiB')).toBe(2 * 2 ** 30);
    expect(parseByteCount('1T')).toBe(2 ** 40);
    for (const bad of ['', '1.5G', '-4', 'G', '4X', '99999999999999999999']) expect(() => parseByteCount(bad)).toThrow(/whole number/);
  });

  it('parses START:LENGTH, clips it to the image, and refuses ranges outside it', () => {
    const size = 10 * 2 ** 20;
    expect(parseRange('1M:2M', size)).toEqual({ start: 2 ** 20, length: 2 * 2 ** 20 });
    expect(parseRange('8M:', size)).toEqual({ start: 8 * 2 ** 20, length: 2 * 2 ** 20 });
    expect(parseRange('8M:1G', size)).toEqual({ start: 8 * 2 ** 20, length: 2 * 2 ** 20 });
    expect(() => parseRange('10M:1', size)).toThrow(/past the end/);
    expect(() => parseRange('0:0', size)).toThrow(/empty/);
    expect(() => parseRange('12', size)).toThrow(/START:LENGTH/);
    expect(parseShard('3/8')).toEqual({ index: 3, count: 8 });
    expect(() => parseShard('3')).toThrow(/INDEX\/COUNT/);
    expect(() => shardRange(8, 8, size, 4096)).toThrow(/0..count-1/);
  });

  it('property: shards tile the image in order, each starting on a page boundary', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 2 ** 34 }), fc.constantFrom(512, 4096, 2 ** 20, 2 ** 24), fc.integer({ min: 1, max: 40 }), (size, pageSize, count) => {
        let end = 0;
        for (let i = 0; i < count; i++) {
          const r = shardRange(i, count, size, pageSize);
          expect(r.start).toBe(end);
          expect(r.start % pageSize === 0 || r.start === size).toBe(true);
          expect(r.length).toBeGreaterThanOrEqual(0);
          end = r.start + r.length;
        }
        expect(end).toBe(size);
      }),
    );
  });

  it('property: a range\'s pages tile it, cut on the whole image\'s page grid', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 10_000_000 }), fc.integer({ min: 1, max: 300_000 }), fc.constantFrom(512, 4096, 65536), (start, length, pageSize) => {
        const grid = new PageGrid({ start, length }, pageSize);
        let at = start;
        for (let i = 0; i < grid.count; i++) {
          const p = grid.page(i);
          expect(p.start).toBe(at);
          expect(p.length).toBeGreaterThan(0);
          expect(grid.bytesBefore(i)).toBe(at - start);
          const end = p.start + p.length;
          // Every page ends on the grid, except the range's last.
          if (i < grid.count - 1) expect(end % pageSize).toBe(0);
          expect(Math.floor(p.start / pageSize)).toBe(Math.floor((end - 1) / pageSize));
          at = end;
        }
        expect(at).toBe(start + length);
        expect(grid.bytesBefore(grid.count)).toBe(length);
      }),
    );
  });
});
