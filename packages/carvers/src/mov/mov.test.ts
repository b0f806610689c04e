import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, resultLength, type CarveResult } from '@rawcarve/core';
import { movCarver } from './index.js';
import { parseIso6709 } from './metadata.js';
import { MEDIA, embed, sha256 } from '../jpeg/test-helpers.js';
import {
  boxes, dropHead, findAll, firstVideoSample, generateMovies, hasFfmpeg, hasX264, largesizeMdat, zeroSizeLast,
} from './test-helpers.js';

const ctx = { maxFileSize: 1 << 30, align: 512 };
const carveAt = (img: Uint8Array, at: number): CarveResult | null => movCarver.carve(new BufferReader(img), at, ctx);

/** Carves `file` embedded at a sector in random filler and expects it back complete and byte-exact. */
function expectExact(file: Uint8Array, sector = 37, seed = 1): CarveResult {
  const img = embed(file, sector * 512, 8192, seed);
  const r = carveAt(img, sector * 512);
  expect(r?.notes ?? 'null').toBeDefined();
  expect(r?.status, JSON.stringify(r?.notes)).toBe('complete');
  expect(resultLength(r!)).toBe(file.length);
  expect(sha256(img.subarray(sector * 512, sector * 512 + file.length))).toBe(sha256(file));
  return r!;
}

const mediaDirs = ['mov', 'mp4'].map((d) => join(MEDIA, d));
const haveMedia = mediaDirs.every((d) => existsSync(d));

describe.skipIf(!haveMedia)('real movies from ../shared/media/{mov,mp4}', () => {
  const files = haveMedia ? mediaDirs.flatMap((d) => readdirSync(d).sort().map((f) => join(d, f))) : [];
  it.each(files)('%s comes back complete and byte-exact from a 512-aligned offset', (path) => {
    const r = expectExact(new Uint8Array(readFileSync(path)));
    expect(r.validFraction).toBe(1);
    expect(r.metadata?.['samples']).toBeGreaterThan(0);
  });

  it('reads Apple metadata: keys/ilst make, model, GPS; udta ©xyz; brands to extensions', () => {
    const m002 = expectExact(new Uint8Array(readFileSync(join(MEDIA, 'mov/m002_apple_iphone6_gps.mov'))));
    expect(m002.metadata).toMatchObject({ make: 'Apple', model: 'iPhone 6', codec: 'avc1', width: 568, height: 320, brand: 'qt', latitude: 32.0929 });
    expect(m002.extension).toBe('mov');
    const m001 = expectExact(new Uint8Array(readFileSync(join(MEDIA, 'mov/m001_apple_iphone5.mov'))));
    expect(m001.metadata).toMatchObject({ make: 'Apple', model: 'iPhone 5', creationTime: '2015-12-12T08:59:26.000Z', width: 1920, height: 1080 });
    expect(expectExact(new Uint8Array(readFileSync(join(MEDIA, 'mov/m007_mjpeg_noftyp.mov')))).metadata?.['codec']).toBe('jpeg');
    expect(expectExact(new Uint8Array(readFileSync(join(MEDIA, 'mp4/p007_coremedia_3gp5.3gp')))).extension).toBe('3gp');
    expect(expectExact(new Uint8Array(readFileSync(join(MEDIA, 'mov/m005_apple_ipadmini_hevc.mov')))).metadata?.['codec']).toBe('hvc1');
  });

  it('a zeroed sector inside a video sample (NAL lengths and headers intact) makes the movie not complete', () => {
    // H.264/HEVC movies whose first video chunk an stco names (the helper reads 32-bit chunk offsets only).
    const nalMovies = files.filter((f) => /^(avc1|avc3|hvc1|hev1)$/.test(String(expectExact(new Uint8Array(readFileSync(f))).metadata?.['codec'])));
    expect(nalMovies.length).toBeGreaterThan(4);
    let tested = 0;
    for (const path of nalMovies) {
      const file = new Uint8Array(readFileSync(path));
      let sample: number;
      try {
        sample = firstVideoSample(file);
      } catch {
        continue;
      }
      tested++;
      // Past the first NAL's length and header, inside its payload: find a NAL longer than a sector.
      let at = sample;
      let len = new DataView(file.buffer).getUint32(at);
      while (len < 1024 && at + 4 + len < file.length) {
        at += 4 + len;
        len = new DataView(file.buffer).getUint32(at);
      }
      const damaged = Uint8Array.from(file);
      damaged.fill(0, at + 4 + 300, at + 4 + 300 + Math.min(512, len - 400));
      const img = embed(damaged, 37 * 512, 8192, 1);
      const r = carveAt(img, 37 * 512);
      expect(r?.status, path).not.toBe('complete');
      expect(r?.notes.join(' '), path).toMatch(/00 00 0x/);
    }
    expect(tested).toBeGreaterThanOrEqual(nalMovies.length - 2);
  });

  it('a moov-last MOV followed directly by a QuickTime file without ftyp ends at its own last box', () => {
    const a = new Uint8Array(readFileSync(join(MEDIA, 'mov/m002_apple_iphone6_gps.mov')));
    const b = new Uint8Array(readFileSync(join(MEDIA, 'mov/m007_mjpeg_noftyp.mov')));
    const img = embed(new Uint8Array([...a, ...b]), 512);
    const r = carveAt(img, 512);
    expect(r?.status).toBe('complete');
    expect(resultLength(r!)).toBe(a.length);
  });
});

describe.skipIf(!hasFfmpeg)('ffmpeg-generated movies', () => {
  const movies = hasFfmpeg ? generateMovies() : {};
  const names = Object.keys(movies);

  it.each(names)('%s comes back complete and byte-exact', (name) => {
    const r = expectExact(movies[name]!);
    if (name.startsWith('fragmented')) expect(r.metadata).toMatchObject({ fragmented: true });
    if (name === 'hevcMov') expect(r.metadata?.['codec']).toBe('hvc1');
    if (name === 'm4v') expect(r.extension).toBe('m4v');
    if (name === 'livePhoto') expect(r.metadata).toMatchObject({ contentIdentifier: 'ABCD-1234', make: 'Apple' });
  });

  it.skipIf(!hasX264)('64-bit largesize mdat, size-0 mdat, and QuickTime without ftyp (mdat, wide or moov first)', () => {
    expectExact(largesizeMdat(movies['h264MoovLast']!));
    const r = expectExact(zeroSizeLast(movies['h264MoovFirst']!));
    expect(r.notes.join()).toContain('size-0');
    const mov = movies['h264Mov']!;
    const top = boxes(mov).map((b) => b.type);
    expect(top.slice(0, 3)).toEqual(['ftyp', 'wide', 'mdat']);
    const [ftyp, wide] = boxes(mov);
    const noFtyp = dropHead(mov, ftyp!.size + wide!.size);
    expect(expectExact(noFtyp).extension).toBe('mov');
    expectExact(dropHead(mov, ftyp!.size)); // starts with wide
    const first = movies['h264MoovFirst']!;
    expectExact(dropHead(first, boxes(first)[0]!.size)); // starts with moov
  });

  it.skipIf(!hasX264)("Samsung's trailing sefd (and uuid/free) boxes after moov stay with the file", () => {
    const sefd = box('sefd', new Array(40).fill(0x33));
    const uuid = box('uuid', new Array(16).fill(0xab), [1, 2, 3]);
    const r = expectExact(new Uint8Array([...movies['h264MoovLast']!, ...sefd, ...uuid, ...box('free')]));
    expect(r.notes.join()).toContain("'sefd'");
  });

  it.skipIf(!hasX264)('a corrupted NAL length in a video sample is never complete', () => {
    for (const name of ['h264MoovLast', 'h264MoovFirst', 'hevcMov'].filter((n) => movies[n])) {
      const bad = Uint8Array.from(movies[name]!);
      const at = firstVideoSample(bad);
      bad.set([0x7f, 0xff, 0xff, 0xf0], at);
      const r = carveAt(embed(bad, 4096), 4096);
      expect(r?.status).toBe('damaged');
      expect(r!.notes.join()).toMatch(/NAL/);
    }
  });

  it.skipIf(!hasX264)('a chunk offset moved outside mdat is never complete', () => {
    const bad = Uint8Array.from(movies['h264MoovLast']!);
    const stco = findAll(bad, 'stco')[0]!;
    new DataView(bad.buffer).setUint32(stco.start + 16, 8); // into ftyp
    expect(carveAt(embed(bad, 4096), 4096)?.status).toBe('damaged');
  });

  it('property: a movie cut anywhere is never complete and the carve stays inside what is there', () => {
    const all = Object.values(movies);
    fc.assert(
      fc.property(fc.integer({ min: 0, max: all.length - 1 }), fc.double({ min: 0, max: 0.9999, noNaN: true }), (i, f) => {
        const m = all[i]!;
        const cut = Math.floor(m.length * f);
        const r = carveAt(m.subarray(0, cut), 0);
        if (r !== null) {
          expect(r.status).not.toBe('complete');
          expect(resultLength(r)).toBeLessThanOrEqual(cut);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('property: hostile bytes in moov or moof never throw, stay fast, and are complete only as the whole file', () => {
    const all = Object.values(movies);
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: all.length - 1 }),
        fc.array(fc.tuple(fc.double({ min: 0, max: 0.9999, noNaN: true }), fc.constantFrom(0, 1, 0xff, 0x7f, 0x80, 8, 16), fc.boolean()), { minLength: 1, maxLength: 8 }),
        (i, edits) => {
          const m = Uint8Array.from(all[i]!);
          const meta = boxes(m).filter((b) => b.type === 'moov' || b.type === 'moof');
          for (const [f, v, word] of edits) {
            const box = meta[Math.floor(f * meta.length)]!;
            const at = box.start + 8 + Math.floor(((f * meta.length) % 1) * (box.size - 12));
            // Whole 32-bit fields (sizes, counts, offsets) or single bytes.
            if (word) new DataView(m.buffer).setUint32(at, v === 0xff ? 0xffffffff : v === 0x7f ? 0x7fffffff : v);
            else m[at] = v;
          }
          const t0 = performance.now();
          const r = carveAt(m, 0);
          expect(performance.now() - t0).toBeLessThan(2000);
          if (r?.status === 'complete') expect(resultLength(r)).toBe(m.length);
        },
      ),
      { numRuns: 300 },
    );
  });
});

/** A box from its type and payload parts. */
function box(type: string, ...parts: (Uint8Array | number[])[]): Uint8Array {
  const body = parts.flatMap((p) => [...p]);
  const size = 8 + body.length;
  return new Uint8Array([size >>> 24, (size >>> 16) & 255, (size >>> 8) & 255, size & 255, ...[...type].map((c) => c.charCodeAt(0)), ...body]);
}
const u32 = (n: number): number[] => [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255];
const full = (v = 0): number[] => [v, 0, 0, 0];

/** A minimal moov-last movie with one track whose tables the caller supplies. */
function tinyMovie(stbl: Uint8Array[], mvex = false): Uint8Array {
  const ftyp = box('ftyp', [...'isom'].map((c) => c.charCodeAt(0)), u32(0), [...'isom'].map((c) => c.charCodeAt(0)));
  const mdat = box('mdat', new Array(64).fill(0x55));
  const mvhd = box('mvhd', full(), u32(0), u32(0), u32(1000), u32(1000), new Array(80).fill(0));
  const tkhd = box('tkhd', full(), u32(0), u32(0), u32(1), u32(0), u32(0), new Array(60).fill(0), u32(0), u32(0));
  const hdlr = box('hdlr', full(), u32(0), [...'soun'].map((c) => c.charCodeAt(0)), new Array(13).fill(0));
  // mdhd and stts are mandatory (ISO/IEC 14496-12 §8.4.2, §8.6.1.2): the carver requires them.
  const mdhd = box('mdhd', full(), u32(0), u32(0), u32(1000), u32(0), u32(0));
  const trak = box('trak', tkhd, box('mdia', mdhd, hdlr, box('minf', box('stbl', box('stts', full(), u32(0)), ...stbl))));
  const ext = mvex ? [box('mvex', box('trex', full(), u32(1), u32(1), u32(0), u32(0), u32(0)))] : [];
  return new Uint8Array([...ftyp, ...mdat, ...box('moov', mvhd, trak, ...ext)]);
}
const stsd = box('stsd', full(), u32(1), box('mp4a', new Array(28).fill(0)));

describe('hostile sample tables', () => {
  const cases: Record<string, Uint8Array[]> = {
    'stsz sample_count 2^32-1': [stsd, box('stsz', full(), u32(0), u32(0xffffffff), u32(4)), box('stsc', full(), u32(1), u32(1), u32(1), u32(1)), box('stco', full(), u32(1), u32(40))],
    'constant stsz of 2^32-1 samples': [stsd, box('stsz', full(), u32(1), u32(0xffffffff)), box('stsc', full(), u32(1), u32(1), u32(0xffffffff), u32(1)), box('stco', full(), u32(1), u32(40))],
    'stco count 2^32-1': [stsd, box('stsz', full(), u32(4), u32(1)), box('stsc', full(), u32(1), u32(1), u32(1), u32(1)), box('stco', full(), u32(0xffffffff), u32(40))],
    'stsc samples_per_chunk 2^32-1': [stsd, box('stsz', full(), u32(0), u32(2), u32(4), u32(4)), box('stsc', full(), u32(1), u32(1), u32(0xffffffff), u32(1)), box('stco', full(), u32(1), u32(40))],
    'stsc first_chunk out of order': [stsd, box('stsz', full(), u32(4), u32(2)), box('stsc', full(), u32(2), u32(2), u32(1), u32(1), u32(1), u32(1), u32(1)), box('stco', full(), u32(2), u32(40), u32(44))],
    'sample past mdat': [stsd, box('stsz', full(), u32(4000), u32(1)), box('stsc', full(), u32(1), u32(1), u32(1), u32(1)), box('stco', full(), u32(1), u32(40))],
  };
  it.each(Object.keys(cases))('%s: bounded, no throw, not complete', (name) => {
    const file = tinyMovie(cases[name]!);
    const t0 = performance.now();
    const r = carveAt(embed(file, 1024), 1024);
    expect(performance.now() - t0).toBeLessThan(500);
    expect(r?.status).not.toBe('complete');
  });

  it('a well-formed tiny movie is complete (the hostile cases fail for their lie alone)', () => {
    const ok = tinyMovie([stsd, box('stsz', full(), u32(4), u32(2)), box('stsc', full(), u32(1), u32(1), u32(2), u32(1)), box('stco', full(), u32(1), u32(40))]);
    expectExact(ok, 2);
  });

  it('mvex without any moof is not complete', () => {
    const f = tinyMovie([stsd, box('stsz', full(), u32(0), u32(0)), box('stsc', full(), u32(0)), box('stco', full(), u32(0))], true);
    expect(carveAt(embed(f, 1024), 1024)?.status).toBe('truncated');
  });

  it('property: random box trees inside moov never throw and never give complete', () => {
    const types = fc.constantFrom('trak', 'mdia', 'minf', 'stbl', 'stsd', 'stsz', 'stz2', 'stsc', 'stco', 'co64', 'mvhd', 'tkhd', 'hdlr', 'mvex', 'trex', 'meta', 'udta', 'avc1', 'avcC');
    const leaf = fc.tuple(types, fc.uint8Array({ maxLength: 40 })).map(([t, b]) => box(t, b));
    const tree = fc.letrec((tie) => ({
      node: fc.oneof({ depthSize: 'small' }, leaf, fc.tuple(types, fc.array(tie('node'), { maxLength: 4 })).map(([t, kids]) => box(t, ...(kids as Uint8Array[])))),
    })).node as fc.Arbitrary<Uint8Array>;
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 6 }), fc.boolean(), (kids, ftyp) => {
        const moov = box('moov', box('mvhd', full(), new Array(96).fill(0)), ...kids);
        const head = ftyp ? [...box('ftyp', [...'qt  '].map((c) => c.charCodeAt(0)), u32(0))] : [];
        const file = new Uint8Array([...head, ...box('mdat', new Array(32).fill(1)), ...moov]);
        const r = carveAt(embed(file, 512), 512);
        if (r) expect(r.status).not.toBe('complete');
      }),
      { numRuns: 400 },
    );
  });
});

describe('signatures and brands', () => {
  it('HEIF stills are left to the HEIC carver; a random mdat/moov/wide word is rejected', () => {
    const heic = box('ftyp', [...'heic'].map((c) => c.charCodeAt(0)), u32(0), [...'mif1heic'].map((c) => c.charCodeAt(0)));
    expect(carveAt(embed(heic, 512), 512)).toBeNull();
    for (const t of ['mdat', 'moov', 'wide']) {
      expect(carveAt(embed(box(t, new Array(100).fill(7)), 512), 512)).toBeNull();
    }
  });

  it('parses ISO 6709 locations', () => {
    expect(parseIso6709('+38.1893-119.9558+2004.158/')).toEqual({ lat: 38.1893, lon: -119.9558 });
    expect(parseIso6709('garbage')).toBeNull();
  });
});
