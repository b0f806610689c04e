import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferReader } from '../reader/source-reader.js';
import type { FileRecord } from '../report/types.js';
import { checksum, dosTime } from './fat-dir.js';
import { reassemblyHints } from './hints.js';
import { matchFiles } from './match.js';
import { SpaceMap } from './space.js';
import type { FsEntry, FsVolume } from './types.js';
import { analyzeFileSystems } from './volume.js';

const has = (t: string): boolean => spawnSync('which', [t]).status === 0;
const mtools = has('mkfs.vfat') && has('mcopy');
if (!mtools) console.warn('FAT tests with real images skipped: they need mkfs.vfat and mtools (scripts/install-test-tools.sh)');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-fs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Runs an mtools command on an image; TZ=UTC so the entries hold the UTC times of the source files. */
function m(image: string, cmd: string, ...args: string[]): string {
  return execFileSync(cmd, ['-i', image, ...args], { encoding: 'utf8', env: { ...process.env, MTOOLS_SKIP_CHECK: '1', TZ: 'UTC' } });
}

/** A file of `n` pseudo-random bytes with modification time `when`. */
function source(name: string, n: number, when: Date, seed = 1): string {
  const b = Buffer.alloc(n);
  let x = seed;
  for (let i = 0; i < n; i++) b[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
  const path = join(work, name);
  writeFileSync(path, b);
  utimesSync(path, when, when);
  return path;
}

const T1 = new Date(Date.UTC(2021, 2, 4, 5, 6, 8));
const T2 = new Date(Date.UTC(2022, 11, 31, 23, 59, 58));
const iso = (d: Date): string => d.toISOString().slice(0, 19);

/**
 * A card as a camera and a user leave it: folders, long and 8.3 names,
 * files deleted (a long-named one among them), a deleted folder with a file
 * in it, and a file written into the hole a deleted one left (fragmented).
 */
function buildCard(name: string, fatBits: 12 | 16 | 32, kib: number, spc: number): { image: string; chains: Record<string, number[][]> } {
  const image = join(work, name);
  rmSync(image, { force: true });
  execFileSync('mkfs.vfat', ['-F', String(fatBits), '-s', String(spc), '-n', 'TESTCARD', '-C', image, String(kib)], { stdio: 'pipe' });
  const cs = spc * 512;
  m(image, 'mmd', '::/DCIM', '::/DCIM/100TEST', '::/OLDDIR');
  m(image, 'mcopy', '-m', source('a', cs * 3, T1, 1), '::/DCIM/100TEST/Holiday photo.jpg');
  m(image, 'mcopy', '-m', source('b', cs * 2 + 100, T2, 2), '::/DCIM/100TEST/IMG_0002.JPG');
  m(image, 'mcopy', '-m', source('c', cs * 4 + 7, T1, 3), '::/DCIM/100TEST/IMG_0003.JPG');
  m(image, 'mcopy', '-m', source('d', cs + 1, T2, 4), '::/DCIM/100TEST/Deleted long name.jpg');
  m(image, 'mcopy', '-m', source('e', 5000, T1, 5), '::/OLDDIR/INSIDE.BIN');
  m(image, 'mdel', '::/DCIM/100TEST/IMG_0002.JPG', '::/DCIM/100TEST/Deleted long name.jpg');
  // Larger than the hole IMG_0002 left: fragmented. (In another folder: a new entry takes the first deleted slot of its own.)
  m(image, 'mcopy', '-m', source('f', cs * 6, T2, 6), '::/DCIM/IMG_0004.JPG');
  m(image, 'mdeltree', '::/OLDDIR');
  const chains: Record<string, number[][]> = {};
  for (const p of ['DCIM/100TEST/Holiday photo.jpg', 'DCIM/100TEST/IMG_0003.JPG', 'DCIM/IMG_0004.JPG']) {
    const out = m(image, 'mshowfat', `::/${p}`);
    chains[p] = [...out.matchAll(/<(\d+)(?:-(\d+))?>/g)].map((x) => [Number(x[1]), Number(x[2] ?? x[1])]);
  }
  return { image, chains };
}

const byPath = (v: FsVolume, path: string): FsEntry | undefined => v.entries.find((e) => e.path === path);

describe.skipIf(!mtools)('FAT volumes made by mkfs.vfat and mtools', () => {
  for (const [bits, kib, spc] of [[12, 1440, 1], [16, 16384, 4], [32, 40000, 1]] as const) {
    it(`FAT${bits}: the tree with long names, deleted entries and folders, times, chains and free space`, () => {
      const { image, chains } = buildCard(`fat${bits}.img`, bits, kib, spc);
      const bytes = readFileSync(image);
      const a = analyzeFileSystems(new BufferReader(bytes));
      expect(a.volumes).toHaveLength(1);
      const v = a.volumes[0]!;
      expect(v.type).toBe(`FAT${bits}`);
      expect(v.scheme).toBe('none');
      expect(v.label).toBe('TESTCARD');
      expect(v.clusterSize).toBe(spc * 512);
      expect(v.warnings).toEqual([]);

      const live = byPath(v, 'DCIM/100TEST/Holiday photo.jpg')!;
      expect(live).toMatchObject({ name: 'Holiday photo.jpg', shortName: 'HOLIDA~1.JPG', lfn: true, deleted: false, size: spc * 512 * 3 });
      expect(live).toMatchObject({ modified: iso(T1), created: iso(T1), accessed: iso(T1).slice(0, 10) });

      const gone = byPath(v, 'DCIM/100TEST/_MG_0002.JPG')!;
      expect(gone).toMatchObject({ deleted: true, lfn: false, shortName: '_MG_0002.JPG', size: spc * 512 * 2 + 100, modified: iso(T2) });
      // A deleted long name comes back whole, and its checksum restores the 8.3 name's first letter.
      const gone2 = byPath(v, 'DCIM/100TEST/Deleted long name.jpg')!;
      expect(gone2).toMatchObject({ deleted: true, lfn: true, shortName: 'DELETE~1.JPG', size: spc * 512 + 1, modified: iso(T2) });
      // A deleted folder is read from its first cluster: its files are deleted too.
      expect(byPath(v, '_LDDIR')).toMatchObject({ deleted: true, directory: true });
      expect(byPath(v, '_LDDIR/_NSIDE.BIN')).toMatchObject({ deleted: true, size: 5000, modified: iso(T1) });

      // Live files' runs are their cluster chains (mshowfat's), fragmented included.
      for (const [p, ranges] of Object.entries(chains)) {
        const e = byPath(v, p)!;
        expect(e.runs.map((r) => [(r.imgOffset - v.dataStart) / v.clusterSize + 2, r.length])).toEqual(
          ranges.map(([f, l], i) => [f, i === ranges.length - 1 ? e.size - ranges.slice(0, -1).reduce((n, [x, y]) => n + (y! - x! + 1) * v.clusterSize, 0) : (l! - f! + 1) * v.clusterSize]),
        );
      }
      // mtools fills holes first on FAT12/16; on FAT32 it allocates from FSInfo's next-free pointer.
      if (bits !== 32) expect(chains['DCIM/IMG_0004.JPG']!.length).toBeGreaterThan(1);

      // Free space: what mdir counts as free, and nothing of it before the data area.
      const free = Number(/([\d ]+) bytes free/.exec(m(image, 'mdir', '::/'))![1]!.replace(/ /g, ''));
      expect((v.clusters - v.allocatedClusters) * v.clusterSize).toBe(free);
      const space = new SpaceMap(a.volumes, bytes.length);
      const ranges = space.freeIn(0, bytes.length);
      expect(ranges[0]).toBeGreaterThanOrEqual(v.dataStart);
      const heap = v.dataStart + v.clusters * v.clusterSize;
      let inHeap = 0;
      for (let i = 0; i < ranges.length; i += 2) inHeap += Math.min(ranges[i + 1]!, heap) - Math.min(ranges[i]!, heap);
      expect(inHeap).toBe(free);
      // A deleted file's clusters are free; a live one's are not.
      const inside = byPath(v, '_LDDIR/_NSIDE.BIN')!.runs[0]!;
      expect(space.count(inside.imgOffset, inside.imgOffset + inside.length).free).toBe(inside.length);
      expect(space.count(live.runs[0]!.imgOffset, live.runs[0]!.imgOffset + live.size).allocated).toBe(live.size);
    });
  }

  it('matches carved files to entries: live before an overwritten deleted one, deleted by first cluster, inside a live file; hints for reassembly', () => {
    const { image } = buildCard('match.img', 16, 16384, 4);
    const bytes = readFileSync(image);
    const a = analyzeFileSystems(new BufferReader(bytes));
    const v = a.volumes[0]!;
    const space = new SpaceMap(a.volumes, bytes.length);
    const rec = (imgOffset: number, size: number, runs = [{ imgOffset, fileOffset: 0, length: size }]): FileRecord =>
      ({ path: `files/x/f${imgOffset}`, imgOffset, size, byteRuns: runs }) as unknown as FileRecord;
    const img4 = byPath(v, 'DCIM/IMG_0004.JPG')!; // written into the clusters _MG_0002.JPG had
    const old = byPath(v, 'DCIM/100TEST/_MG_0002.JPG')!;
    expect(old.runs[0]!.imgOffset).toBe(img4.runs[0]!.imgOffset);
    const inside = byPath(v, '_LDDIR/_NSIDE.BIN')!;
    const live = byPath(v, 'DCIM/100TEST/IMG_0003.JPG')!;
    const files = [
      rec(img4.runs[0]!.imgOffset, img4.size, img4.runs.map((r, i) => ({ ...r, fileOffset: i === 0 ? 0 : img4.runs[0]!.length }))),
      rec(inside.runs[0]!.imgOffset, inside.size),
      rec(live.runs[0]!.imgOffset + v.clusterSize, 1000),
      rec(v.dataStart + (v.clusters - 1) * v.clusterSize, 100), // the last cluster: free, no entry
    ];
    const [summary] = matchFiles(a.volumes, space, files);
    expect(files[0]!.fs).toMatchObject({ path: 'DCIM/IMG_0004.JPG', deleted: false, match: 'exact' });
    expect(files[0]!.allocation).toBe('allocated');
    expect(files[1]!.fs).toMatchObject({ path: '_LDDIR/_NSIDE.BIN', deleted: true, match: 'exact', modified: iso(T1) });
    expect(files[1]!.allocation).toBe('unallocated');
    expect(files[2]!.fs).toMatchObject({ path: 'DCIM/100TEST/IMG_0003.JPG', match: 'inside', fileOffset: v.clusterSize });
    expect(files[3]!.fs).toBeUndefined();
    expect(files[3]!.allocation).toBe('unallocated');
    expect(summary).toMatchObject({ type: 'FAT16', matched: 3, matchedDeleted: 1, matchedLive: 2, deletedEntries: 3, liveEntries: 3, deletedUnmatched: 2 });

    // Reassembly: the live fragmented file's chain, the deleted one's size, the cluster grid, allocated clusters no file owns.
    const held = [img4, inside].map((e) => ({ carver: 'x', offset: e.runs[0]!.imgOffset, status: 'truncated' as const, byteRuns: [{ imgOffset: e.runs[0]!.imgOffset, fileOffset: 0, length: v.clusterSize }], notes: [] }));
    const h = reassemblyHints(a.volumes, space, held, held);
    expect(h.grid).toEqual({ size: v.clusterSize, base: v.dataStart % v.clusterSize });
    expect(h.hints.get(held[0]!.offset)).toMatchObject({ size: img4.size, runs: img4.runs });
    expect(h.hints.get(held[1]!.offset)).toMatchObject({ size: inside.size });
    expect(h.hints.get(held[1]!.offset)!.runs).toBeUndefined();
    const claimed = (x: number): boolean => h.claims.some((c) => x >= c.start && x < c.end);
    expect(claimed(live.runs[0]!.imgOffset)).toBe(true); // IMG_0003: allocated, carved by nobody here
    expect(claimed(img4.runs[1]!.imgOffset)).toBe(false); // the hinted chain's own clusters
    expect(claimed(inside.runs[0]!.imgOffset)).toBe(false); // free
  });

  it('stops at its budgets of entries, folders and depth, and says so', () => {
    const { image } = buildCard('budget.img', 12, 1440, 1);
    const bytes = readFileSync(image);
    const limits = { maxEntries: 3, maxDirs: 100, maxDepth: 64, maxDirBytes: 2 * 1024 * 1024, maxDeletedDirClusters: 64 };
    const v = analyzeFileSystems(new BufferReader(bytes), limits).volumes[0]!;
    expect(v.entries).toHaveLength(3);
    expect(v.warnings.some((w) => /more than 3 directory entries/.test(w))).toBe(true);
    const shallow = analyzeFileSystems(new BufferReader(bytes), { ...limits, maxEntries: 1000, maxDepth: 1 }).volumes[0]!;
    expect(shallow.entries.every((e) => !e.path.includes('/'))).toBe(true);
    expect(shallow.warnings.some((w) => /deeper than 1 levels/.test(w))).toBe(true);
  });

  it('finds the volume in an MBR partition and in a GPT partition', () => {
    const { image } = buildCard('part.img', 16, 16384, 4);
    const fat = readFileSync(image);
    const at = 2048 * 512;
    const mbr = Buffer.alloc(at + fat.length + 4096);
    fat.copy(mbr, at);
    mbr[446] = 0x80;
    mbr[446 + 4] = 0x06;
    mbr.writeUInt32LE(2048, 446 + 8);
    mbr.writeUInt32LE(fat.length / 512, 446 + 12);
    mbr[510] = 0x55;
    mbr[511] = 0xaa;
    const a = analyzeFileSystems(new BufferReader(mbr));
    expect(a.scheme).toBe('mbr');
    expect(a.volumes.map((v) => [v.type, v.partitionOffset, v.partitionIndex])).toEqual([['FAT16', at, 1]]);
    expect(byPath(a.volumes[0]!, 'DCIM/100TEST/_MG_0002.JPG')!.runs[0]!.imgOffset).toBeGreaterThan(at);

    // The same volume behind a protective MBR and a GPT (one entry, at LBA 2048).
    const gpt = Buffer.from(mbr);
    gpt.fill(0, 446, 510);
    gpt[446 + 4] = 0xee;
    gpt.writeUInt32LE(1, 446 + 8);
    gpt.writeUInt32LE(0xffffffff, 446 + 12);
    gpt.write('EFI PART', 512, 'latin1');
    gpt.writeUInt32LE(92, 512 + 12);
    gpt.writeUInt32LE(2, 512 + 72);
    gpt.writeUInt32LE(128, 512 + 80);
    gpt.writeUInt32LE(128, 512 + 84);
    Buffer.from('a2a0d0ebe5b9334487c068b6b72699c7', 'hex').copy(gpt, 1024);
    gpt.writeUInt32LE(2048, 1024 + 32);
    gpt.writeUInt32LE(2048 + fat.length / 512 - 1, 1024 + 40);
    const g = analyzeFileSystems(new BufferReader(gpt));
    expect(g.scheme).toBe('gpt');
    expect(g.volumes.map((v) => [v.type, v.partitionOffset, v.partitionIndex])).toEqual([['FAT16', at, 1]]);
  });

  it('a folder whose entry points back at its parent (a cycle) and a chain that loops are read once, with warnings', () => {
    const { image } = buildCard('cycle.img', 16, 16384, 4);
    const b = Buffer.from(readFileSync(image));
    const v0 = analyzeFileSystems(new BufferReader(b)).volumes[0]!;
    // DCIM/100TEST's entry in DCIM now names DCIM's own first cluster.
    const dcim = byPath(v0, 'DCIM')!;
    const sub = byPath(v0, 'DCIM/100TEST')!;
    b.writeUInt16LE(dcim.firstCluster, sub.entryOffset + 26);
    // IMG_0003.JPG's chain loops: its second cluster points back to its first.
    const img3 = byPath(v0, 'DCIM/100TEST/IMG_0003.JPG')!;
    const fatOffset = v0.partitionOffset + b.readUInt16LE(14) * 512;
    b.writeUInt16LE(img3.firstCluster, fatOffset + (img3.firstCluster + 1) * 2);
    const v = analyzeFileSystems(new BufferReader(b)).volumes[0]!;
    expect(v.warnings.some((w) => /cycle/.test(w))).toBe(true);
    expect(v.entries.filter((e) => e.path.startsWith('DCIM/100TEST/')).length).toBe(0);
    b.writeUInt16LE(sub.firstCluster, sub.entryOffset + 26); // undo the cycle: the loop shows in the file's problem
    const w = analyzeFileSystems(new BufferReader(b)).volumes[0]!;
    expect(byPath(w, 'DCIM/100TEST/IMG_0003.JPG')!.problem).toMatch(/loops/);
  });
});

describe('FAT fields', () => {
  it('decodes DOS times with 10 ms, rejects impossible ones', () => {
    expect(dosTime((41 << 9) | (3 << 5) | 4, (5 << 11) | (6 << 5) | 4, 0)).toBe('2021-03-04T05:06:08');
    expect(dosTime((41 << 9) | (3 << 5) | 4, (5 << 11) | (6 << 5) | 4, 123)).toBe('2021-03-04T05:06:09.230');
    expect(dosTime((41 << 9) | (2 << 5) | 30, 0, 0)).toBeNull(); // 30 February
    expect(dosTime((41 << 9) | (3 << 5) | 4, (24 << 11), 0)).toBeNull();
    expect(dosTime(0, 0, 0)).toBeNull();
  });

  it('computes the LFN checksum of an 8.3 name as the spec does', () => {
    // "MYLONG~1JPG" with checksum 0xDC, as mtools wrote it (see the LFN entries of a real card).
    expect(checksum(Buffer.from('MYLONG~1JPG', 'latin1'))).toBe(0xdc);
  });
});

/** A small valid FAT16 image (built once) that hostile variants are made of. */
function baseImage(): Buffer | null {
  if (!mtools) return null;
  const image = join(work, 'base16.img');
  execFileSync('mkfs.vfat', ['-F', '16', '-s', '1', '-C', image, '4200'], { stdio: 'pipe' });
  m(image, 'mmd', '::/D1', '::/D1/D2');
  for (let i = 0; i < 6; i++) m(image, 'mcopy', source(`h${i}`, 700 * (i + 1), T1, i + 10), `::/D1/${i % 2 ? 'Long name ' : 'F'}${i}.BIN`);
  m(image, 'mdel', '::/D1/F2.BIN');
  return readFileSync(image);
}

describe.skipIf(!mtools)('hostile volumes: no crash, no hang', () => {
  const base = baseImage();
  const fields = [
    [11, 2], [13, 1], [14, 2], [16, 1], [17, 2], [19, 2], [22, 2], [32, 4], [36, 4], [44, 4],
  ] as const;

  it('any values in the boot sector fields (sector and cluster size 0, FAT past the image, lying cluster counts)', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom(...fields), fc.nat(0xffffffff)), { minLength: 1, maxLength: 6 }), fc.boolean(), (edits, fat32) => {
        const b = Buffer.from(base!);
        if (fat32) b.writeUInt16LE(0, 22); // as a FAT32 boot sector: the 32-bit FAT size counts
        for (const [[at, size], value] of edits) {
          if (size === 1) b[at] = value & 0xff;
          else if (size === 2) b.writeUInt16LE(value & 0xffff, at);
          else b.writeUInt32LE(value >>> 0, at);
        }
        const t0 = performance.now();
        const a = analyzeFileSystems(new BufferReader(b));
        expect(performance.now() - t0).toBeLessThan(5000);
        for (const v of a.volumes) {
          expect(v.dataStart + v.clusters * v.clusterSize).toBeLessThanOrEqual(b.length);
          for (const e of v.entries) for (const r of e.runs) expect(r.imgOffset + r.length).toBeLessThanOrEqual(b.length);
        }
      }),
      { numRuns: 300 },
    );
  });

  it('any bytes in the FAT and the folders (loops, cross-links, chains out of range, garbage entries)', () => {
    const v0 = analyzeFileSystems(new BufferReader(base!)).volumes[0]!;
    const metaEnd = v0.dataStart + 64 * v0.clusterSize; // FATs, root folder and the first clusters (the subfolders)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.integer({ min: 512, max: metaEnd - 1 }), fc.nat(255)), { minLength: 1, maxLength: 200 }), (edits) => {
        const b = Buffer.from(base!);
        for (const [at, value] of edits) b[at] = value;
        const t0 = performance.now();
        const a = analyzeFileSystems(new BufferReader(b));
        expect(performance.now() - t0).toBeLessThan(5000);
        const space = new SpaceMap(a.volumes, b.length);
        const free = space.freeIn(0, b.length);
        for (let i = 0; i + 1 < free.length; i += 2) expect(free[i]!).toBeLessThan(free[i + 1]!);
      }),
      { numRuns: 300 },
    );
  });

  it('random sectors are no volume and no partition table', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4096, maxLength: 4096 }), fc.boolean(), (bytes, signed) => {
        const b = Buffer.from(bytes);
        if (signed) {
          b[510] = 0x55;
          b[511] = 0xaa;
        }
        const a = analyzeFileSystems(new BufferReader(b));
        for (const v of a.volumes) expect(v.end).toBeLessThanOrEqual(b.length);
      }),
      { numRuns: 500 },
    );
  });
});
