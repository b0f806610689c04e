/**
 * A small exFAT writer (Microsoft's exFAT file system specification), for
 * tests of rawcarve's exFAT reader where no mkfs.exfat and no way to mount
 * is at hand. It writes what a reader needs: the boot sector, one FAT, the
 * allocation bitmap, an up-case table entry, the volume label and file
 * entry sets (file, stream extension, names) with their set checksum and
 * name hash. Files are contiguous (NoFatChain) unless `fragments` splits
 * them, which gives them a FAT chain. Deleting clears each entry's in-use bit
 * and the bitmap bits and leaves the rest, as exFAT drivers do. Not written:
 * the extended boot sectors, the boot checksum sector, a real up-case table.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

export interface ExfatFile {
  /** Path below the root, "/"-separated; any Unicode name (up to 255 characters). */
  path: string;
  bytes: Uint8Array;
  deleted?: boolean;
  /** Modification (and creation) time, written with a UTC offset of 0. */
  mtime?: Date;
  /** Split into this many pieces, written in reverse order with a cluster between: a FAT chain. */
  fragments?: number;
}

export interface ExfatLayout {
  size: number;
  clusterSize: number;
  dataStart: number;
  files: { path: string; runs: { imgOffset: number; length: number }[]; deleted: boolean; entryOffset: number }[];
}

const SECTOR = 512;

interface Dir {
  path: string;
  cluster: number;
  entries: Uint8Array[];
  /** Entry index of each file's set, to report entry offsets. */
}

export function writeExfatImage(outFile: string, files: ExfatFile[], opts: { clusterShift?: number; label?: string } = {}): ExfatLayout {
  const spcShift = opts.clusterShift ?? 3; // 4 KiB clusters
  const cs = SECTOR << spcShift;
  const dataBytes = files.reduce((n, f) => n + (Math.ceil(Math.max(1, f.bytes.length) / cs) + (f.fragments ?? 1)) * cs, 0);
  const clusters = Math.ceil(dataBytes / cs) + 64;
  const fatOffset = 24; // sectors
  const fatLength = Math.ceil(((clusters + 2) * 4) / SECTOR);
  const heapOffset = Math.ceil((fatOffset + fatLength) / (cs / SECTOR)) * (cs / SECTOR);
  const volumeSectors = heapOffset + clusters * (cs / SECTOR);
  const size = volumeSectors * SECTOR;
  const dataStart = heapOffset * SECTOR;
  const fat = new Uint32Array(clusters + 2);
  fat[0] = 0xfffffff8;
  fat[1] = 0xffffffff;
  const bitmap = new Uint8Array(Math.ceil(clusters / 8));
  const use = (c: number): void => void (bitmap[(c - 2) >>> 3]! |= 1 << ((c - 2) & 7));
  const free = (c: number): void => void (bitmap[(c - 2) >>> 3]! &= ~(1 << ((c - 2) & 7)));
  const off = (c: number): number => dataStart + (c - 2) * cs;
  let next = 2;
  const bitmapCluster = next++;
  use(bitmapCluster);
  fat[bitmapCluster] = 0xffffffff;
  const upcaseCluster = next++;
  use(upcaseCluster);
  fat[upcaseCluster] = 0xffffffff;
  const root: Dir = { path: '', cluster: next++, entries: [] };
  use(root.cluster);
  fat[root.cluster] = 0xffffffff;
  const dirs = new Map<string, Dir>([['', root]]);
  const dirOf = (path: string): Dir => {
    let cur = root;
    for (const part of path.split('/').slice(0, -1)) {
      const key = cur.path ? `${cur.path}/${part}` : part;
      let d = dirs.get(key);
      if (!d) {
        d = { path: key, cluster: next++, entries: [] };
        use(d.cluster);
        fat[d.cluster] = 0xffffffff;
        dirs.set(key, d);
        cur.entries.push(...entrySet(part, 0x10, d.cluster, cs, true, new Date(Date.UTC(2024, 0, 2, 3, 4, 6))));
      }
      cur = d;
    }
    return cur;
  };
  for (const f of files) dirOf(f.path);

  const layout: ExfatLayout = { size, clusterSize: cs, dataStart, files: [] };
  const fd = openSync(outFile, 'w');
  try {
    ftruncateSync(fd, size);
    const pending: { dir: Dir; index: number; count: number; file: ExfatFile; runs: ExfatLayout['files'][number]['runs'] }[] = [];
    for (const f of files) {
      const n = Math.max(1, Math.ceil(f.bytes.length / cs));
      const k = Math.max(1, Math.min(f.fragments ?? 1, n));
      // Pieces of the file, as cluster runs: k pieces laid out in reverse order with a free cluster between.
      const per = Math.ceil(n / k);
      const pieces: { first: number; count: number }[] = [];
      for (let i = 0; i < k; i++) pieces.push({ first: 0, count: Math.min(per, n - i * per) });
      for (let i = k - 1; i >= 0; i--) {
        pieces[i]!.first = next;
        next += pieces[i]!.count + (k > 1 ? 1 : 0);
      }
      const chain = pieces.flatMap((p) => Array.from({ length: p.count }, (_, j) => p.first + j));
      chain.forEach((c, i) => {
        if (k > 1) fat[c] = i === chain.length - 1 ? 0xffffffff : chain[i + 1]!;
        if (f.deleted) free(c);
        else use(c);
      });
      const runs = pieces.map((p, i) => ({ imgOffset: off(p.first), length: Math.min(p.count * cs, f.bytes.length - i * per * cs) }));
      let at = 0;
      for (const r of runs) {
        writeSync(fd, f.bytes, at, r.length, r.imgOffset);
        at += r.length;
      }
      const dir = dirOf(f.path);
      const set = entrySet(f.path.split('/').pop()!, 0x20, chain[0]!, f.bytes.length, k === 1, f.mtime ?? new Date(Date.UTC(2024, 5, 1, 12)));
      if (f.deleted) for (const e of set) e[0] = e[0]! & 0x7f;
      pending.push({ dir, index: dir.entries.length, count: set.length, file: f, runs });
      dir.entries.push(...set);
    }
    const label = opts.label ?? 'RAWCARVE';
    const labelEntry = new Uint8Array(32);
    labelEntry[0] = 0x83;
    labelEntry[1] = label.length;
    for (let i = 0; i < label.length; i++) new DataView(labelEntry.buffer).setUint16(2 + 2 * i, label.charCodeAt(i), true);
    const bitmapEntry = new Uint8Array(32);
    bitmapEntry[0] = 0x81;
    new DataView(bitmapEntry.buffer).setUint32(20, bitmapCluster, true);
    new DataView(bitmapEntry.buffer).setUint32(24, bitmap.length, true);
    const upcaseEntry = new Uint8Array(32);
    upcaseEntry[0] = 0x82;
    new DataView(upcaseEntry.buffer).setUint32(20, upcaseCluster, true);
    new DataView(upcaseEntry.buffer).setUint32(24, 2, true);
    root.entries.unshift(labelEntry, bitmapEntry, upcaseEntry);
    for (const d of dirs.values()) {
      if (d.entries.length * 32 > cs) throw new Error(`folder ${d.path || '/'} needs more than one cluster`);
      const buf = new Uint8Array(cs);
      d.entries.forEach((e, i) => buf.set(e, i * 32));
      writeSync(fd, buf, 0, buf.length, off(d.cluster));
    }
    for (const p of pending) {
      const shift = p.dir === root ? 3 : 0;
      layout.files.push({ path: p.file.path, runs: p.runs, deleted: !!p.file.deleted, entryOffset: off(p.dir.cluster) + (p.index + shift) * 32 });
    }
    writeSync(fd, bitmap, 0, bitmap.length, off(bitmapCluster));
    const fatBytes = new Uint8Array(fat.buffer);
    writeSync(fd, fatBytes, 0, fatBytes.length, fatOffset * SECTOR);
    writeSync(fd, bootSector(volumeSectors, fatOffset, fatLength, heapOffset, clusters, root.cluster, spcShift), 0, SECTOR, 0);
  } finally {
    closeSync(fd);
  }
  return layout;
}

function bootSector(volumeSectors: number, fatOffset: number, fatLength: number, heapOffset: number, clusters: number, rootCluster: number, spcShift: number): Uint8Array {
  const b = new Uint8Array(SECTOR);
  const v = new DataView(b.buffer);
  b.set([0xeb, 0x76, 0x90], 0);
  b.set([...'EXFAT   '].map((c) => c.charCodeAt(0)), 3);
  v.setUint32(72, volumeSectors, true);
  v.setUint32(80, fatOffset, true);
  v.setUint32(84, fatLength, true);
  v.setUint32(88, heapOffset, true);
  v.setUint32(92, clusters, true);
  v.setUint32(96, rootCluster, true);
  v.setUint32(100, 0x20240601, true);
  v.setUint16(104, 0x0100, true);
  b[108] = 9;
  b[109] = spcShift;
  b[110] = 1;
  b[111] = 0x80;
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

/** File, stream extension and name entries for one file or folder, checksummed. */
function entrySet(name: string, attr: number, first: number, size: number, contiguous: boolean, t: Date): Uint8Array[] {
  const names = Math.ceil(name.length / 15);
  const set = Array.from({ length: 2 + names }, () => new Uint8Array(32));
  const f = new DataView(set[0]!.buffer);
  set[0]![0] = 0x85;
  set[0]![1] = 1 + names;
  f.setUint16(4, attr, true);
  const ts = ((t.getUTCFullYear() - 1980) << 25) | ((t.getUTCMonth() + 1) << 21) | (t.getUTCDate() << 16) | (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1);
  for (const at of [8, 12, 16]) f.setUint32(at, ts >>> 0, true);
  set[0]![20] = (t.getUTCSeconds() & 1) * 100 + Math.floor(t.getUTCMilliseconds() / 10);
  set[0]![21] = set[0]![20]!;
  set[0]![22] = set[0]![23] = set[0]![24] = 0x80; // UTC offset valid, +0
  const s = new DataView(set[1]!.buffer);
  set[1]![0] = 0xc0;
  set[1]![1] = 0x01 | (contiguous ? 0x02 : 0);
  set[1]![3] = name.length;
  s.setUint16(4, nameHash(name), true);
  s.setUint32(8, size, true); // ValidDataLength
  s.setUint32(20, first, true);
  s.setUint32(24, size, true); // DataLength
  for (let k = 0; k < names; k++) {
    const e = set[2 + k]!;
    e[0] = 0xc1;
    for (let c = 0; c < 15 && k * 15 + c < name.length; c++) new DataView(e.buffer).setUint16(2 + 2 * c, name.charCodeAt(k * 15 + c), true);
  }
  let sum = 0;
  set.forEach((e, k) => e.forEach((byte, i) => {
    if (k === 0 && (i === 2 || i === 3)) return;
    sum = (((sum & 1) << 15) + (sum >>> 1) + byte) & 0xffff;
  }));
  f.setUint16(2, sum, true);
  return set;
}

function nameHash(name: string): number {
  let h = 0;
  for (const ch of name.toUpperCase()) {
    const u = ch.charCodeAt(0);
    for (const byte of [u & 0xff, u >>> 8]) h = (((h & 1) << 15) + (h >>> 1) + byte) & 0xffff;
  }
  return h;
}
