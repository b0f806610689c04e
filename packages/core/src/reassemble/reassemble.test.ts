import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { contiguous, resultLength, type Carver, type CarveResult } from '../carver.js';
import { u32be, type Reader } from '../reader/reader.js';
import { BufferReader } from '../reader/source-reader.js';
import type { Candidate } from '../scan/carve-page.js';
import { clusterCeil, clusterFloor, inferBlockGrid } from './block-size.js';
import { FragmentReader } from './fragment-reader.js';
import { scanBuffer } from '../testing/memory-scan.js';
import { DEFAULT_BUDGET, reassembleAll } from './index.js';

const B = 512;

/**
 * A toy format whose every block says whose it is and where it belongs:
 * header "STMP" + id + block count, then blocks "stmp" + id + index + payload.
 * Its validator stops at the first block that is not the next one.
 */
const stampCarver: Carver = {
  name: 'stmp',
  version: '1.0.0',
  description: 'test format: numbered blocks',
  extensions: ['stmp'],
  signatures: [{ bytes: [0x53, 0x54, 0x4d, 0x50] }],
  maxFileSize: 1 << 24,
  checksEveryByte: true,
  carve(reader: Reader, offset: number): CarveResult | null {
    const h = reader.bytes(offset, 12);
    if (h.length < 12 || String.fromCharCode(...h.subarray(0, 4)) !== 'STMP') return null;
    const id = u32be(h, 4);
    const n = u32be(h, 8);
    for (let i = 1; i <= n; i++) {
      const b = reader.bytes(offset + i * B, 12);
      if (b.length < 12 || String.fromCharCode(...b.subarray(0, 4)) !== 'stmp' || u32be(b, 4) !== id || u32be(b, 8) !== i) {
        return { status: 'truncated', byteRuns: contiguous(offset, i * B), notes: [], dataStart: B };
      }
    }
    return { status: 'complete', byteRuns: contiguous(offset, (n + 1) * B), notes: [], dataStart: B };
  },
  couldContinue(block: Uint8Array): boolean {
    return String.fromCharCode(...block.subarray(0, 4)) === 'stmp';
  },
};

function stampFile(id: number, blocks: number, seed: number): Uint8Array {
  const f = new Uint8Array((blocks + 1) * B);
  const dv = new DataView(f.buffer);
  f.set([0x53, 0x54, 0x4d, 0x50], 0);
  dv.setUint32(4, id);
  dv.setUint32(8, blocks);
  let x = seed | 1;
  for (let i = 1; i <= blocks; i++) {
    f.set([0x73, 0x74, 0x6d, 0x70], i * B);
    dv.setUint32(i * B + 4, id);
    dv.setUint32(i * B + 8, i);
    for (let k = 12; k < B; k++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      f[i * B + k] = x & 0xff;
    }
  }
  return f;
}

const ctxs = new Map([['stmp', { maxFileSize: 1 << 24, align: B }]]);

describe('block grid inference', () => {
  it('property: headers on a cluster grid give that grid back', () => {
    fc.assert(
      fc.property(fc.constantFrom(1024, 2048, 4096, 8192, 32768), fc.nat(), fc.array(fc.nat({ max: 5000 }), { minLength: 6, maxLength: 40 }), (size, b, slots) => {
        const base = (b % (size / B)) * B;
        const grid = inferBlockGrid([...new Set(slots)].map((s) => base + s * size));
        // Slots that happen to share a larger power of two may make the grid coarser, never finer or off-phase.
        expect(grid.size).toBeGreaterThanOrEqual(size);
        expect(grid.base % size).toBe(base);
      }),
    );
  });

  it('too few headers fall back to sectors; cluster rounding is on the grid', () => {
    expect(inferBlockGrid([4096, 8192])).toEqual({ size: 512, base: 0 });
    const g = { size: 4096, base: 1536 };
    expect(clusterCeil(g, 1536)).toBe(1536);
    expect(clusterCeil(g, 1537)).toBe(5632);
    expect(clusterFloor(g, 5631)).toBe(1536);
  });
});

describe('FragmentReader', () => {
  it('property: reads an assembly exactly as the concatenation of its pieces', () => {
    const img = Uint8Array.from({ length: 20000 }, (_, i) => (i * 31 + (i >> 8)) & 0xff);
    fc.assert(
      fc.property(
        fc.array(fc.record({ img: fc.nat({ max: 19000 }), length: fc.integer({ min: 1, max: 3000 }) }), { minLength: 1, maxLength: 5 }),
        fc.nat(),
        fc.integer({ min: 1, max: 5000 }),
        (pieces, at, len) => {
          const fr = new FragmentReader(new BufferReader(img), pieces);
          const parts = pieces.map((p, i) => img.subarray(p.img, i === pieces.length - 1 ? img.length : Math.min(img.length, p.img + p.length)));
          const whole = Uint8Array.from(Buffer.concat(parts));
          expect(fr.size).toBe(whole.length);
          const off = at % (whole.length + 1);
          expect(Buffer.compare(fr.bytes(off, len), whole.subarray(off, off + len))).toBe(0);
          const ch = fr.chunk(off, len);
          expect(Buffer.compare(ch, whole.subarray(off, off + ch.length))).toBe(0);
          const runs = fr.runs(whole.length);
          expect(runs.reduce((n, r) => n + r.length, 0)).toBe(whole.length);
        },
      ),
    );
  });
});

describe('reassembleAll', () => {
  /** Lays out files cut into pieces, in a shuffled order, with filler between, on a 512-byte grid. */
  const layoutArb = fc.record({
    files: fc.array(fc.record({ blocks: fc.integer({ min: 3, max: 40 }), cuts: fc.array(fc.nat(), { maxLength: 2 }) }), { minLength: 1, maxLength: 5 }),
    order: fc.array(fc.nat(), { maxLength: 20 }),
    gaps: fc.array(fc.record({ blocks: fc.nat({ max: 6 }), random: fc.boolean() }), { minLength: 20, maxLength: 20 }),
    adjacent: fc.boolean(),
    seed: fc.integer({ min: 1, max: 1 << 30 }),
  });

  it('property: every fragmented file comes back byte-exact when its seams show (a gap), and is never joined wrongly', () => {
    fc.assert(
      fc.property(layoutArb, ({ files, order, gaps, seed, adjacent }) => {
        const bodies = files.map((f, i) => stampFile(i + 1, f.blocks, seed + i));
        // Pieces: cut points are block boundaries after the header block.
        const pieces: { file: number; from: number; to: number }[] = [];
        files.forEach((f, i) => {
          const total = f.blocks + 1;
          const cuts = [...new Set(f.cuts.map((c) => 1 + (c % (total - 1))))].sort((a, b) => a - b);
          const bounds = [0, ...cuts, total];
          for (let k = 0; k + 1 < bounds.length; k++) pieces.push({ file: i, from: bounds[k]! * B, to: bounds[k + 1]! * B });
        });
        // Shuffle deterministically by `order`.
        for (let k = pieces.length - 1; k > 0; k--) {
          const j = (order[k] ?? k) % (k + 1);
          [pieces[k], pieces[j]] = [pieces[j]!, pieces[k]!];
        }
        const parts: Uint8Array[] = [];
        const where = new Map<string, number>();
        let at = 0;
        let x = seed;
        pieces.forEach((p, k) => {
          const g = gaps[k % gaps.length]!;
          // Without `adjacent`, at least one block of filler separates pieces: every seam has evidence.
          const filler = new Uint8Array((g.blocks + (k === 0 || !adjacent ? 1 : 0)) * B);
          if (g.random) for (let i = 0; i < filler.length; i++) filler[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
          parts.push(filler);
          at += filler.length;
          where.set(`${p.file}:${p.from}`, at);
          parts.push(bodies[p.file]!.subarray(p.from, p.to));
          at += p.to - p.from;
        });
        parts.push(new Uint8Array(B));
        const img = Uint8Array.from(Buffer.concat(parts));
        const reader = new BufferReader(img);
        // First pass: every header, carved where it lies.
        const kept: Candidate[] = [];
        files.forEach((_, i) => {
          const off = where.get(`${i}:0`)!;
          const r = stampCarver.carve(reader, off, { maxFileSize: 1 << 24, align: B })!;
          kept.push({ ...r, carver: 'stmp', offset: off });
        });
        // Fragments here are a few blocks: the production floor for middle fragments (16 KiB) is lowered to one block.
        const { rebuilt } = reassembleAll(reader, kept, [stampCarver], ctxs, { blockSize: B, budget: { ...DEFAULT_BUDGET, minMiddleFragment: B } });
        files.forEach((_, i) => {
          const c = kept[i]!;
          const result = c.status === 'complete' ? c : rebuilt.get(c.offset);
          // Pieces written back to back may leave a seam without evidence: then missing is allowed, wrong never.
          if (adjacent && result === undefined) return;
          expect(result, `file ${i + 1}`).toBeDefined();
          const bytes = Buffer.concat(result!.byteRuns.map((r) => img.subarray(r.imgOffset, r.imgOffset + r.length)));
          expect(Buffer.compare(bytes, bodies[i]!), `file ${i + 1}`).toBe(0);
        });
      }),
      { numRuns: 400 },
    );
  });

  it('ends a file that cannot be rebuilt before the filler after its break', () => {
    const f = stampFile(9, 10, 5);
    const img = new Uint8Array(64 * B);
    img.set(f.subarray(0, 4 * B), 8 * B); // header + 3 blocks survive, then zeros
    const reader = new BufferReader(img);
    // A cautious carver: it claims 8 blocks but verified only the header.
    const c: Candidate = { carver: 'stmp', offset: 8 * B, status: 'truncated', byteRuns: [{ imgOffset: 8 * B, fileOffset: 0, length: 8 * B }], verifiedLength: B, notes: [] };
    const { rebuilt, stats } = reassembleAll(reader, [c], [stampCarver], ctxs, { blockSize: B });
    expect(stats.rebuilt).toBe(0);
    expect(stats.trimmed).toBe(1);
    const r = rebuilt.get(8 * B)!;
    expect(r.status).toBe('truncated');
    expect(r.byteRuns).toEqual([{ imgOffset: 8 * B, fileOffset: 0, length: 4 * B }]);
    expect(r.notes.join(' ')).toMatch(/cut to 2048 bytes/);
  });

  it('leaves a file whose continuation is missing incomplete, and says what it tried', () => {
    const f = stampFile(7, 10, 3);
    const img = new Uint8Array(64 * B);
    img.set(f.subarray(0, 4 * B), 8 * B); // only the first 4 blocks survive
    const reader = new BufferReader(img);
    const r = stampCarver.carve(reader, 8 * B, { maxFileSize: 1 << 24, align: B })!;
    expect(r.status).toBe('truncated');
    const { rebuilt, notes, stats } = reassembleAll(reader, [{ ...r, carver: 'stmp', offset: 8 * B }], [stampCarver], ctxs, { blockSize: B });
    expect(rebuilt.size).toBe(0);
    expect(stats.attempted).toBe(1);
    expect(notes.get(8 * B)).toMatch(/reassembly/);
  });
});

describe('files cut by the size limit', () => {
  /** The stamp format, honouring ctx.maxFileSize as a carver must: a longer file is returned truncated at the limit (whole sectors). */
  const limitedStamp: Carver = {
    ...stampCarver,
    carve(reader, offset, ctx) {
      const r = stampCarver.carve(reader, offset, ctx);
      if (r === null || resultLength(r) <= ctx.maxFileSize) return r;
      const cut = ctx.maxFileSize - (ctx.maxFileSize % B);
      return { ...r, status: 'truncated', byteRuns: contiguous(offset, cut), verifiedLength: cut, notes: [`cut at ${cut} bytes (the size limit)`] };
    },
  };
  const LIMIT = 16 * B;

  /** A 40-block file at 8 sectors (longer than the limit), and an 8-block file at 100 split by 4 sectors of zeros after its header and 3 blocks. */
  function image(): Uint8Array {
    const img = new Uint8Array(200 * B);
    img.set(stampFile(1, 40, 11), 8 * B);
    const split = stampFile(2, 8, 13);
    img.set(split.subarray(0, 4 * B), 100 * B);
    img.set(split.subarray(4 * B), 108 * B);
    return img;
  }

  it('a file cut by the limit gets no search (no trials), stays truncated at the limit and says why; a fragmented file beside it is still rebuilt', () => {
    const { files, reassembly } = scanBuffer(image(), [limitedStamp], { blockSize: B, maxFileSize: { stmp: LIMIT } });
    const [cut, split] = files;
    expect(cut!.cutAtLimit).toBe(LIMIT);
    expect(cut!.status).toBe('truncated');
    expect(cut!.byteRuns).toEqual([{ imgOffset: 8 * B, fileOffset: 0, length: LIMIT }]);
    expect(cut!.notes.join(' ')).toMatch(/not searched for fragments: cut at the size limit of 8192 bytes/);
    // The split file is the only one searched, and it is rebuilt.
    expect(split!.status).toBe('complete');
    expect(split!.byteRuns).toHaveLength(2);
    expect(reassembly!.attempted).toBe(1);
    expect(reassembly!.rebuilt).toBe(1);
  });

  it('without the split file, the pass runs no trial at all', () => {
    const img = image().fill(0, 100 * B);
    const { files, reassembly } = scanBuffer(img, [limitedStamp], { blockSize: B, maxFileSize: { stmp: LIMIT } });
    expect(files.map((f) => [f.offset, f.status, resultLength(f)])).toEqual([[8 * B, 'truncated', LIMIT]]);
    expect(reassembly).toMatchObject({ attempted: 0, rebuilt: 0, trials: 0 });
  });

  it('only the engine marks a file cut by the limit: a carver cannot set the mark', () => {
    const sneaky: Carver = { ...limitedStamp, carve: (r, o, c) => ({ ...limitedStamp.carve(r, o, c)!, cutAtLimit: 1 }) as CarveResult };
    const img = image().fill(0, 8 * B, 48 * B); // only the split file is left
    expect(scanBuffer(img, [sneaky], { reassemble: false, maxFileSize: { stmp: LIMIT } }).files[0]!.cutAtLimit).toBeUndefined();
    const { files, reassembly } = scanBuffer(img, [sneaky], { blockSize: B, maxFileSize: { stmp: LIMIT } });
    expect(reassembly!.attempted).toBe(1);
    expect(files[0]!.notes.join(' ')).not.toMatch(/not searched/);
  });
});

describe('seams proven by content (Carver.proveSeams)', () => {
  /**
   * A toy format shaped like HEIC: a header, then tiles of `tileLen` bytes,
   * each starting with a marker the validator checks ("tl" + index); the
   * bytes in between are checked only by proveSeams, which knows what each
   * tile must hold (a decoder would) and says where it stops matching.
   */
  const HDR = 512;
  const tileByte = (id: number, k: number, i: number): number => {
    let x = (id * 0x9e3779b1) ^ (k * 0x85ebca6b) ^ (i * 0xc2b2ae35);
    x ^= x >>> 15;
    x = Math.imul(x, 0x2c1b3c6d);
    x ^= x >>> 12;
    return x & 0xff;
  };
  const tileStart = (tileLen: number, k: number): number => HDR + k * tileLen;
  const markerOf = (k: number): Uint8Array => Uint8Array.from([0x74, 0x6c, (k >> 8) & 0xff, k & 0xff]);
  const markerAt = (reader: Reader, at: number, k: number): boolean => {
    const m = reader.bytes(at, 4);
    return m.length === 4 && m.every((v, i) => v === markerOf(k)[i]);
  };
  function header(reader: Reader, offset: number): { id: number; n: number; tileLen: number } | null {
    const h = reader.bytes(offset, 16);
    if (h.length < 16 || String.fromCharCode(...h.subarray(0, 4)) !== 'TILE') return null;
    return { id: u32be(h, 4), n: u32be(h, 8), tileLen: u32be(h, 12) };
  }
  const tileCarver: Carver = {
    name: 'tile',
    version: '1.0.0',
    description: 'test format: tiles whose markers are checked, not their bytes',
    extensions: ['tile'],
    signatures: [{ bytes: [0x54, 0x49, 0x4c, 0x45] }],
    maxFileSize: 1 << 24,
    carve(reader: Reader, offset: number): CarveResult | null {
      const h = header(reader, offset);
      if (!h) return null;
      for (let k = 0; k < h.n; k++) {
        if (!markerAt(reader, offset + tileStart(h.tileLen, k), k)) {
          const verified = k === 0 ? HDR : tileStart(h.tileLen, k - 1) + 4;
          return { status: 'truncated', byteRuns: contiguous(offset, tileStart(h.tileLen, k)), notes: [], dataStart: HDR, verifiedLength: verified };
        }
      }
      return { status: 'complete', byteRuns: contiguous(offset, tileStart(h.tileLen, h.n)), notes: [], dataStart: HDR };
    },
    expectedAt(reader: Reader): { fileOffset: number; bytes: Uint8Array } | null {
      const h = header(reader, 0);
      if (!h) return null;
      for (let k = 0; k < h.n; k++) if (!markerAt(reader, tileStart(h.tileLen, k), k)) return { fileOffset: tileStart(h.tileLen, k), bytes: markerOf(k) };
      return null;
    },
    proveSeams(reader: Reader, seams: readonly number[]) {
      const h = header(reader, 0)!;
      // Both sides: the tile holding the seam's first byte and the one holding the byte before it.
      const check = (k: number): { verdict: 'proven' | 'broken'; failedAt?: number } => {
        const from = tileStart(h.tileLen, k);
        const bytes = reader.bytes(from, h.tileLen);
        for (let i = 4; i < h.tileLen; i++) if (bytes[i] !== tileByte(h.id, k, i)) return { verdict: 'broken', failedAt: from + i };
        return { verdict: 'proven' };
      };
      return seams.map((s) => {
        if (s < HDR || s >= tileStart(h.tileLen, h.n)) return { verdict: 'unknown' as const };
        const before = s === HDR ? { verdict: 'proven' as const } : check(Math.floor((s - 1 - HDR) / h.tileLen)); // the header is the carver's to check
        return before.verdict === 'broken' ? before : check(Math.floor((s - HDR) / h.tileLen));
      });
    },
  };
  const { proveSeams: _prove, ...noProof } = tileCarver;
  const tileCarverWithoutProof: Carver = noProof;

  function tileFile(id: number, n: number, tileLen: number): Uint8Array {
    const f = new Uint8Array(tileStart(tileLen, n));
    f.set([0x54, 0x49, 0x4c, 0x45]);
    const dv = new DataView(f.buffer);
    dv.setUint32(4, id);
    dv.setUint32(8, n);
    dv.setUint32(12, tileLen);
    for (let k = 0; k < n; k++) {
      const at = tileStart(tileLen, k);
      f.set(markerOf(k), at);
      for (let i = 4; i < tileLen; i++) f[at + i] = tileByte(id, k, i);
    }
    return f;
  }
  const random = (n: number, seed: number): Uint8Array => {
    let x = seed | 1;
    return Uint8Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
  };
  const tileCtxs = new Map([['tile', { maxFileSize: 1 << 24, align: B }]]);

  /** Two fragments cut at a sector inside the data, random bytes on every side of both seams. */
  function layout(p: { tiles: number; tileLen: number; cut: number; gap: number; lead: number; outOfOrder: boolean; seed: number }) {
    const file = tileFile(7, p.tiles, p.tileLen);
    // Past the header, and not inside the last tile: a break there leaves every marker in place, so the
    // validator calls the first fragment complete (a real carver must check the last item's content).
    const lastTile = Math.floor(tileStart(p.tileLen, p.tiles - 1) / B);
    const cut = (1 + (p.cut % lastTile)) * B;
    const first = file.subarray(0, cut);
    const second = file.subarray(cut);
    const pad = (n: number): number => Math.ceil(n / B) * B;
    const parts = p.outOfOrder
      ? [random(p.lead * B, p.seed), second, random(pad(second.length) - second.length + p.gap * B, p.seed + 1), first, random(4 * B, p.seed + 2)]
      : [random(p.lead * B, p.seed), first, random(p.gap * B, p.seed + 1), second, random(pad(second.length) - second.length + 4 * B, p.seed + 2)];
    const img = Uint8Array.from(Buffer.concat(parts));
    const fileAt = p.outOfOrder ? p.lead * B + pad(second.length) + p.gap * B : p.lead * B;
    return { img, file, fileAt, cut };
  }
  function rebuild(carver: Carver, img: Uint8Array, fileAt: number) {
    const reader = new BufferReader(img);
    const r = carver.carve(reader, fileAt, { maxFileSize: 1 << 24, align: B })!;
    const kept: Candidate[] = [{ ...r, carver: 'tile', offset: fileAt }];
    const out = reassembleAll(reader, kept, [carver], tileCtxs, { blockSize: B });
    return { first: r, rebuilt: out.rebuilt.get(fileAt), stats: out.stats };
  }
  const bytesOf = (img: Uint8Array, r: CarveResult): Buffer => Buffer.concat(r.byteRuns.map((x) => img.subarray(x.imgOffset, x.imgOffset + x.length)));

  it('rebuilds a file whose seams have random data on both sides only when the content proves the seam', () => {
    const { img, file, fileAt } = layout({ tiles: 12, tileLen: 3000, cut: 37, gap: 9, lead: 5, outOfOrder: false, seed: 3 });
    const without = rebuild(tileCarverWithoutProof, img, fileAt);
    expect(without.first.status).toBe('truncated');
    expect(without.rebuilt).toBeUndefined();
    const proven = rebuild(tileCarver, img, fileAt);
    expect(proven.rebuilt?.status).toBe('complete');
    expect(Buffer.compare(bytesOf(img, proven.rebuilt!), Buffer.from(file))).toBe(0);
    // Where the content broke let the search jump straight to the seam: a handful of trials, not one per sector.
    expect(proven.stats.trials).toBeLessThan(12);
  });

  it('property: with random neighbours, bifragmented and out-of-order files come back byte-exact, never wrong', () => {
    fc.assert(
      fc.property(
        fc.record({ tiles: fc.integer({ min: 2, max: 10 }), tileLen: fc.integer({ min: 600, max: 5000 }), cut: fc.nat(), gap: fc.integer({ min: 1, max: 40 }), lead: fc.integer({ min: 1, max: 8 }), outOfOrder: fc.boolean(), seed: fc.integer({ min: 1, max: 1 << 30 }) }),
        (p) => {
          const { img, file, fileAt, cut } = layout(p);
          // A seam that splits a tile's marker splits the bytes the hint looks for: nothing finds the
          // continuation then (a known limit, never a wrong join; HEIC's 6-byte tile headers share it).
          fc.pre(!Array.from({ length: p.tiles }, (_, k) => tileStart(p.tileLen, k)).some((t) => cut > t && cut < t + 4));
          const { rebuilt } = rebuild(tileCarver, img, fileAt);
          expect(rebuilt?.status).toBe('complete');
          expect(Buffer.compare(bytesOf(img, rebuilt!), Buffer.from(file))).toBe(0);
        },
      ),
      { numRuns: 150 },
    );
  });

  it('a hint far past the seam (a trailer, like the meta after a Samsung mdat): the hints of the trials lead down to the seam', () => {
    // The format with a trailer "TEND" after the last tile: a file cut before it expects the trailer first.
    const TEND = Uint8Array.from([0x54, 0x45, 0x4e, 0x44]);
    const withTrailer: Carver = {
      ...tileCarver,
      carve(reader: Reader, offset: number, ctx) {
        const r = tileCarver.carve(reader, offset, ctx);
        const h = header(reader, offset);
        if (!r || !h || r.status !== 'complete') return r;
        const end = offset + tileStart(h.tileLen, h.n);
        const t = reader.bytes(end, 4);
        if (t.length === 4 && t.every((v, i) => v === TEND[i])) return { ...r, byteRuns: contiguous(offset, end + 4 - offset) };
        return { status: 'truncated', byteRuns: r.byteRuns, notes: [], dataStart: HDR, verifiedLength: HDR };
      },
      expectedAt(reader: Reader) {
        const h = header(reader, 0);
        if (!h) return null;
        const end = tileStart(h.tileLen, h.n);
        const t = reader.bytes(end, 4);
        if (!(t.length === 4 && t.every((v, i) => v === TEND[i]))) return { fileOffset: end, bytes: TEND };
        return tileCarver.expectedAt!(reader, { status: 'truncated', byteRuns: [], notes: [] });
      },
    };
    const tiles = 40;
    const file = Uint8Array.from(Buffer.concat([tileFile(5, tiles, 1500), TEND]));
    const cut = 9 * B; // inside the second tile: the trailer lies 39 tiles (about 115 sectors) further
    const img = Uint8Array.from(Buffer.concat([random(3 * B, 1), file.subarray(0, cut), random(7 * B, 2), file.subarray(cut), random(B + (B - ((file.length - cut) % B)), 3)]));
    const fileAt = 3 * B;
    const reader = new BufferReader(img);
    const r = withTrailer.carve(reader, fileAt, { maxFileSize: 1 << 24, align: B })!;
    const out = reassembleAll(reader, [{ ...r, carver: 'tile', offset: fileAt }], [withTrailer], tileCtxs, { blockSize: B });
    const rebuilt = out.rebuilt.get(fileAt);
    expect(rebuilt?.status).toBe('complete');
    expect(Buffer.compare(bytesOf(img, rebuilt!), Buffer.from(file))).toBe(0);
    expect(out.stats.trials).toBeLessThan(20);
  });

  it('a seam with evidence on one side only (zeros before the continuation, random after the break) is proven by content', () => {
    const file = tileFile(3, 10, 2500);
    const cut = 21 * B;
    // Random after the first piece (no evidence there), zeros before the second (evidence on that side only).
    const img = Uint8Array.from(Buffer.concat([random(4 * B, 1), file.subarray(0, cut), random(5 * B, 2), new Uint8Array(6 * B), file.subarray(cut), random(B + (B - ((file.length - cut) % B)), 3)]));
    const { rebuilt } = rebuild(tileCarver, img, 4 * B);
    expect(rebuilt?.status).toBe('complete');
    expect(Buffer.compare(bytesOf(img, rebuilt!), Buffer.from(file))).toBe(0);
  });

  it('three fragments with random neighbours: a proven first seam is followed to the second', () => {
    const file = tileFile(4, 16, 2000);
    // In tiles 2 and 11 of 16 × 2000 bytes (different tiles); the middle piece is over 16 KiB, as middle fragments must be.
    const [c1, c2] = [11 * B, 44 * B];
    const a = file.subarray(0, c1);
    const m = file.subarray(c1, c2);
    const z = file.subarray(c2);
    // Out of order and apart: the last piece first, then the first, then the middle one.
    const tail = B - (z.length % B);
    const img = Uint8Array.from(Buffer.concat([random(3 * B, 1), z, random(tail + 5 * B, 2), a, random(9 * B, 3), m, random(4 * B, 4)]));
    const fileAt = 3 * B + z.length + tail + 5 * B;
    const { rebuilt } = rebuild(tileCarver, img, fileAt);
    expect(rebuilt?.status).toBe('complete');
    expect(rebuilt!.byteRuns).toHaveLength(3);
    expect(Buffer.compare(bytesOf(img, rebuilt!), Buffer.from(file))).toBe(0);
  });

  it('a seam the content cannot judge (unknown) or finds broken is not joined without evidence', () => {
    const { img, fileAt } = layout({ tiles: 8, tileLen: 2000, cut: 11, gap: 6, lead: 3, outOfOrder: false, seed: 9 });
    const unknown: Carver = { ...tileCarver, proveSeams: (_r, seams) => seams.map(() => ({ verdict: 'unknown' as const })) };
    expect(rebuild(unknown, img, fileAt).rebuilt).toBeUndefined();
    const broken: Carver = { ...tileCarver, proveSeams: (_r, seams) => seams.map(() => ({ verdict: 'broken' as const })) };
    expect(rebuild(broken, img, fileAt).rebuilt).toBeUndefined();
    const throwing: Carver = { ...tileCarver, proveSeams: () => { throw new Error('decoder bug'); } };
    expect(rebuild(throwing, img, fileAt).rebuilt).toBeUndefined();
  });
});
