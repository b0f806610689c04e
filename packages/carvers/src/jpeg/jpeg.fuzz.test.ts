/**
 * Hostile JPEG input (fast property tests; scripts/fuzz.ts runs the same
 * inputs by the million): mutated real and generated files, random bytes,
 * and hand-made bombs. No exception, a bounded time per call (a hang guard,
 * not a performance goal), and never `complete` on damaged data unless the
 * oracle proves the mutation harmless (packages/carvers/src/fuzz/oracle.ts).
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, MAX_READ, ReaderRangeError, resultLength, type CarveResult, type Reader } from '@rawcarve/core';
import { Rng } from '@rawcarve/core/fuzz';
import { loadSeeds, makeInput, malformed, markerFlood, runInput, validatorAvailable } from '../fuzz/index.js';
import { BitReader } from './bitreader.js';
import { buildHuffmanTable } from './huffman.js';
import { mpfIndex } from './mpf.js';
import { exifPointers, MAX_PREVIEW_WALKS } from './previews.js';
import { samsungTrailerEnd } from './trailers.js';
import { jpegCarver } from './index.js';
import { walkJpeg } from './walk.js';
import { frameHeader, segment, tiffDataAt, tiffIfd, tinyJpeg } from './test-helpers.js';

const HANG_MS = 2000;
const ctx = { maxFileSize: jpegCarver.maxFileSize, align: 512 };

/** Carves at 0 with a clock; checks the contract. */
function carve(bytes: Uint8Array): { r: CarveResult | null; ms: number } {
  const t0 = performance.now();
  const r = jpegCarver.carve(new BufferReader(bytes), 0, ctx);
  const ms = performance.now() - t0;
  if (r) expect(malformed(r, bytes.length)).toBeNull();
  expect(ms).toBeLessThan(HANG_MS);
  return { r, ms };
}

function seg(m: number, body: readonly number[]): number[] {
  return [0xff, m, ((body.length + 2) >> 8) & 255, (body.length + 2) & 255, ...body];
}
const counts = (lengths: Record<number, number>): number[] => Array.from({ length: 16 }, (_, i) => lengths[i + 1] ?? 0);

/**
 * A progressive JPEG of w×h, one component: a DC scan coding each block with
 * 2 bits, then AC scans that are nothing but EOB runs (15 bits cover 32 767
 * blocks), first pass and 13 refinements: work not bounded by the data.
 */
export function progressiveBomb(w: number, h: number, refinements = 13): Uint8Array {
  const blocks = Math.ceil(w / 8) * Math.ceil(h / 8);
  const head = [0xff, 0xd8, ...seg(0xdb, [0, ...new Array(64).fill(1)]), ...seg(0xc2, [8, h >> 8, h & 255, w >> 8, w & 255, 1, 1, 0x11, 0])];
  head.push(...seg(0xc4, [0x00, ...counts({ 2: 2 }), 0, 0]), ...seg(0xc4, [0x10, ...counts({ 1: 1 }), 0xe0]));
  head.push(...seg(0xda, [1, 1, 0x00, 0, 0, 0x00]));
  const dc = new Uint8Array(Math.ceil(blocks / 4));
  const pairs = [0x00, 0x01, 0x04, 0x05, 0x10, 0x11, 0x14, 0x15, 0x40, 0x41, 0x44, 0x45, 0x50, 0x51, 0x54, 0x55];
  for (let i = 0; i < dc.length; i++) dc[i] = pairs[(i * 7 + (i >> 3)) & 15]!;
  const tail: number[] = [];
  const acScan = (ah: number, al: number): void => {
    tail.push(...seg(0xda, [1, 1, 0x00, 1, 63, (ah << 4) | al]));
    let bits = '';
    for (let i = 0; i < Math.ceil(blocks / 32767); i++) bits += '0' + '1'.repeat(14);
    while (bits.length % 8) bits += '1';
    for (let i = 0; i < bits.length; i += 8) {
      const b = parseInt(bits.slice(i, i + 8), 2);
      tail.push(b);
      if (b === 0xff) tail.push(0);
    }
  };
  acScan(0, refinements);
  for (let al = refinements - 1; al >= 0; al--) acScan(al + 1, al);
  tail.push(0xff, 0xd9);
  return Uint8Array.from(Buffer.concat([Uint8Array.from(head), dc, Uint8Array.from(tail)]));
}

describe('JPEG carver under hostile input', () => {
  // Real files up to 1 MiB here (the fuzz script takes them all).
  const set = loadSeeds('jpeg', { maxMediaBytes: 1 << 20 });
  if (set.notes.length > 0) console.warn(`jpeg fuzz seeds: ${set.notes.join('; ')}`);

  it('property: mutated files never crash, stay bounded, and are complete only when the oracle allows it', () => {
    let max = 0;
    const validate = validatorAvailable('jpeg');
    if (!validate) console.warn('djpeg not installed: completes that are not provably harmless are only counted, not judged');
    fc.assert(
      fc.property(fc.nat(), (index) => {
        const input = makeInput('jpeg', 'vitest', index, set.seeds, { mediaEvery: 40 });
        const o = runInput(input, { validate, hooks: true });
        max = Math.max(max, o.ms + o.hookMs);
        expect(o.crash, input.detail).toBeUndefined();
        expect(o.ms + o.hookMs, input.detail).toBeLessThan(HANG_MS);
        expect(o.classification?.verdict, `${input.detail}: ${o.classification?.why}`).not.toBe('false-complete');
      }),
      { numRuns: 250, seed: 42 },
    );
    expect(max).toBeLessThan(HANG_MS);
  });

  it('property: random bytes after SOI never crash and are never complete', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), (body) => {
        const bytes = Uint8Array.from([0xff, 0xd8, 0xff, ...body]);
        expect(carve(bytes).r?.status).not.toBe('complete');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('markers repeated a million times: empty APP1 ×500 000 (2 MB), fill bytes, RSTn, DHT, SOI', () => {
    const seed = set.seeds.find((s) => s.name.includes('generated/g00')) ?? set.seeds[0] ?? null;
    for (let k = 0; k < 10; k++) {
      const m = markerFlood(new Rng('flood', k), k % 2 === 0 ? (seed?.bytes ?? null) : null);
      const { r } = carve(m.bytes);
      expect(r?.status, m.detail).not.toBe('complete');
    }
  });

  it('segment lengths 0, 1, 2 and 0xFFFF, SOF of 0 or 65535 pixels or 255 components, impossible DHT counts', () => {
    const seed = set.seeds.find((s) => s.name.includes('generated/g00'));
    if (!seed) return;
    const b = seed.bytes.subarray(0, seed.length);
    const at = (m: number): number => {
      for (let i = 2; i + 1 < b.length; i++) if (b[i] === 0xff && b[i + 1] === m) return i;
      throw new Error(`no FF${m.toString(16)}`);
    };
    const edits: [string, (x: Uint8Array) => void][] = [
      ...[0, 1, 2, 0xffff].map((len): [string, (x: Uint8Array) => void] => [`DQT length ${len}`, (x) => x.set([len >> 8, len & 255], at(0xdb) + 2)]),
      ['SOF height 0', (x) => x.set([0, 0], at(0xc0) + 5)],
      ['SOF 65535 × 65535', (x) => x.set([0xff, 0xff, 0xff, 0xff], at(0xc0) + 5)],
      ['SOF 255 components', (x) => (x[at(0xc0) + 9] = 255)],
      ['DHT counts 255', (x) => x.fill(255, at(0xc4) + 5, at(0xc4) + 21)],
      ['DHT 3 codes of length 1', (x) => (x[at(0xc4) + 5] = 3)],
    ];
    for (const [what, edit] of edits) {
      const x = Uint8Array.from(b);
      edit(x);
      expect(carve(x).r?.status, what).not.toBe('complete');
    }
  });

  it('a progressive file whose EOB runs visit 16 M blocks per scan stays bounded (57 s before the visit budget and the EOB-run loop)', () => {
    const bomb = progressiveBomb(32000, 32000);
    const before = process.memoryUsage().arrayBuffers;
    const { r, ms } = carve(bomb);
    expect(r?.status).toBe('truncated');
    expect(r?.notes.join(' ')).toMatch(/visit more than/);
    expect(ms).toBeLessThan(HANG_MS);
    expect(process.memoryUsage().arrayBuffers - before).toBeLessThan(160 * 1024 * 1024);
    // The same structure at a size a camera makes validates whole, and fast.
    expect(carve(progressiveBomb(4000, 3000)).r?.status).toBe('complete');
  });

  it('regressions found by fuzzing: all-ones Huffman code, DC symbol > 15, undefined quantization table, 12-bit baseline, bogus progression, unknown markers', () => {
    // C.2: the all-ones code of a length is never assigned (libjpeg: "Bogus Huffman table definition").
    expect(buildHuffmanTable(Uint8Array.from(counts({ 1: 2 })), Uint8Array.of(0, 1))).toBeNull();
    expect(buildHuffmanTable(Uint8Array.from(counts({ 1: 1 })), Uint8Array.of(0))).not.toBeNull();
    expect(buildHuffmanTable(Uint8Array.from(counts({ 2: 1 })), Uint8Array.of(16), true)).toBeNull();
    const seed = set.seeds.find((s) => s.name.includes('generated/g00'));
    const prog = set.seeds.find((s) => s.name.includes('generated/g01'));
    if (!seed || !prog) return;
    const find = (b: Uint8Array, m: number): number => b.findIndex((v, i) => v === 0xff && b[i + 1] === m);
    const b = seed.bytes.subarray(0, seed.length);
    const noQuant = Uint8Array.from(b);
    noQuant[find(b, 0xc0) + 12] = 3; // the first component uses quantization table 3, never defined
    expect(walkJpeg(new BufferReader(noQuant), 0, noQuant.length)).toBeNull();
    const twelve = Uint8Array.from(b);
    twelve[find(b, 0xc0) + 4] = 12;
    expect(walkJpeg(new BufferReader(twelve), 0, twelve.length)).toBeNull();
    const jpg0 = Uint8Array.from(b);
    jpg0[find(b, 0xdb) + 1] = 0xf0; // DQT renamed JPG0: decoders stop at it
    expect(walkJpeg(new BufferReader(jpg0), 0, jpg0.length)).toBeNull();
    const p = prog.bytes.subarray(0, prog.length);
    const refine = Uint8Array.from(p);
    const sos = find(p, 0xda);
    refine[sos + 4 + 1 + 2 * p[sos + 4]! + 2] = 0x40; // first DC scan: Ah 4, Al 0
    expect(walkJpeg(new BufferReader(refine), 0, refine.length)?.status ?? null).not.toBe('complete');
  });

  it('regression found by fuzzing: after a restart marker with fill bytes (FF FF D1), the data goes on after the marker code', () => {
    // samples/IMG_0008.JPG with FF D1 written over "D1 F0" of "FF D1 F0 FF D2": the interval lost its only byte,
    // but the decoder resumed at the marker code and decoded D1 as data (djpeg: premature end of data segment).
    const br = new BitReader(new BufferReader(Uint8Array.of(0xaa, 0xff, 0xff, 0xd1, 0x55, 0xff, 0xd9)), 0, 7);
    expect(br.bits(8)).toBe(0xaa);
    expect(br.seekMarker(0)).toBe(0);
    expect(br.marker).toBe(0xd1);
    br.restart();
    expect(br.bits(8)).toBe(0x55);
  });

  it('hostile trailers and indexes: a Samsung directory length of 90 MB, overlapping MPF images, repeated EXIF pointers', () => {
    // A 200 MB image read lazily: a trailer block at `start`, "SEFT" 100 MB later naming a 90 MB directory.
    const start = 1000;
    const seft = start + 100_000_000;
    const zeros = new Uint8Array(1 << 20);
    const byte = (at: number): number => {
      const head = [0, 0, 1, 0, 4, 0, 0, 0, 0x41, 0x42, 0x43, 0x44];
      if (at >= start && at < start + head.length) return head[at - start]!;
      if (at >= seft - 4 && at < seft) return [0x80, 0xf0, 0x5d, 0x05][at - seft + 4]!; // 90 000 000, little-endian
      if (at >= seft && at < seft + 4) return 'SEFT'.charCodeAt(at - seft);
      return 0;
    };
    const huge: Reader = {
      size: 200_000_000,
      bytes(offset, length) {
        if (offset < 0 || length < 0 || length > MAX_READ) throw new ReaderRangeError(offset, length);
        const n = Math.max(0, Math.min(length, this.size - offset));
        return Uint8Array.from({ length: n }, (_, i) => byte(offset + i));
      },
      chunk(offset, maxLength) {
        const n = Math.min(maxLength, zeros.length, this.size - offset);
        return offset <= seft && seft < offset + n ? this.bytes(offset, n) : zeros.subarray(0, n);
      },
    };
    expect(samsungTrailerEnd(huge, start, huge.size)).toBeNull();

    // MPF index (big-endian TIFF): 3 entries, the third inside the second.
    const tiff = new Uint8Array(8 + 2 + 12 + 4 + 48);
    const dv = new DataView(tiff.buffer);
    tiff.set([0x4d, 0x4d, 0, 42]);
    dv.setUint32(4, 8);
    dv.setUint16(8, 1);
    dv.setUint16(10, 0xb002);
    dv.setUint16(12, 7);
    dv.setUint32(14, 48);
    dv.setUint32(18, 26);
    const entry = (k: number, size: number, offset: number): void => {
      dv.setUint32(26 + 16 * k + 4, size);
      dv.setUint32(26 + 16 * k + 8, offset);
    };
    entry(0, 5000, 0);
    entry(1, 4000, 10_000);
    entry(2, 4000, 12_000);
    expect(mpfIndex(tiff, 100)).toEqual({ ok: false, why: 'image 3 at image offset 12100 starts inside the image before it' });
    entry(2, 4000, 14_000);
    expect(mpfIndex(tiff, 100)).toEqual({ ok: true, entries: [{ offset: 10_100, size: 4000 }, { offset: 14_100, size: 4000 }] });

    // An IFD whose 40 entries all hold the same pointer: one candidate, walked once.
    const ifd = new Uint8Array(8 + 2 + 40 * 12 + 4);
    const iv = new DataView(ifd.buffer);
    ifd.set([0x4d, 0x4d, 0, 42]);
    iv.setUint32(4, 8);
    iv.setUint16(8, 40);
    for (let i = 0; i < 40; i++) {
      iv.setUint16(10 + 12 * i, 0x0201);
      iv.setUint16(12 + 12 * i, 4);
      iv.setUint32(14 + 12 * i, 1);
      iv.setUint32(18 + 12 * i, 123_456);
    }
    expect(exifPointers(ifd)).toEqual([{ value: 123_456, base: 'tiff' }]);
  });
});

/** A Reader serving entropy data (chunk()) in pieces of at most 4 KiB and counting them: the decoding work done. */
class CountingReader implements Reader {
  readonly size: number;
  /** Bytes handed out by chunk(). */
  streamed = 0;
  private readonly inner: BufferReader;
  constructor(bytes: Uint8Array) {
    this.inner = new BufferReader(bytes);
    this.size = bytes.length;
  }
  bytes(offset: number, length: number): Uint8Array {
    return this.inner.bytes(offset, length);
  }
  chunk(offset: number, maxLength: number): Uint8Array {
    const b = this.inner.chunk(offset, Math.min(maxLength, 4096));
    this.streamed += b.length;
    return b;
  }
}

/** An APP1 Exif segment whose IFD0 holds one LONG per value (tag 0x0201, as a preview's offset). */
function exifApp(values: readonly number[]): Uint8Array {
  const tiff = tiffIfd(values.map((value) => ({ tag: 0x0201, type: 4, count: 1, value })));
  return segment(0xe1, [...Buffer.from('Exif\0\0', 'latin1'), ...tiff]);
}

/**
 * A small photo whose EXIF names `n` offsets right after its EOI (in the IFD
 * in the order `rank` gives), each holding a 6-byte JPEG start: SOI and a COM
 * segment reaching past all the others, to the same tables and one scan of
 * `scan` zero bytes that the image end cuts off. Every start walks to the
 * end of the image and none is complete.
 */
function previewBait(n: number, scan: number, rank: (k: number) => number): { bytes: Uint8Array; primary: number } {
  const TIFF_AT = 12; // SOI, APP1 marker and length, "Exif\0\0"
  const primary = tinyJpeg(8, 8, [exifApp(new Array<number>(n).fill(0))]).length;
  const starts = Array.from({ length: n }, (_, k) => primary + 6 * k);
  const shared = primary + 6 * n;
  const pointers = starts.map((_, k) => starts[rank(k)]! - TIFF_AT);
  const bait = starts.flatMap((at) => [0xff, 0xd8, 0xff, 0xfe, ((shared - at - 4) >> 8) & 255, (shared - at - 4) & 255]);
  const bytes = Uint8Array.from([...tinyJpeg(8, 8, [exifApp(pointers)]), ...bait, ...frameHeader(4096, 4096), ...new Uint8Array(scan)]);
  return { bytes, primary };
}

describe('JPEG carver: bounded work on hostile indexes after EOI', () => {
  it(`property: hundreds of EXIF-pointed JPEG starts after EOI sharing one long scan are walked ${MAX_PREVIEW_WALKS} times at most, in any IFD order`, () => {
    const scan = 32 * 1024;
    fc.assert(
      fc.property(fc.integer({ min: 2 * MAX_PREVIEW_WALKS, max: 500 }), fc.integer({ min: 0, max: 0x7fffffff }), (n, seed) => {
        // A permutation of the pointers in the IFD: the walks must not depend on it.
        const order = Array.from({ length: n }, (_, k) => k).sort((a, b) => ((a * 2654435761 + seed) >>> 0) % 1009 - ((b * 2654435761 + seed) >>> 0) % 1009 || a - b);
        const { bytes, primary } = previewBait(n, scan, (k) => order[k]!);
        const reader = new CountingReader(bytes);
        const r = jpegCarver.carve(reader, 0, ctx);
        expect(r?.status).toBe('complete');
        expect(resultLength(r!)).toBe(primary);
        // Each walk decodes the shared scan to the image end, the primary one chunk: n walks would stream n × scan.
        expect(reader.streamed).toBeLessThanOrEqual(MAX_PREVIEW_WALKS * scan + 8192);
      }),
      { numRuns: 15, seed: 11 },
    );
  });

  it('the nearest pointed-at start that is a complete JPEG is still kept as the preview, bait or not after it', () => {
    const preview = tinyJpeg(16, 8);
    const TIFF_AT = 12;
    const primary = tinyJpeg(8, 8, [exifApp([0, 0, 0])]).length;
    const gap = 300; // cameras pad before the preview: the gap holds no SOI
    const after = primary + gap + preview.length;
    const bytes = Uint8Array.from([...tinyJpeg(8, 8, [exifApp([after + 1 - TIFF_AT, primary + gap - TIFF_AT, after - TIFF_AT])]), ...new Uint8Array(gap), ...preview, 0xff, 0xd8, 0xff, 0xd8, 0xff]);
    const r = jpegCarver.carve(new BufferReader(bytes), 0, ctx);
    expect(r?.status).toBe('complete');
    expect(resultLength(r!)).toBe(after);
    expect(r?.notes.join(' ')).toMatch(`maker-note preview image at image offset ${primary + gap}`);
  });
});

/** The MPF TIFF header's offset in a file whose first segment is the APP2 MPF one (SOI, marker, length, "MPF\0"). */
const MPF_TIFF_AT = 10;

/** An APP2 MPF segment with an MP Index IFD (version, number of images, MPEntry) listing `images` (offsets from the TIFF header). */
function mpfApp(images: readonly { offset: number; size: number }[]): Uint8Array {
  const list = new Uint8Array(16 * images.length);
  const dv = new DataView(list.buffer);
  images.forEach((im, k) => {
    dv.setUint32(16 * k, k === 0 ? 0x20030000 : 0x00020000); // primary / dependent-child attribute
    dv.setUint32(16 * k + 4, im.size);
    dv.setUint32(16 * k + 8, im.offset);
  });
  const ifd = [
    { tag: 0xb000, type: 7, count: 4, value: 0x30313030 },
    { tag: 0xb001, type: 4, count: 1, value: images.length },
    { tag: 0xb002, type: 7, count: list.length, value: tiffDataAt(3) },
  ];
  return segment(0xe2, [...Buffer.from('MPF\0', 'latin1'), ...tiffIfd(ifd, list)]);
}

/** The APP2 MPF segment of an individual image: an MP Attribute IFD (version, individual number), no MPEntry. */
function mpfAttributes(n: number): Uint8Array {
  const ifd = [
    { tag: 0xb000, type: 7, count: 4, value: 0x30313030 },
    { tag: 0xb101, type: 4, count: 1, value: n },
  ];
  return segment(0xe2, [...Buffer.from('MPF\0', 'latin1'), ...tiffIfd(ifd)]);
}

/** A primary image listing `count` secondary images (each with an attribute IFD) stored right after it, as cameras write MPO files. */
function mpo(count: number, width: number): { bytes: Uint8Array; primary: number; starts: number[] } {
  const secondaries = Array.from({ length: count }, (_, k) => tinyJpeg(8 * (k + 1), 8, [mpfAttributes(k + 2)]));
  const primary = tinyJpeg(width, 8, [mpfApp(Array.from({ length: count + 1 }, () => ({ offset: 0, size: 0 })))]).length;
  const starts: number[] = [];
  let at = primary;
  for (const s of secondaries) {
    starts.push(at);
    at += s.length;
  }
  const images = [{ offset: 0, size: primary }, ...secondaries.map((s, k) => ({ offset: starts[k]! - MPF_TIFF_AT, size: s.length }))];
  const bytes = Uint8Array.from([...tinyJpeg(width, 8, [mpfApp(images)]), ...secondaries.flatMap((s) => Array.from(s))]);
  return { bytes, primary, starts };
}

/** Ways an MP Index can be unreadable, as edits of the file mpo() builds (the MPEntry is the IFD's third entry), and the reason given. */
const MPF_CORRUPTIONS: Record<string, { edit: (dv: DataView, count: number) => void; why: RegExp }> = {
  'byte order': { edit: (dv) => dv.setUint16(MPF_TIFF_AT, 0x5858), why: /no TIFF byte order mark/ },
  'TIFF magic': { edit: (dv) => dv.setUint16(MPF_TIFF_AT + 2, 43), why: /TIFF magic 43, not 42/ },
  'IFD offset': { edit: (dv) => dv.setUint32(MPF_TIFF_AT + 4, 0xfff0), why: /the IFD offset 65520 lies past the \d+-byte index/ },
  'IFD entry count': { edit: (dv) => dv.setUint16(MPF_TIFF_AT + 8, 0xffff), why: /65535 IFD entries run past/ },
  'MPEntry length': { edit: (dv, count) => dv.setUint32(MPF_TIFF_AT + 10 + 24 + 4, 16 * (count + 1) + 8), why: /an MPEntry of \d+ bytes is not 1 to 64 entries/ },
  'more than 64 images': { edit: (dv) => dv.setUint32(MPF_TIFF_AT + 10 + 24 + 4, 16 * 65), why: /an MPEntry of 1040 bytes/ },
  'MPEntry list offset': { edit: (dv) => dv.setUint32(MPF_TIFF_AT + 10 + 24 + 8, 0xffff00), why: /the MPEntry list at 16776960 .* runs past/ },
  'overlapping images': {
    edit: (dv) => {
      const entry = (k: number): number => MPF_TIFF_AT + tiffDataAt(3) + 16 * k + 8;
      dv.setUint32(entry(2), dv.getUint32(entry(1)) + 1);
    },
    why: /image 3 at image offset \d+ starts inside the image before it/,
  },
};

describe('JPEG carver: an MPF segment whose index cannot be read', () => {
  it('property: a whole MPO file is complete; its primary image with an unreadable index is damaged, the note naming the segment', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 3 }), fc.integer({ min: 1, max: 8 }), fc.constantFrom(...Object.keys(MPF_CORRUPTIONS)), (count, w, how) => {
        const { bytes, primary, starts } = mpo(count, 8 * w);
        const whole = jpegCarver.carve(new BufferReader(bytes), 0, ctx);
        expect(whole?.status).toBe('complete');
        expect(resultLength(whole!)).toBe(bytes.length);
        expect(whole?.metadata?.['mpfImages']).toBe(count);
        // Each secondary image, carved where it starts, has an attribute IFD and no index: nothing to miss.
        for (const at of starts) expect(jpegCarver.carve(new BufferReader(bytes), at, ctx)?.status).toBe('complete');
        if (how === 'overlapping images' && count < 2) return;
        const bad = Uint8Array.from(bytes);
        const { edit, why } = MPF_CORRUPTIONS[how]!;
        edit(new DataView(bad.buffer), count);
        const r = jpegCarver.carve(new BufferReader(bad), 0, ctx);
        expect(r?.status, how).toBe('damaged');
        expect(resultLength(r!), how).toBe(primary);
        const note = r?.notes.find((n) => n.startsWith('the MPF index of the APP2 segment at image offset 2 cannot be read ('));
        expect(note, how).toMatch(why);
      }),
      { numRuns: 60, seed: 5 },
    );
  });

  it('an MPF segment too short for a TIFF header is damaged, not read with a negative length', () => {
    for (const payload of [[0x4d, 0x50, 0x46], [0x4d, 0x50, 0x46, 0], [0x4d, 0x50, 0x46, 0, 0x4d, 0x4d]]) {
      const bytes = tinyJpeg(8, 8, [segment(0xe2, payload)]);
      const r = jpegCarver.carve(new BufferReader(bytes), 0, ctx);
      expect(r?.status).toBe('damaged');
      expect(r?.notes.join(' ')).toMatch(/APP2 segment at image offset 2 cannot be read \(\d bytes cannot hold a TIFF header\)/);
    }
    // The same for an "Exif" APP1 of 4 bytes: no pointers, no preview, no exception.
    expect(jpegCarver.carve(new BufferReader(tinyJpeg(8, 8, [segment(0xe1, [0x45, 0x78, 0x69, 0x66])])), 0, ctx)?.status).toBe('complete');
  });
});
