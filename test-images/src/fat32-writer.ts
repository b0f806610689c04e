/**
 * A minimal FAT32 writer (Microsoft FAT spec, "FAT: General Overview of
 * On-Disk Format"), so `rawcarve demo` can build a card image with no
 * mtools on the machine. Files are stored contiguously in the order given;
 * deleting marks the directory entry 0xE5 and frees the cluster chain in both
 * FATs, leaving the data in place — what a camera or OS does.
 */
import { closeSync, ftruncateSync, openSync, writeSync } from 'node:fs';

export interface Fat32File {
  /** 8.3 path below the root, e.g. "DCIM/100DEMO/IMG_0001.JPG". */
  path: string;
  bytes: Uint8Array;
  deleted?: boolean;
  /** Modification time written to the entry. */
  mtime?: Date;
}

export interface Fat32Layout {
  size: number;
  clusterSize: number;
  /** Image offset of cluster 2. */
  dataStart: number;
  /** Image offset of each file's data (contiguous), by path. */
  files: { path: string; offset: number; firstCluster: number; deleted: boolean }[];
}

const SECTOR = 512;
const RESERVED = 32;
const MIN_CLUSTERS = 65525 + 16; // below 65525 clusters a volume is FAT16 by definition
const EOC = 0x0fffffff;

interface Dir {
  name: string;
  cluster: number;
  parent: number;
  entries: Uint8Array[];
}

export function writeFat32Image(outFile: string, files: Fat32File[], opts: { sectorsPerCluster?: number; label?: string } = {}): Fat32Layout {
  const spc = opts.sectorsPerCluster ?? 1;
  const clusterSize = spc * SECTOR;
  const dataBytes = files.reduce((n, f) => n + Math.ceil(Math.max(1, f.bytes.length) / clusterSize) * clusterSize, 0);
  const clusters = Math.max(MIN_CLUSTERS, Math.ceil(dataBytes / clusterSize) + 64);
  const fatSectors = Math.ceil(((clusters + 2) * 4) / SECTOR);
  const totalSectors = RESERVED + 2 * fatSectors + clusters * spc;
  const dataStart = (RESERVED + 2 * fatSectors) * SECTOR;
  const fat = new Uint32Array(clusters + 2);
  fat[0] = 0x0ffffff8;
  fat[1] = EOC;

  // Directories first (one cluster each: 16 entries of 32 bytes with 512-byte clusters, more with larger).
  let next = 2;
  const dirs = new Map<string, Dir>();
  const root: Dir = { name: '', cluster: next++, parent: 0, entries: [] };
  fat[root.cluster] = EOC;
  // The volume label lives in the root directory too (and must match the boot sector's).
  const label = (opts.label ?? 'RAWCARVE').toUpperCase().slice(0, 11);
  const labelEntry = new Uint8Array(32);
  ascii(labelEntry, 0, label, 11);
  labelEntry[11] = 0x08;
  root.entries.push(labelEntry);
  dirs.set('', root);
  const dirOf = (path: string): Dir => {
    const parts = path.split('/').slice(0, -1);
    let cur = root;
    let key = '';
    for (const part of parts) {
      key = key ? `${key}/${part}` : part;
      let d = dirs.get(key);
      if (!d) {
        d = { name: part, cluster: next++, parent: cur.cluster, entries: [] };
        fat[d.cluster] = EOC;
        dirs.set(key, d);
        cur.entries.push(dirEntry(part, 0x10, d.cluster, 0, new Date(Date.UTC(2024, 5, 1))));
        d.entries.push(dirEntry('.', 0x10, d.cluster, 0, new Date(Date.UTC(2024, 5, 1))));
        d.entries.push(dirEntry('..', 0x10, cur === root ? 0 : cur.cluster, 0, new Date(Date.UTC(2024, 5, 1))));
      }
      cur = d;
    }
    return cur;
  };
  for (const f of files) dirOf(f.path);

  const layout: Fat32Layout = { size: totalSectors * SECTOR, clusterSize, dataStart, files: [] };
  const fd = openSync(outFile, 'w');
  try {
    ftruncateSync(fd, layout.size);
    for (const f of files) {
      const n = Math.ceil(Math.max(1, f.bytes.length) / clusterSize);
      const first = next;
      for (let c = first; c < first + n; c++) fat[c] = f.deleted ? 0 : c + 1 === first + n ? EOC : c + 1;
      next += n;
      const offset = dataStart + (first - 2) * clusterSize;
      writeSync(fd, f.bytes, 0, f.bytes.length, offset);
      const entry = dirEntry(f.path.split('/').pop()!, 0x20, first, f.bytes.length, f.mtime ?? new Date(Date.UTC(2024, 5, 1, 12)));
      if (f.deleted) entry[0] = 0xe5;
      dirOf(f.path).entries.push(entry);
      layout.files.push({ path: f.path, offset, firstCluster: first, deleted: !!f.deleted });
    }
    for (const d of dirs.values()) {
      if (d.entries.length * 32 > clusterSize) throw new Error(`directory ${d.name || '/'} needs more than one cluster`);
      const buf = new Uint8Array(clusterSize);
      d.entries.forEach((e, i) => buf.set(e, i * 32));
      writeSync(fd, buf, 0, buf.length, dataStart + (d.cluster - 2) * clusterSize);
    }
    const boot = bootSector(totalSectors, spc, fatSectors, label);
    const used = fat.reduce((n, v, i) => (i >= 2 && v !== 0 ? n + 1 : n), 0);
    const info = fsInfo(clusters - used, next);
    for (const base of [0, 6]) {
      writeSync(fd, boot, 0, SECTOR, base * SECTOR);
      writeSync(fd, info, 0, SECTOR, (base + 1) * SECTOR);
    }
    const fatBytes = new Uint8Array(fat.buffer, 0, fat.length * 4);
    for (let k = 0; k < 2; k++) writeSync(fd, fatBytes, 0, fatBytes.length, (RESERVED + k * fatSectors) * SECTOR);
  } finally {
    closeSync(fd);
  }
  return layout;
}

function bootSector(totalSectors: number, spc: number, fatSectors: number, label: string): Uint8Array {
  const b = new Uint8Array(SECTOR);
  const v = new DataView(b.buffer);
  b.set([0xeb, 0x58, 0x90], 0);
  ascii(b, 3, 'MSWIN4.1', 8);
  v.setUint16(11, SECTOR, true);
  b[13] = spc;
  v.setUint16(14, RESERVED, true);
  b[16] = 2; // FATs
  b[21] = 0xf8; // fixed media
  v.setUint16(24, 32, true); // sectors per track
  v.setUint16(26, 64, true); // heads
  v.setUint32(32, totalSectors, true);
  v.setUint32(36, fatSectors, true);
  v.setUint32(44, 2, true); // root cluster
  v.setUint16(48, 1, true); // FSInfo sector
  v.setUint16(50, 6, true); // backup boot sector
  b[64] = 0x80;
  b[66] = 0x29;
  v.setUint32(67, 0x20240601, true); // volume id
  ascii(b, 71, label.toUpperCase(), 11);
  ascii(b, 82, 'FAT32', 8);
  b[510] = 0x55;
  b[511] = 0xaa;
  return b;
}

function fsInfo(free: number, nextFree: number): Uint8Array {
  const b = new Uint8Array(SECTOR);
  const v = new DataView(b.buffer);
  v.setUint32(0, 0x41615252, true);
  v.setUint32(484, 0x61417272, true);
  v.setUint32(488, free, true);
  v.setUint32(492, nextFree, true);
  v.setUint32(508, 0xaa550000, true);
  return b;
}

/** A short (8.3) directory entry. */
function dirEntry(name: string, attr: number, cluster: number, size: number, t: Date): Uint8Array {
  const e = new Uint8Array(32);
  const v = new DataView(e.buffer);
  e.set(shortName(name), 0);
  e[11] = attr;
  const time = (t.getUTCHours() << 11) | (t.getUTCMinutes() << 5) | (t.getUTCSeconds() >> 1);
  const date = ((t.getUTCFullYear() - 1980) << 9) | ((t.getUTCMonth() + 1) << 5) | t.getUTCDate();
  v.setUint16(14, time, true);
  v.setUint16(16, date, true);
  v.setUint16(18, date, true);
  v.setUint16(20, cluster >>> 16, true);
  v.setUint16(22, time, true);
  v.setUint16(24, date, true);
  v.setUint16(26, cluster & 0xffff, true);
  v.setUint32(28, size, true);
  return e;
}

function shortName(name: string): Uint8Array {
  const out = new Uint8Array(11).fill(0x20);
  if (name === '.' || name === '..') {
    out.set([...name].map((c) => c.charCodeAt(0)), 0);
    return out;
  }
  const [base, ext = ''] = name.toUpperCase().split('.');
  if (!base || base.length > 8 || ext.length > 3 || !/^[A-Z0-9_~-]+$/.test(base + ext)) throw new Error(`not an 8.3 name: ${name}`);
  ascii(out, 0, base, 8);
  ascii(out, 8, ext, 3);
  return out;
}

function ascii(b: Uint8Array, at: number, s: string, width: number): void {
  for (let i = 0; i < width; i++) b[at + i] = i < s.length ? s.charCodeAt(i) : 0x20;
}
