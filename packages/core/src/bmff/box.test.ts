import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader } from '../reader/source-reader.js';
import { BoxBudget, childBoxes, fullBoxHeader, readBoxHeader } from './box.js';
import { checkNalUnits, findStartCodeEmulation, MAX_TRAILING_ZEROS } from './nal.js';

/** Serialises a box: 32-bit size, or 64-bit largesize when asked. */
function box(type: string, body: Uint8Array, large = false): Uint8Array {
  const head = large ? 16 : 8;
  const out = new Uint8Array(head + body.length);
  const dv = new DataView(out.buffer);
  if (large) {
    dv.setUint32(0, 1);
    dv.setUint32(8, 0);
    dv.setUint32(12, out.length);
  } else dv.setUint32(0, out.length);
  out.set(Buffer.from(type, 'latin1'), 4);
  out.set(body, head);
  return out;
}
const concat = (parts: Uint8Array[]): Uint8Array => Uint8Array.from(Buffer.concat(parts));

const typeArb = fc.stringMatching(/^[a-z]{4}$/);
const boxArb = fc.record({ type: typeArb, body: fc.uint8Array({ maxLength: 64 }), large: fc.boolean() });

describe('readBoxHeader / childBoxes', () => {
  it('property: a sequence of boxes is read back exactly, 32- and 64-bit sizes mixed', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { maxLength: 20 }), fc.nat({ max: 100 }), (specs, lead) => {
        const data = concat([new Uint8Array(lead), ...specs.map((s) => box(s.type, s.body, s.large))]);
        const r = new BufferReader(data);
        const list = childBoxes(r, lead, data.length, new BoxBudget());
        expect(list.problem).toBeUndefined();
        expect(list.boxes.map((b) => b.type)).toEqual(specs.map((s) => s.type));
        expect(list.boxes.map((b) => b.size)).toEqual(specs.map((s) => s.body.length + (s.large ? 16 : 8)));
        expect(list.boxes.map((b) => b.headerSize)).toEqual(specs.map((s) => (s.large ? 16 : 8)));
      }),
    );
  });

  it('property: a list cut short reports the box that runs past its container', () => {
    fc.assert(
      fc.property(fc.array(boxArb, { minLength: 1, maxLength: 10 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (specs, f) => {
        const data = concat(specs.map((s) => box(s.type, s.body, s.large)));
        const cut = Math.floor(data.length * f);
        const boundaries = new Set<number>([0]);
        specs.reduce((at, s) => (boundaries.add(at + s.body.length + (s.large ? 16 : 8)), at + s.body.length + (s.large ? 16 : 8)), 0);
        fc.pre(!boundaries.has(cut));
        const list = childBoxes(new BufferReader(data), 0, cut, new BoxBudget());
        expect(list.problem).toBeDefined();
        for (const b of list.boxes) expect(b.end).toBeLessThanOrEqual(cut);
      }),
    );
  });

  it('property: random bytes never make a box that ends before it starts or past the limit it claims to fit', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 300 }), (data) => {
        const list = childBoxes(new BufferReader(data), 0, data.length, new BoxBudget(50));
        let at = 0;
        for (const b of list.boxes) {
          expect(b.start).toBe(at);
          expect(b.size).toBeGreaterThanOrEqual(b.headerSize);
          expect(b.end).toBeLessThanOrEqual(data.length);
          at = b.end;
        }
      }),
    );
  });

  it('size 0 runs to the limit; size 1..7 and unprintable types are not boxes; uuid carries its usertype', () => {
    const zero = concat([Uint8Array.from([0, 0, 0, 0]), Buffer.from('mdat'), new Uint8Array(100)]);
    const b = readBoxHeader(new BufferReader(zero), 0, zero.length)!;
    expect(b.toEnd).toBe(true);
    expect(b.end).toBe(zero.length);
    for (let s = 1; s < 8; s++) {
      if (s === 1) continue; // 1 means largesize: tested below
      const bad = concat([Uint8Array.from([0, 0, 0, s]), Buffer.from('free'), new Uint8Array(16)]);
      expect(readBoxHeader(new BufferReader(bad), 0, bad.length)).toBeNull();
    }
    const tinyLarge = concat([Uint8Array.from([0, 0, 0, 1]), Buffer.from('mdat'), Uint8Array.from([0, 0, 0, 0, 0, 0, 0, 9])]);
    expect(readBoxHeader(new BufferReader(tinyLarge), 0, 64)).toBeNull();
    const ctrl = concat([Uint8Array.from([0, 0, 0, 8]), Uint8Array.from([1, 2, 3, 4])]);
    expect(readBoxHeader(new BufferReader(ctrl), 0, 8)).toBeNull();
    const usertype = Buffer.from('00112233445566778899aabbccddeeff', 'hex');
    const u = box('uuid', concat([usertype, new Uint8Array(4)]));
    const ub = readBoxHeader(new BufferReader(u), 0, u.length)!;
    expect(ub.usertype).toBe('00112233445566778899aabbccddeeff');
    expect(ub.headerSize).toBe(24);
  });

  it('a budget bounds the boxes read, and says so', () => {
    const data = concat(Array.from({ length: 1000 }, () => box('free', new Uint8Array(0))));
    const list = childBoxes(new BufferReader(data), 0, data.length, new BoxBudget(100));
    expect(list.boxes.length).toBe(100);
    expect(list.problem).toMatch(/budget/);
  });

  it('full box version and flags', () => {
    const b = box('meta', Uint8Array.from([1, 0, 0, 5, 9, 9]));
    const r = new BufferReader(b);
    expect(fullBoxHeader(r, readBoxHeader(r, 0, b.length)!)).toEqual({ version: 1, flags: 5 });
  });
});

describe('checkNalUnits', () => {
  /** Length-prefixed NAL units with the given HEVC types and payload sizes. */
  function hevcSample(units: { type: number; size: number }[], lengthSize = 4): Uint8Array {
    const parts: Uint8Array[] = [];
    for (const u of units) {
      const nal = new Uint8Array(2 + u.size).fill(0x5a);
      nal[0] = u.type << 1;
      nal[1] = 1; // temporal id plus 1
      const len = new Uint8Array(lengthSize);
      for (let i = 0; i < lengthSize; i++) len[lengthSize - 1 - i] = (nal.length >> (8 * i)) & 0xff;
      parts.push(len, nal);
    }
    return concat(parts);
  }
  const validType = fc.constantFrom(1, 19, 20, 32, 33, 34, 39, 62);

  it('property: valid NAL sequences pass, split across any extents', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: validType, size: fc.nat({ max: 300 }) }), { minLength: 1, maxLength: 12 }), fc.constantFrom(1, 2, 4), fc.nat(), (units, ls, splitAt) => {
        fc.pre(ls === 4 || units.every((u) => u.size + 2 < 1 << (8 * ls)));
        const s = hevcSample(units, ls);
        const at = 1000;
        const img = new Uint8Array(at + s.length + 10);
        img.set(s, at);
        const k = splitAt % (s.length + 1);
        const extents = [{ offset: at, length: k }, { offset: at + k, length: s.length - k }].filter((e) => e.length > 0);
        const res = checkNalUnits(new BufferReader(img), extents, ls, 'hevc');
        expect(res.ok, res.problem).toBe(true);
        expect(res.nals).toBe(units.length);
        expect(res.vcl).toBe(units.filter((u) => u.type < 32).length);
      }),
    );
  });

  it('property: a wrong length anywhere is caught (the chain breaks or loses units)', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ type: validType, size: fc.nat({ max: 300 }) }), { minLength: 1, maxLength: 8 }), fc.nat(), fc.integer({ min: 1, max: 1000 }), (units, which, delta) => {
        const s = hevcSample(units);
        // Find the chosen unit's length field and make it longer: the chain can no longer end at the sample end.
        let at = 0;
        const idx = which % units.length;
        for (let i = 0; i < idx; i++) at += 4 + 2 + units[i]!.size;
        const dv = new DataView(s.buffer);
        dv.setUint32(at, dv.getUint32(at) + delta);
        const res = checkNalUnits(new BufferReader(s), [{ offset: 0, length: s.length }], 4, 'hevc');
        // Either the chain breaks, or (when the longer unit swallows exactly the units after it) it no longer finds them all.
        expect(res.ok && res.nals === units.length).toBe(false);
      }),
    );
  });

  it('rejects forbidden bits, reserved types and temporal id 0', () => {
    const base = hevcSample([{ type: 1, size: 10 }]);
    const forbidden = Uint8Array.from(base);
    forbidden[4] |= 0x80;
    const reserved = hevcSample([{ type: 45, size: 10 }]);
    const tid0 = Uint8Array.from(base);
    tid0[5] = 0;
    for (const s of [forbidden, reserved, tid0]) expect(checkNalUnits(new BufferReader(s), [{ offset: 0, length: s.length }], 4, 'hevc').ok).toBe(false);
    expect(checkNalUnits(new BufferReader(base), [{ offset: 0, length: base.length }], 4, 'hevc').ok).toBe(true);
    const avc = Uint8Array.from([0, 0, 0, 3, 0x65, 1, 2]);
    expect(checkNalUnits(new BufferReader(avc), [{ offset: 0, length: avc.length }], 4, 'avc')).toMatchObject({ ok: true, vcl: 1 });
    const avcBad = Uint8Array.from([0, 0, 0, 3, 0x00, 1, 2]);
    expect(checkNalUnits(new BufferReader(avcBad), [{ offset: 0, length: avcBad.length }], 4, 'avc').ok).toBe(false);
  });
});

describe('NAL payloads: start-code emulation (a zeroed sector inside a picture)', () => {
  /** What an encoder writes: 03 after every 00 00 that a byte 00..03 would follow. */
  function emulationPrevented(rbsp: Uint8Array): Uint8Array {
    const out: number[] = [];
    let zeros = 0;
    for (const b of rbsp) {
      if (zeros >= 2 && b <= 3) {
        out.push(3);
        zeros = 0;
      }
      out.push(b);
      zeros = b === 0 ? zeros + 1 : 0;
    }
    if (out[out.length - 1] === 0) out.push(3); // a NAL unit never ends in 00 (H.264 7.4.1)
    return Uint8Array.from(out);
  }
  /** A 4-byte-length HEVC slice NAL unit (type 1) with this payload. */
  function slice(payload: Uint8Array): Uint8Array {
    const nal = concat([Uint8Array.from([2, 1]), payload]);
    const len = new Uint8Array(4);
    new DataView(len.buffer).setUint32(0, nal.length);
    return concat([len, nal]);
  }
  // Bytes rich in zeros, so emulation prevention has work to do.
  const zeroish = fc.uint8Array({ minLength: 1, maxLength: 3000 }).map((a) => a.map((b) => (b < 96 ? 0 : b < 104 ? b - 96 : b)));

  it('property: encoder output (emulation prevented) passes, in one extent or split anywhere', () => {
    fc.assert(
      fc.property(zeroish, fc.nat(), (rbsp, cut) => {
        const s = slice(emulationPrevented(rbsp));
        expect(findStartCodeEmulation(s.subarray(6), true)).toBe(-1);
        const k = cut % (s.length + 1);
        const extents = [{ offset: 0, length: k }, { offset: k, length: s.length - k }].filter((e) => e.length > 0);
        const res = checkNalUnits(new BufferReader(s), extents, 4, 'hevc', { payload: true });
        expect(res.ok, res.problem).toBe(true);
      }),
    );
  });

  it('property: three zero bytes (or more) anywhere inside the payload, followed by data, are caught where they start', () => {
    fc.assert(
      fc.property(zeroish, fc.nat(), fc.integer({ min: 3, max: 700 }), (rbsp, where, run) => {
        const payload = emulationPrevented(rbsp);
        const at = where % payload.length;
        const bad = concat([payload.subarray(0, at), new Uint8Array(run), Uint8Array.from([0x80]), payload.subarray(at)]);
        const found = findStartCodeEmulation(bad, true);
        expect(found).toBeGreaterThanOrEqual(0);
        expect(found).toBeLessThanOrEqual(at);
        const s = slice(bad);
        const res = checkNalUnits(new BufferReader(s), [{ offset: 0, length: s.length }], 4, 'hevc', { payload: true });
        expect(res.ok).toBe(false);
        expect(res.badAt).toBeLessThanOrEqual(6 + at);
        // Without the payload check the lengths and headers alone pass it.
        expect(checkNalUnits(new BufferReader(s), [{ offset: 0, length: s.length }], 4, 'hevc').ok).toBe(true);
      }),
    );
  });

  it('a short zero run ending the unit passes (trailing_zero_8bits), a longer one is a zeroed tail', () => {
    const payload = emulationPrevented(Uint8Array.from({ length: 400 }, (_, i) => (i * 37 + 11) & 0xff));
    for (const run of [1, 2, 3, MAX_TRAILING_ZEROS]) expect(findStartCodeEmulation(concat([payload, new Uint8Array(run)]), true)).toBe(-1);
    expect(findStartCodeEmulation(concat([payload, new Uint8Array(MAX_TRAILING_ZEROS + 1)]), true)).toBe(payload.length);
    expect(findStartCodeEmulation(concat([payload, new Uint8Array(3)]), false)).toBe(payload.length);
  });

  it('finds a zero run that straddles the 1 MiB read chunks', () => {
    const size = 3 * 1024 * 1024;
    const payload = new Uint8Array(size).fill(0x5a);
    for (const at of [1024 * 1024 - 6 - 1, 1024 * 1024 - 6, 2 * 1024 * 1024 - 6 - 2]) {
      const p = Uint8Array.from(payload);
      p.fill(0, at, at + 3);
      const s = slice(p);
      const res = checkNalUnits(new BufferReader(s), [{ offset: 0, length: s.length }], 4, 'hevc', { payload: true });
      expect(res.ok).toBe(false);
      expect(res.badAt).toBe(6 + at);
    }
  });
});
