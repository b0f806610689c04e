import { crc32 as zlibCrc32 } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader } from '../reader/source-reader.js';
import { BitReader, BitReaderError } from './bit-reader.js';
import { crc32, crc32Of } from './crc32.js';
import { walkMarkers } from './markers.js';

describe('crc32', () => {
  it('matches the check value and zlib', () => {
    expect(crc32(new TextEncoder().encode('123456789'))).toBe(0xcbf43926);
    expect(crc32(new Uint8Array(0))).toBe(0);
    // PNG's IEND chunk: CRC of "IEND" is AE 42 60 82.
    expect(crc32(new TextEncoder().encode('IEND'))).toBe(0xae426082);
  });

  it('property: equals zlib.crc32, continues across splits, and streams through a Reader', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.nat(), (bytes, cut) => {
        const k = cut % (bytes.length + 1);
        const want = zlibCrc32(bytes) >>> 0;
        expect(crc32(bytes)).toBe(want);
        expect(crc32(bytes.subarray(k), crc32(bytes.subarray(0, k)))).toBe(want);
        const r = new BufferReader(bytes);
        expect(crc32Of(r, 0, bytes.length)).toBe(want);
        expect(crc32Of(r, 0, bytes.length + 1)).toBeNull();
      }),
    );
  });
});

describe('BitReader', () => {
  it('reads MSB first across bytes, 32-bit values unsigned', () => {
    const b = new BitReader(Uint8Array.from([0b1010_1100, 0xff, 0xff, 0xff, 0xff]));
    expect(b.bit()).toBe(1);
    expect(b.bits(3)).toBe(0b010);
    expect(b.bits(4)).toBe(0b1100);
    expect(b.bits(32)).toBe(0xffffffff);
    expect(b.left).toBe(0);
    expect(() => b.bit()).toThrow(BitReaderError);
  });

  it('Exp-Golomb: ue and se per H.264 9.1, and a bound on leading zeros', () => {
    // 1 | 010 | 011 | 00100 | 00101 -> ue 0,1,2,3,4 ; se of 1,2,3,4 -> 1,-1,2,-2
    const bits = '1' + '010' + '011' + '00100' + '00101';
    const bytes = Uint8Array.from((bits.padEnd(24, '0').match(/.{8}/g) ?? []).map((s) => parseInt(s, 2)));
    const u = new BitReader(bytes);
    expect([u.ue(), u.ue(), u.ue(), u.ue(), u.ue()]).toEqual([0, 1, 2, 3, 4]);
    const s = new BitReader(bytes, 1);
    expect([s.se(), s.se(), s.se(), s.se()]).toEqual([1, -1, 2, -2]);
    expect(() => new BitReader(new Uint8Array(8)).ue()).toThrow(BitReaderError);
  });

  it('property: bits(n) reassembles the bytes whatever the widths', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 1, maxLength: 64 }), fc.array(fc.integer({ min: 0, max: 32 }), { maxLength: 40 }), (bytes, widths) => {
        const r = new BitReader(bytes);
        let s = '';
        for (const w of widths) {
          if (w > r.left) break;
          s += w === 0 ? '' : r.bits(w).toString(2).padStart(w, '0');
        }
        const all = [...bytes].map((x) => x.toString(2).padStart(8, '0')).join('');
        expect(all.startsWith(s)).toBe(true);
        r.align();
        expect(r.position % 8).toBe(0);
      }),
    );
  });
});

describe('walkMarkers', () => {
  const jpegHead = Uint8Array.from([
    0xff, 0xd8, 0xff, 0xe0, 0x00, 0x04, 0x4a, 0x46, // SOI, APP0 length 4
    0xff, 0xff, 0xdb, 0x00, 0x03, 0x00, // fill byte, DQT length 3
    0xff, 0xda, 0x00, 0x02, 0x12, 0x34, // SOS length 2, then data
  ]);

  it('walks SOI, segments with fill bytes, and stops after SOS', () => {
    const w = walkMarkers(new BufferReader(jpegHead), 0, jpegHead.length);
    expect(w.stop).toBe('stop-marker');
    expect(w.segments.map((s) => s.marker)).toEqual([0xd8, 0xe0, 0xdb, 0xda]);
    expect(w.segments[2]).toEqual({ marker: 0xdb, start: 9, payload: 13, end: 14 });
    expect(w.end).toBe(18);
  });

  it('stops with a reason at a cut, a bad length or a non-marker', () => {
    expect(walkMarkers(new BufferReader(jpegHead), 0, 12).stop).toBe('limit');
    const bad = Uint8Array.from(jpegHead);
    bad[5] = 1;
    expect(walkMarkers(new BufferReader(bad), 0, bad.length).stop).toBe('invalid');
    expect(walkMarkers(new BufferReader(Uint8Array.from([0x12, 0x34])), 0, 2).stop).toBe('invalid');
  });

  it('property: random bytes never throw and never read past the limit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 600 }), fc.nat(), (tail, lim) => {
        const bytes = Uint8Array.from([0xff, 0xd8, ...tail]);
        const limit = lim % (bytes.length + 1);
        const w = walkMarkers(new BufferReader(bytes), 0, limit, { maxSegments: 50 });
        for (const s of w.segments) expect(s.end).toBeLessThanOrEqual(Math.max(limit, 2));
        expect(w.segments.length).toBeLessThanOrEqual(50);
      }),
    );
  });
});
