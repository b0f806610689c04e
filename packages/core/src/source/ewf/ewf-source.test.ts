import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ImageReadError } from '../image-source.js';
import { openImageSource } from '../open.js';
import { adler32 } from './adler32.js';
import { EwfSource } from './ewf-source.js';
import { readSectionChain } from './section-descriptor.js';
import { SegmentFile } from './segment-file.js';
import { COMPRESSED_FLAG, OFFSET_MASK, readTableSection } from './table-section.js';

const hasEwfacquire = spawnSync('which', ['ewfacquire']).status === 0;
if (!hasEwfacquire) console.warn('EWF source tests skipped: ewfacquire is not installed (apt-get install ewf-tools, or scripts/install-test-tools.sh)');

/** Made when the tests run (not when they are skipped), removed after. */
let work = '';

const CASE = { caseNumber: 'case-42', description: 'test card', evidenceNumber: 'ev-7', examiner: 'J. Examiner', notes: 'seized in a drawer' };
const hex = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');

/** Random (stored chunks), text and zeros (compressed chunks), random again; a few sectors past 4 MiB so the last chunk is short. */
function makeRaw(size: number): Buffer {
  const b = Buffer.alloc(size);
  let x = 0x9e3779b9;
  const rand = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      x ^= x << 13;
      x ^= x >>> 17;
      x ^= x << 5;
      b[i] = x & 0xff;
    }
  };
  rand(0, 1 << 20);
  for (let i = 1 << 20, n = 0; i < 2 << 20; n++) i += b.write(`rawcarve EWF test line ${n}\n`, i);
  rand(5 << 19, size);
  return b;
}

/** Runs ewfacquire on `raw` and returns the first segment's path. */
function acquire(raw: string, name: string, args: string[]): string {
  const dir = join(work, name);
  mkdirSync(dir);
  execFileSync('ewfacquire', ['-u', '-q', '-t', join(dir, 'image'), ...args, '-S', '1MiB', '-C', CASE.caseNumber, '-D', CASE.description,
    '-E', CASE.evidenceNumber, '-e', CASE.examiner, '-N', CASE.notes, '-m', 'fixed', '-M', 'logical', '-o', '0', raw], { stdio: 'pipe' });
  return join(dir, readdirSync(dir).sort()[0]!);
}

/** Copies a segment set (all files of its folder) to a new folder and returns the new first segment. */
function copySet(first: string, name: string): string {
  const from = join(first, '..');
  const to = join(work, name);
  mkdirSync(to);
  for (const f of readdirSync(from)) copyFileSync(join(from, f), join(to, f));
  return join(to, first.slice(from.length + 1));
}

const VARIANTS: [string, string[]][] = [
  ['encase6 best + sha1', ['-f', 'encase6', '-c', 'deflate:best', '-d', 'sha1']],
  ['encase6 uncompressed', ['-f', 'encase6', '-c', 'none']],
  ['encase5 fast', ['-f', 'encase5', '-c', 'deflate:fast']],
  ['encase2', ['-f', 'encase2', '-c', 'deflate:best']],
  ['ftk', ['-f', 'ftk', '-c', 'deflate:fast']],
  ['linen6', ['-f', 'linen6', '-c', 'deflate:best']],
  ['ewf (original layout, chunks in tables)', ['-f', 'ewf', '-c', 'deflate:best']],
];

describe.skipIf(!hasEwfacquire)('EwfSource on images made by ewfacquire', () => {
  const raw = makeRaw((4 << 20) + 3 * 512);
  const firsts = new Map<string, string>();

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rawcarve-ewf-'));
    writeFileSync(join(work, 'raw.img'), raw);
    VARIANTS.forEach(([name, args], i) => firsts.set(name, acquire(join(work, 'raw.img'), `v${i}`, args)));
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it.each(VARIANTS)('%s: every byte, the stored hashes and the case metadata', (name) => {
    const src = openImageSource(firsts.get(name)!);
    try {
      expect(src).toBeInstanceOf(EwfSource);
      const ewf = src as EwfSource;
      expect(ewf.kind).toBe('ewf');
      expect(ewf.info.segments.length).toBeGreaterThanOrEqual(3);
      expect(ewf.size).toBe(raw.length);
      const all = new Uint8Array(ewf.size);
      for (let at = 0; at < all.length; at += 333_333) ewf.readInto(at, all, at, Math.min(333_333, all.length - at));
      expect(Buffer.compare(Buffer.from(all), raw)).toBe(0);
      expect(ewf.info.hashes.md5).toBe(hex('md5', raw));
      if (name.includes('sha1')) expect(ewf.info.hashes.sha1).toBe(hex('sha1', raw));
      expect(ewf.info.case).toMatchObject(CASE);
      expect(ewf.info.case?.acquiryDate).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d/);
      expect(ewf.info.warnings).toEqual([]);
      expect(ewf.readInto(ewf.size - 10, new Uint8Array(100), 0, 100)).toBe(10); // short only at the end
    } finally {
      src.close();
    }
  });

  it.each(VARIANTS.slice(0, 2))('%s: random reads, and reads across every chunk and segment boundary', (name) => {
    const src = openImageSource(firsts.get(name)!);
    try {
      const chunk = (src as EwfSource).info.chunkSize;
      for (let b = chunk; b < src.size; b += chunk) {
        const len = Math.min(1000, src.size - (b - 300));
        const got = new Uint8Array(len);
        expect(src.readInto(b - 300, got, 0, len)).toBe(len);
        expect(Buffer.from(got).equals(raw.subarray(b - 300, b - 300 + len))).toBe(true);
      }
      fc.assert(
        fc.property(fc.nat(src.size - 1), fc.nat(3 * chunk), fc.nat(7), (offset, length, intoOffset) => {
          const into = new Uint8Array(length + intoOffset);
          const n = src.readInto(offset, into, intoOffset, length);
          expect(n).toBe(Math.min(length, src.size - offset));
          return Buffer.from(into.subarray(intoOffset, intoOffset + n)).equals(raw.subarray(offset, offset + n));
        }),
        { numRuns: 300 },
      );
    } finally {
      src.close();
    }
  });

  it('reports a corrupt chunk (stored or compressed) as an ImageReadError at its offset, and still reads the others', () => {
    const first = firsts.get('encase6 best + sha1')!;
    for (const kind of ['stored', 'compressed'] as const) {
      const copy = copySet(first, `bad-${kind}`);
      const { index, file, fileOffset } = findChunk(new EwfSource(copy).info.segments, kind === 'compressed');
      const bytes = readFileSync(file);
      bytes[fileOffset]! ^= 0x55;
      writeFileSync(file, bytes);

      const src = new EwfSource(copy);
      const chunk = src.info.chunkSize;
      const bad: number[] = [];
      for (let c = 0; c * chunk < src.size; c++) {
        const len = Math.min(chunk, src.size - c * chunk);
        const got = new Uint8Array(len);
        try {
          src.readInto(c * chunk, got, 0, len);
          expect(Buffer.from(got).equals(raw.subarray(c * chunk, c * chunk + len))).toBe(true);
        } catch (err) {
          expect(err).toBeInstanceOf(ImageReadError);
          expect((err as ImageReadError).offset).toBe(c * chunk);
          expect((err as Error).message).toContain(`image offset ${c * chunk}`);
          bad.push(c);
        }
      }
      expect(bad).toEqual([index]);
      // A read spanning it fails naming the bad chunk; its neighbours still read.
      expect(() => src.readInto(index * chunk - 10, new Uint8Array(20), 0, 20)).toThrow(ImageReadError);
      expect(src.readInto(index * chunk - 10, new Uint8Array(10), 0, 10)).toBe(10);
      src.close();
    }
  });

  it('fails with a clear message when a segment is missing or cut short', () => {
    const first = copySet(firsts.get('encase6 best + sha1')!, 'truncated');
    const last = new EwfSource(first).info.segments.at(-1)!;
    truncateSync(last, 500_000);
    expect(() => openImageSource(first)).toThrow(/truncated/);
    rmSync(last);
    expect(() => openImageSource(first)).toThrow(new RegExp(`${last.slice(-4)} is missing: the segment set is incomplete`));
  });

  it('rejects hostile section chains: a loop, a size that disagrees, a bad descriptor checksum', () => {
    const first = copySet(firsts.get('encase6 best + sha1')!, 'hostile');
    const second = new EwfSource(first).info.segments[1]!;
    const pristine = readFileSync(second);
    const seg = new SegmentFile(second);
    const [d0, d1] = readSectionChain(seg).sections;
    seg.close();
    const patch = (at: number, field: number, value: number, fixChecksum: boolean): void => {
      const b = Buffer.from(pristine);
      b.writeBigUInt64LE(BigInt(value), at + field);
      if (fixChecksum) b.writeUInt32LE(adler32(b, at, at + 72), at + 72);
      writeFileSync(second, b);
    };
    patch(d1!.offset, 16, d0!.offset, true); // "sectors" points back at "data"
    expect(() => openImageSource(first)).toThrow(/loops/);
    patch(d1!.offset, 24, 12345, true);
    expect(() => openImageSource(first)).toThrow(/disagrees/);
    patch(d1!.offset, 24, 12345, false);
    expect(() => openImageSource(first)).toThrow(/checksum mismatch/);
  });

  it('keeps a final partial sector, which libewf stores and hashes past the sector count', () => {
    const odd = raw.subarray(0, (1 << 20) + 700);
    writeFileSync(join(work, 'odd.img'), odd);
    const src = new EwfSource(acquire(join(work, 'odd.img'), 'odd', ['-f', 'encase6', '-c', 'deflate:fast']));
    expect(src.info.volume.sectorCount).toBe(Math.floor(odd.length / 512));
    expect(src.size).toBe(odd.length);
    const all = new Uint8Array(src.size);
    src.readInto(0, all, 0, all.length);
    expect(Buffer.from(all).equals(odd)).toBe(true);
    expect(hex('md5', all)).toBe(src.info.hashes.md5);
    src.close();
  });

  it('falls back to the table2 copy when a table fails its checksum', () => {
    const first = copySet(firsts.get('encase6 best + sha1')!, 'table2');
    const second = new EwfSource(first).info.segments[1]!;
    const seg = new SegmentFile(second);
    const table = readSectionChain(seg).sections.find((d) => d.type === 'table')!;
    seg.close();
    const b = readFileSync(second);
    b[table.dataStart + 24 + 5]! ^= 0x01; // inside the second entry
    writeFileSync(second, b);
    const src = new EwfSource(first);
    expect(src.info.warnings.join('\n')).toMatch(/used the table2 copy/);
    const all = new Uint8Array(src.size);
    src.readInto(0, all, 0, all.length);
    expect(hex('md5', all)).toBe(src.info.hashes.md5);
    src.close();
  });

  it('opens despite damaged metadata (a hash section, the header2 text), with warnings', () => {
    const first = copySet(firsts.get('encase6 best + sha1')!, 'metadata');
    const segments = new EwfSource(first).info.segments;
    const damage = (path: string, type: string): void => {
      const seg = new SegmentFile(path);
      const d = readSectionChain(seg).sections.find((x) => x.type === type)!;
      seg.close();
      const b = readFileSync(path);
      b[d.dataStart + 3]! ^= 0xff;
      writeFileSync(path, b);
    };
    damage(segments.at(-1)!, 'hash');
    damage(segments[0]!, 'header2');
    const src = new EwfSource(first);
    expect(src.info.warnings.join('\n')).toMatch(/"hash" section checksum mismatch/);
    expect(src.info.warnings.join('\n')).toMatch(/"header2" section does not inflate/);
    expect(src.info.hashes).toEqual({ md5: hex('md5', raw), sha1: hex('sha1', raw) }); // from the digest section
    expect(src.info.case).toMatchObject(CASE); // the second header2 copy, or the header section
    src.close();
  });
});

/** The global index and file location of the first chunk stored compressed (or not) in the segments after the first. */
function findChunk(segments: readonly string[], compressed: boolean): { index: number; file: string; fileOffset: number } {
  let index = 0;
  for (const [s, path] of segments.entries()) {
    const seg = new SegmentFile(path);
    const { sections } = readSectionChain(seg);
    for (const d of sections.filter((x) => x.type === 'table')) {
      const t = readTableSection(seg, d, true);
      for (const [k, e] of t.entries.entries()) {
        const next = t.entries[k + 1];
        if (s > 0 && ((e & COMPRESSED_FLAG) !== 0) === compressed && next !== undefined) {
          seg.close();
          const start = t.baseOffset + (e & OFFSET_MASK);
          return { index: index + k, file: path, fileOffset: start + Math.floor((t.baseOffset + (next & OFFSET_MASK) - start) / 2) };
        }
      }
      index += t.entries.length;
    }
    seg.close();
  }
  throw new Error(`no ${compressed ? 'compressed' : 'stored'} chunk found after the first segment`);
}
