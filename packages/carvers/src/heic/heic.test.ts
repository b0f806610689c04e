import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BoxBudget, BufferReader, readBoxHeader, resultLength, type CarveResult } from '@rawcarve/core';
import { MEDIA, REPO, embed, sha256 } from '../jpeg/test-helpers.js';
import { heicCarver } from './index.js';
import { checkItems, itemExtents } from './items.js';
import { parseMeta, type HeifMeta } from './meta.js';

const AT = 512 * 21;
const ctx = { maxFileSize: heicCarver.maxFileSize, align: 512 };
const carve = (img: Uint8Array, at = AT): CarveResult | null => heicCarver.carve(new BufferReader(img), at, ctx);
const has = (t: string): boolean => spawnSync('which', [t]).status === 0;
const heicDir = join(MEDIA, 'heic');
const mediaFiles = existsSync(heicDir) ? readdirSync(heicDir).sort() : [];

/** The meta of a HEIF file held in a buffer at offset 0. */
function metaOf(file: Uint8Array): HeifMeta {
  const r = new BufferReader(file);
  for (let at = 0; at < file.length; ) {
    const box = readBoxHeader(r, at, file.length)!;
    if (box.type === 'meta') {
      const p = parseMeta(r, box, new BoxBudget());
      if (!p.ok) throw new Error(p.problem);
      return p.meta;
    }
    at = box.end;
  }
  throw new Error('no meta');
}

/** File offsets of the first byte of every hvc1 item's data (its first NAL length field). */
function hvcItemStarts(file: Uint8Array): number[] {
  const meta = metaOf(file);
  const out: number[] = [];
  for (const info of meta.items.values()) {
    const loc = meta.locations.get(info.itemId);
    if (info.itemType !== 'hvc1' || !loc || loc.constructionMethod !== 0) continue;
    const ext = itemExtents(meta, loc, 0, file.length);
    if (typeof ext !== 'string' && ext[0]) out.push(ext[0].offset);
  }
  return out;
}

describe.skipIf(mediaFiles.length === 0)('real HEIC/HEIF files from ../shared/media/heic', () => {
  it.each(mediaFiles)('%s comes back byte-exact and complete', (name) => {
    const bytes = readFileSync(join(heicDir, name));
    const img = embed(bytes, AT);
    const r = carve(img);
    expect(r?.status, r?.notes.join('; ')).toBe('complete');
    expect(resultLength(r!)).toBe(bytes.length);
    expect(sha256(img.subarray(AT, AT + bytes.length))).toBe(sha256(bytes));
  });

  it('reads EXIF through the Exif item (iloc base_offset resolved by the carver, not exifr)', async () => {
    const bytes = readFileSync(join(heicDir, mediaFiles.find((f) => f.startsWith('h010'))!));
    const img = embed(bytes, AT);
    const r = carve(img)!;
    const described = await heicCarver.describe!(new BufferReader(img), r);
    expect(described['make']).toBe('Apple');
    expect(typeof described['dateTimeOriginal']).toBe('string');
    expect(r.metadata?.['primaryItemType']).toBe('grid');
    expect(r.metadata?.['tiles']).toBe(48);
  });

  it('property: a zeroed sector inside a tile (lengths and headers intact) is never complete', () => {
    const files = mediaFiles.slice(0, 8).map((f) => readFileSync(join(heicDir, f)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.integer({ min: 3, max: 512 }), (i, pick, run) => {
        const bytes = files[i]!;
        const starts = hvcItemStarts(bytes);
        const start = starts[pick % starts.length]!;
        const img = embed(bytes, AT);
        // Zero bytes well inside the first NAL unit of the item (its length field and header stay as they were).
        const len = new DataView(bytes.buffer, bytes.byteOffset).getUint32(start);
        fc.pre(len > 2 * 512 + run);
        const at = AT + start + 4 + 2 + 512;
        img.fill(0, at, at + run);
        const r = carve(img);
        expect(r?.status).not.toBe('complete');
      }),
      { numRuns: 40 },
    );
  });

  it('reads item payloads within the per-file budget, and checks the items past it by lengths and headers', () => {
    const bytes = readFileSync(join(heicDir, mediaFiles.find((f) => f.startsWith('h010'))!));
    const meta = metaOf(bytes);
    const counting = (): { reader: BufferReader; read: () => number } => {
      const inner = new BufferReader(bytes);
      let n = 0;
      const reader = Object.assign(Object.create(inner) as BufferReader, {
        bytes: (at: number, len: number): Uint8Array => {
          const b = inner.bytes(at, len);
          n += b.length;
          return b;
        },
      });
      return { reader, read: () => n };
    };
    const full = counting();
    const all = checkItems(full.reader, meta, 0, bytes.length);
    const small = counting();
    const capped = checkItems(small.reader, meta, 0, bytes.length, 64 * 1024);
    expect(all.problem).toBeUndefined();
    expect(capped.problem).toBeUndefined();
    expect(capped.checked).toBe(all.checked);
    expect(full.read()).toBeGreaterThan(bytes.length / 2); // every tile read whole
    expect(small.read()).toBeLessThan(64 * 1024 + 64 * 1024); // the budget, plus lengths and headers of the rest
  });

  it('property: a file cut anywhere is never complete', () => {
    const files = mediaFiles.slice(0, 6).map((f) => readFileSync(join(heicDir, f)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.double({ min: 0, max: 0.999, noNaN: true }), (i, f) => {
        const bytes = files[i]!;
        const cut = Math.floor(bytes.length * f);
        const img = new Uint8Array(AT + cut);
        img.set(bytes.subarray(0, cut), AT);
        const r = carve(img);
        expect(r?.status ?? 'none').not.toBe('complete');
      }),
      { numRuns: 60 },
    );
  });

  it('property: a tile whose NAL length field is overwritten is never complete', () => {
    const files = mediaFiles.slice(0, 8).map((f) => readFileSync(join(heicDir, f)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.integer({ min: 1, max: 0xffffffff }), (i, pick, value) => {
        const bytes = Uint8Array.from(files[i]!);
        const starts = hvcItemStarts(bytes);
        const at = starts[pick % starts.length]!;
        const old = new DataView(bytes.buffer).getUint32(at);
        fc.pre(value !== old);
        new DataView(bytes.buffer).setUint32(at, value);
        const r = carve(embed(bytes, AT));
        expect(r?.status ?? 'none').not.toBe('complete');
      }),
      { numRuns: 80 },
    );
  });

  it('property: lying box sizes anywhere in the metadata never crash or run outside the image', () => {
    const files = mediaFiles.slice(0, 8).map((f) => readFileSync(join(heicDir, f)));
    fc.assert(
      fc.property(fc.integer({ min: 0, max: files.length - 1 }), fc.nat(), fc.integer({ min: 0, max: 0xffffffff }), (i, pick, size) => {
        const bytes = Uint8Array.from(files[i]!);
        // Every 4-byte field just before a plausible box type in the first 64 KiB is a size field.
        const sizes: number[] = [];
        for (let k = 4; k + 4 < Math.min(bytes.length, 65536); k++) {
          if ([0, 1, 2, 3].every((d) => bytes[k + d]! >= 0x61 && bytes[k + d]! <= 0x7a)) sizes.push(k - 4);
        }
        const at = sizes[pick % sizes.length]!;
        const dv = new DataView(bytes.buffer);
        fc.pre(dv.getUint32(at) !== size);
        dv.setUint32(at, size);
        const img = embed(bytes, AT);
        const r = carve(img);
        if (r) {
          expect(['complete', 'truncated', 'damaged']).toContain(r.status);
          expect(r.byteRuns[0]!.imgOffset).toBe(AT);
          expect(AT + resultLength(r)).toBeLessThanOrEqual(img.length);
          // Complete only when the walk found every item in place, which the note counts.
          if (r.status === 'complete') expect(r.notes.join(' ')).toMatch(/\d+ items checked/);
        }
      }),
      { numRuns: 150 },
    );
  });
});

describe('hostile input', () => {
  const ftyp = Uint8Array.from([0, 0, 0, 24, ...Buffer.from('ftypheic'), 0, 0, 0, 0, ...Buffer.from('mif1heic')]);

  it('property: random bytes after a real ftyp are never a complete file', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 4000 }), (junk) => {
        const file = new Uint8Array(ftyp.length + junk.length);
        file.set(ftyp);
        file.set(junk, ftyp.length);
        const r = carve(embed(file, AT));
        expect(r?.status ?? 'none').not.toBe('complete');
      }),
      { numRuns: 300 },
    );
  });

  it('a meta holding a million tiny boxes costs bounded work and is not complete', () => {
    const n = 1_000_000;
    const meta = new Uint8Array(12 + 8 * n);
    const dv = new DataView(meta.buffer);
    dv.setUint32(0, meta.length);
    meta.set(Buffer.from('meta'), 4);
    for (let i = 0; i < n; i++) {
      dv.setUint32(12 + 8 * i, 8);
      meta.set(Buffer.from('free'), 16 + 8 * i);
    }
    const file = new Uint8Array(ftyp.length + meta.length);
    file.set(ftyp);
    file.set(meta, ftyp.length);
    const r = carve(embed(file, AT));
    expect(r?.status ?? 'none').not.toBe('complete');
    expect(r?.notes.join(' ') ?? '').toMatch(/budget|lacks/);
  });

  it('a 64-bit largesize that points past the image end gives a truncated file, not a complete one', () => {
    const mdat = Uint8Array.from([0, 0, 0, 1, ...Buffer.from('mdat'), 0, 0, 0, 1, 0, 0, 0, 0]);
    const file = new Uint8Array(ftyp.length + mdat.length);
    file.set(ftyp);
    file.set(mdat, ftyp.length);
    const img = new Uint8Array(AT + file.length + 100);
    img.set(file, AT);
    const r = carve(img);
    expect(r?.status ?? 'none').not.toBe('complete');
  });
});

const work = mkdtempSync(join(tmpdir(), 'rawcarve-heic-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const canGenerate = has('heif-enc') && existsSync('/usr/bin/convert-im6.q16');

describe.skipIf(!canGenerate)('heif-enc variants (needs heif-enc and ImageMagick)', () => {
  const samples = join(REPO, 'test-images/samples');
  const make = (name: string, input: string, args: string[]): Buffer => {
    const out = join(work, name);
    execFileSync('heif-enc', [...args, '-o', out, input], { stdio: 'pipe' });
    return readFileSync(out);
  };
  const small = (src: string, name: string, extra: string[] = []): string => {
    const out = join(work, name);
    execFileSync('/usr/bin/convert-im6.q16', [join(samples, src), '-resize', '256x192', ...extra, out]);
    return out;
  };

  it.each([
    ['plain HEVC with EXIF from the JPEG', () => make('a.heic', join(samples, 'IMG_0001.JPG'), ['-q', '40'])],
    ['with a thumbnail item (thmb)', () => make('b.heic', small('IMG_0004.JPG', 'b.jpg'), ['-q', '40', '-t', '64'])],
    ['with an alpha plane (auxl)', () => make('c.heic', small('IMG_0005.JPG', 'c.png', ['-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%']), ['-q', '40'])],
    ['lossless', () => make('d.heic', small('IMG_0006.JPG', 'd.png'), ['-L', '-p', 'chroma=444'])],
    ['AVIF (av01 item)', () => make('e.avif', small('IMG_0002.JPG', 'e.jpg'), ['-A', '-q', '40'])],
  ])('%s comes back byte-exact', (_what, build) => {
    const bytes = build();
    const img = embed(bytes, AT);
    const r = carve(img);
    expect(r?.status, r?.notes.join('; ')).toBe('complete');
    expect(resultLength(r!)).toBe(bytes.length);
  });

  it('--verify decode: heic-decode decodes the carved primary image and the report gets its size', async () => {
    const bytes = make('v.heic', small('IMG_0003.JPG', 'v.jpg'), ['-q', '40']);
    const img = embed(bytes, AT);
    const r = carve(img)!;
    const m = await heicCarver.describe!(new BufferReader(img), r, { verifyDecode: true });
    expect(m).toMatchObject({ decoded: true, decodedWidth: r.metadata?.['width'], decodedHeight: r.metadata?.['height'] });
    expect(m['decodedHeight']).toBe(192);
    const plain = await heicCarver.describe!(new BufferReader(img), r, { verifyDecode: false });
    expect(plain['decoded']).toBeUndefined();
  });

  it.skipIf(!has('ffmpeg'))('Samsung-style motion photo: the mpvd box with its MP4 stays part of the file', () => {
    const still = make('m.heic', small('IMG_0008.JPG', 'm.jpg'), ['-q', '40']);
    const mp4 = join(work, 'm.mp4');
    execFileSync('ffmpeg', ['-v', 'error', '-y', '-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-t', '1', '-c:v', 'libx264', '-pix_fmt', 'yuv420p', mp4]);
    const video = readFileSync(mp4);
    const mpvd = new Uint8Array(8 + video.length);
    new DataView(mpvd.buffer).setUint32(0, mpvd.length);
    mpvd.set(Buffer.from('mpvd'), 4);
    mpvd.set(video, 8);
    const bytes = Uint8Array.from(Buffer.concat([still, mpvd]));
    const img = embed(bytes, AT);
    const r = carve(img);
    expect(r?.status).toBe('complete');
    expect(resultLength(r!)).toBe(bytes.length);
    expect(String(r!.metadata?.['boxes'])).toMatch(/mpvd$/);
  });
});
