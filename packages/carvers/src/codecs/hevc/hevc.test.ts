import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { Cabac } from './cabac.js';
import { NUM_CONTEXTS } from './contexts.js';
import { nalOffset, rbspOffset, unescapeRbsp } from './bitstream.js';
import { parseHvcC, parseIntraItem, parseIntraSlice, type ParameterSets } from './index.js';
import { HEIC_DIR, generateHeics, hasHeifEnc, hvcItems, mediaFiles, type HvcItem } from './test-helpers.js';

/** Parses an item; a missing or unparsable hvcC gives that verdict. */
function parseItem(item: HvcItem): ReturnType<typeof parseIntraItem> {
  if (item.params.ok !== true) return item.params;
  return parseIntraItem(item.params.params, item.data);
}

if (mediaFiles.length === 0) console.warn(`hevc: ${HEIC_DIR} is absent: the real-file oracle and garbage tests are skipped`);

describe.skipIf(mediaFiles.length === 0)('real HEIC/HEIF files: every hvc1 item is a valid, exactly terminated intra picture', () => {
  it.each(mediaFiles)('%s', (name) => {
    const items = hvcItems(name, readFileSync(join(HEIC_DIR, name)));
    expect(items.length).toBeGreaterThan(0);
    const bad = items.map((it) => ({ id: it.itemId, r: parseItem(it) })).filter((x) => x.r.ok !== true);
    expect(bad.map((b) => `item ${b.id}: ${b.r.ok === false ? `invalid at CTU ${b.r.ctu}, byte ${b.r.bytePos}: ` : 'unsupported: '}${b.r.reason}`)).toEqual([]);
  }, 60_000);
});

/** Items whose first (and only) NAL unit spans the whole item, a few per file, for corruption tests. */
function sampleItems(): HvcItem[] {
  return mediaFiles.flatMap((name) => hvcItems(name, readFileSync(join(HEIC_DIR, name)))
    .filter((it) => it.params.ok === true && it.data.length > 4 * 512)
    .slice(0, 12));
}

describe.skipIf(mediaFiles.length === 0)('foreign bytes in the slice data are detected', () => {
  const items = mediaFiles.length === 0 ? [] : sampleItems();
  /** Replaces k sectors (512-byte aligned in the file) inside the item's first NAL unit's slice data. */
  const corrupt = (item: HvcItem, k: number, pick: number, fill: (out: Uint8Array) => void): { data: Uint8Array; at: number } | null => {
    const first = Math.ceil((item.offset + 64) / 512) * 512;
    const last = item.offset + item.data.length - k * 512;
    if (last < first) return null;
    const ws = first + 512 * (pick % (Math.floor((last - first) / 512) + 1));
    const data = Uint8Array.from(item.data);
    fill(data.subarray(ws - item.offset, ws - item.offset + k * 512));
    return { data, at: ws - item.offset };
  };

  it('property: k random sectors (k = 1..8) make the item invalid, found at or after the garbage', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 8 }), fc.nat(), fc.uint8Array({ minLength: 512, maxLength: 512 }), (i, k, pick, noise) => {
        const item = items[i % items.length]!;
        const c = corrupt(item, k, pick, (w) => {
          for (let j = 0; j < w.length; j++) w[j] = noise[j % 512]! ^ ((j >> 9) * 37);
        });
        fc.pre(c !== null);
        const r = parseIntraItem((item.params as { params: ParameterSets }).params, c!.data);
        expect(r.ok).toBe(false);
        if (r.ok === false) expect(r.bytePos).toBeGreaterThanOrEqual(c!.at);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("property: k sectors of another file's tile (interleaved photos) make the item invalid", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 8 }), fc.nat(), fc.nat(), (i, j, k, pick, from) => {
        const item = items[i % items.length]!;
        const donor = items[j % items.length]!;
        fc.pre(donor.file !== item.file && donor.data.length > k * 512 + 1024);
        const c = corrupt(item, k, pick, (w) => {
          const at = 512 + (from % (donor.data.length - k * 512 - 512));
          w.set(donor.data.subarray(at, at + w.length));
        });
        fc.pre(c !== null);
        const r = parseIntraItem((item.params as { params: ParameterSets }).params, c!.data);
        expect(r.ok).toBe(false);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a cut item (its last sector missing) and an item with one sector more are invalid', () => {
    for (const item of items.slice(0, 40)) {
      const p = (item.params as { params: ParameterSets }).params;
      const cut = item.data.subarray(0, item.data.length - 512);
      const len = item.data.length - 512 - p.lengthSize;
      const relabeled = Uint8Array.from(cut);
      new DataView(relabeled.buffer).setUint32(0, len);
      if (p.lengthSize === 4 && item.data.length === new DataView(item.data.buffer, item.data.byteOffset).getUint32(0) + 4) {
        expect(parseIntraItem(p, relabeled).ok).toBe(false);
        const longer = new Uint8Array(item.data.length + 512);
        longer.set(item.data);
        longer.fill(0x5a, item.data.length);
        new DataView(longer.buffer).setUint32(0, item.data.length + 512 - 4);
        expect(parseIntraItem(p, longer).ok).toBe(false);
      }
    }
  });
});

describe.skipIf(!hasHeifEnc)('HEIC files from heif-enc (x265)', () => {
  const files = hasHeifEnc ? generateHeics() : [];
  it.each(files.map((f) => [f.name, f] as const))('%s parses to the end', (_, f) => {
    const items = hvcItems(f.name, f.bytes);
    expect(items.length).toBeGreaterThan(0);
    for (const it of items) {
      const r = parseItem(it);
      expect(r.ok, r.ok === true ? '' : r.reason).toBe(true);
    }
  });
});

describe('hostile input', () => {
  it('random hvcC bytes never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => {
      const r = parseHvcC(b);
      expect([true, false, null]).toContain(r.ok);
    }), { numRuns: 2000, seed: 1 });
  });

  it('random slice data under real parameter sets never throws and stays bounded', () => {
    if (mediaFiles.length === 0) return;
    const item = hvcItems(mediaFiles[0]!, readFileSync(join(HEIC_DIR, mediaFiles[0]!)))[0]!;
    const params = (item.params as { params: ParameterSets }).params;
    const header = item.data.subarray(4, 16);
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 3000 }), (body) => {
      const nal = new Uint8Array(header.length + body.length);
      nal.set(header);
      nal.set(body, header.length);
      const t0 = performance.now();
      const r = parseIntraSlice(params, nal);
      expect(r.ok).not.toBe(true);
      expect(performance.now() - t0).toBeLessThan(2000);
    }), { numRuns: 300, seed: 3 });
  });

  it('random NAL units never throw', () => {
    fc.assert(fc.property(fc.uint8Array({ minLength: 0, maxLength: 600 }), (b) => {
      const params: ParameterSets = { sps: new Map(), pps: new Map(), lengthSize: 4 };
      expect([false, null]).toContain(parseIntraSlice(params, b).ok);
      expect([false, null]).toContain(parseIntraItem(params, b).ok);
    }), { numRuns: 1000, seed: 5 });
  });
});

/** The arithmetic decoder exactly as §9.3.4.3 writes it: 9-bit ivlOffset, one read_bits(1) per renormalisation. */
class SpecEngine {
  range = 510;
  offset = 0;
  bit = 0;
  readonly pState = new Uint8Array(NUM_CONTEXTS);
  readonly mps = new Uint8Array(NUM_CONTEXTS);
  constructor(private readonly data: Uint8Array) {
    for (let i = 0; i < 9; i++) this.offset = (this.offset << 1) | this.read();
  }
  read(): number {
    const b = this.bit++;
    return b >> 3 < this.data.length ? (this.data[b >> 3]! >> (7 - (b & 7))) & 1 : 0;
  }
  decision(ci: number, lpsTable: (p: number, q: number) => number, transLps: (p: number) => number): number {
    const lps = lpsTable(this.pState[ci]!, (this.range >> 6) & 3);
    this.range -= lps;
    let bin: number;
    if (this.offset >= this.range) {
      bin = 1 - this.mps[ci]!;
      this.offset -= this.range;
      this.range = lps;
      if (this.pState[ci] === 0) this.mps[ci] = 1 - this.mps[ci]!;
      this.pState[ci] = transLps(this.pState[ci]!);
    } else {
      bin = this.mps[ci]!;
      this.pState[ci] = Math.min(this.pState[ci]! + 1, 62);
    }
    while (this.range < 256) {
      this.range <<= 1;
      this.offset = (this.offset << 1) | this.read();
    }
    return bin;
  }
  bypass(): number {
    this.offset = (this.offset << 1) | this.read();
    if (this.offset >= this.range) {
      this.offset -= this.range;
      return 1;
    }
    return 0;
  }
  terminate(): number {
    this.range -= 2;
    if (this.offset >= this.range) return 1;
    while (this.range < 256) {
      this.range <<= 1;
      this.offset = (this.offset << 1) | this.read();
    }
    return 0;
  }
}

describe('CABAC engine', () => {
  it('hand-checked: DecodeDecision from state 0 on 0xFE 0xFF takes the LPS path, then the MPS path', () => {
    const c = new Cabac();
    c.start(Uint8Array.of(0xfe, 0xff, 0xff), 0, 3);
    expect(c.consumedBits()).toBe(9); // ivlOffset = read_bits(9) = 509
    c.ctx[0] = 0; // pStateIdx 0, valMps 0
    // qRangeIdx 3 → ivlLpsRange 240; ivlCurrRange 270 ≤ 509: LPS, bin 1, valMps flips, one renormalisation shift.
    expect(c.decision(0)).toBe(1);
    expect(c.ctx[0]).toBe(1);
    expect(c.consumedBits()).toBe(10);
    // ivlOffset (509 − 270) * 2 + 1 = 479, range 480: LPS 240 leaves 240 ≤ 479 → LPS, bin 0 (1 − valMps), valMps back to 0.
    expect(c.decision(0)).toBe(0);
    expect(c.ctx[0]).toBe(0);
    expect(c.consumedBits()).toBe(11);
  });

  it('rejects ivlOffset 510 or 511 at initialisation (§9.3.2.5)', () => {
    expect(() => new Cabac().start(Uint8Array.of(0xff, 0x00), 0, 2)).toThrow(/510 or 511/);
  });

  it('hand-checked: bypass and terminate', () => {
    const c = new Cabac();
    c.start(Uint8Array.of(0x80, 0x00), 0, 2);
    expect(c.bypass()).toBe(1); // ivlOffset 256 → 512 ≥ 510
    const t = new Cabac();
    t.start(Uint8Array.of(0xfe, 0xff), 0, 2);
    expect(t.terminate()).toBe(1); // 509 ≥ 508
    expect(t.consumedBits()).toBe(9);
    t.start(Uint8Array.of(0x00, 0x00), 0, 2);
    expect(t.terminate()).toBe(0);
  });

  it('property: same bins and bit position as the spec engine on random data', () => {
    const LPS = (p: number, q: number): number => LPS_TABLE[p * 4 + q]!;
    fc.assert(fc.property(fc.uint8Array({ minLength: 4, maxLength: 64 }), fc.array(fc.integer({ min: 0, max: 40 }), { maxLength: 300 }), (data, ops) => {
      fc.pre(((data[0]! << 1) | (data[1]! >> 7)) < 510); // a conforming stream never starts with ivlOffset 510 or 511
      const c = new Cabac();
      c.start(data, 0, data.length);
      const s = new SpecEngine(data);
      for (let i = 0; i < NUM_CONTEXTS; i++) {
        const st = (i * 37) % 126;
        c.ctx[i] = st;
        s.pState[i] = st >> 1;
        s.mps[i] = st & 1;
      }
      for (const op of ops) {
        if (s.bit > data.length * 8) break;
        const a = op < 30 ? c.decision(op) : op < 39 ? c.bypass() : c.terminate();
        const b = op < 30 ? s.decision(op, LPS, (p) => TRANS_LPS[p]!) : op < 39 ? s.bypass() : s.terminate();
        expect(a).toBe(b);
        expect(c.consumedBits()).toBe(s.bit);
        if (op >= 39 && a === 1) break;
      }
    }), { numRuns: 500, seed: 9 });
  });
});

/** Table 9-46 and 9-47, typed in again from the spec for the reference engine. */
const LPS_TABLE = [
  128, 176, 208, 240, 128, 167, 197, 227, 128, 158, 187, 216, 123, 150, 178, 205, 116, 142, 169, 195, 111, 135, 160, 185, 105, 128, 152, 175, 100, 122, 144, 166,
  95, 116, 137, 158, 90, 110, 130, 150, 85, 104, 123, 142, 81, 99, 117, 135, 77, 94, 111, 128, 73, 89, 105, 122, 69, 85, 100, 116, 66, 80, 95, 110,
  62, 76, 90, 104, 59, 72, 86, 99, 56, 69, 81, 94, 53, 65, 77, 89, 51, 62, 73, 85, 48, 59, 69, 80, 46, 56, 66, 76, 43, 53, 63, 72,
  41, 50, 59, 69, 39, 48, 56, 65, 37, 45, 54, 62, 35, 43, 51, 59, 33, 41, 48, 56, 32, 39, 46, 53, 30, 37, 43, 50, 29, 35, 41, 48,
  27, 33, 39, 45, 26, 31, 37, 43, 24, 30, 35, 41, 23, 28, 33, 39, 22, 27, 32, 37, 21, 26, 30, 35, 20, 24, 29, 33, 19, 23, 27, 31,
  18, 22, 26, 30, 17, 21, 25, 28, 16, 20, 23, 27, 15, 19, 22, 25, 14, 18, 21, 24, 14, 17, 20, 23, 13, 16, 19, 22, 12, 15, 18, 21,
  12, 14, 17, 20, 11, 14, 16, 19, 11, 13, 15, 18, 10, 12, 15, 17, 10, 12, 14, 16, 9, 11, 13, 15, 9, 11, 12, 14, 8, 10, 12, 14,
  8, 9, 11, 13, 7, 9, 11, 12, 7, 9, 10, 12, 7, 8, 10, 11, 6, 8, 9, 11, 6, 7, 9, 10, 6, 7, 8, 9, 2, 2, 2, 2,
];
const TRANS_LPS = [
  0, 0, 1, 2, 2, 4, 4, 5, 6, 7, 8, 9, 9, 11, 11, 12, 13, 13, 15, 15, 16, 16, 18, 18, 19, 19, 21, 21, 22, 22, 23, 24,
  24, 25, 26, 26, 27, 27, 28, 29, 29, 30, 30, 30, 31, 32, 32, 33, 33, 33, 34, 34, 35, 35, 35, 36, 36, 36, 37, 37, 37, 38, 38, 63,
];

describe('RBSP', () => {
  it('removes emulation prevention bytes and maps offsets both ways', () => {
    const nal = Uint8Array.of(0x26, 0x01, 0x00, 0x00, 0x03, 0x01, 0x00, 0x00, 0x03, 0x00, 0x00, 0x03);
    const r = unescapeRbsp(nal);
    expect([...r.bytes]).toEqual([0x26, 0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x00]);
    expect(nalOffset(r, 4)).toBe(5);
    expect(nalOffset(r, 7)).toBe(9);
    expect(rbspOffset(r, 5)).toBe(4);
    expect(rbspOffset(r, 9)).toBe(7);
  });
});
