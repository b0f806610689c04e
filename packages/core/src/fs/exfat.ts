/**
 * exFAT (Microsoft's exFAT file system specification): the boot sector,
 * the allocation bitmap (which, not the FAT, says what is allocated), and
 * directory entry sets (file, stream extension, name entries) with their
 * set checksum. Deleting a file clears the in-use bit of each entry of its
 * set and leaves the rest: the full name, the size, the first cluster and
 * whether the file was contiguous (NoFatChain), so a deleted contiguous
 * file's bytes are known exactly.
 */
import type { Reader } from '../reader/reader.js';
import { u16le, u32le } from '../reader/reader.js';
import type { WalkLimits } from './fat-tree.js';
import { ClusterBitmap, type FsEntry, type FsVolume, type ImageRun } from './types.js';

export interface ExfatGeometry {
  volumeOffset: number;
  bytesPerSector: number;
  clusterSize: number;
  fatOffset: number;
  /** Image offset of cluster 2. */
  dataStart: number;
  clusters: number;
  rootCluster: number;
  end: number;
  warnings: string[];
}

const EOC = 0xfffffff8;

export function parseExfatBoot(s: Uint8Array, volumeOffset: number, imageSize: number): ExfatGeometry | string {
  if (s.length < 512 || String.fromCharCode(...s.subarray(3, 11)) !== 'EXFAT   ') return 'not exFAT';
  if (s[510] !== 0x55 || s[511] !== 0xaa) return 'no boot signature';
  for (let i = 11; i < 64; i++) if (s[i] !== 0) return 'exFAT boot sector with non-zero BPB area';
  const bpsShift = s[108]!;
  const spcShift = s[109]!;
  if (bpsShift < 9 || bpsShift > 12) return `bytes per sector shift ${bpsShift}`;
  if (spcShift > 25 - bpsShift) return `sectors per cluster shift ${spcShift}`;
  const bps = 2 ** bpsShift;
  const clusterSize = 2 ** (bpsShift + spcShift);
  const volumeSectors = u32le(s, 72) + u32le(s, 76) * 0x100000000;
  const fatOffset = u32le(s, 80);
  const fatLength = u32le(s, 84);
  const heapOffset = u32le(s, 88);
  let clusters = u32le(s, 92);
  const root = u32le(s, 96);
  const numFats = s[110]!;
  if (numFats !== 1 && numFats !== 2) return `${numFats} FATs`;
  if (fatOffset < 24 || fatLength === 0 || heapOffset < fatOffset + fatLength * numFats) return 'FAT and cluster heap overlap';
  const activeFat = numFats === 2 && (u16le(s, 106) & 1) === 1 ? 1 : 0;
  const fatStart = volumeOffset + (fatOffset + activeFat * fatLength) * bps;
  if (fatStart + fatLength * bps > imageSize) return 'the FAT lies past the image end';
  const dataStart = volumeOffset + heapOffset * bps;
  if (dataStart >= imageSize) return 'the cluster heap starts past the image end';
  const warnings: string[] = [];
  const fatEntries = Math.floor((fatLength * bps) / 4);
  if (clusters + 2 > fatEntries) {
    warnings.push(`the boot sector counts ${clusters} clusters but the FAT has entries for ${fatEntries - 2}: cut to those`);
    clusters = Math.max(0, fatEntries - 2);
  }
  let end = volumeOffset + volumeSectors * bps;
  if (!Number.isSafeInteger(end) || end > imageSize) {
    warnings.push(`the volume runs past the image end (${imageSize}): the image is cut short`);
    end = imageSize;
  }
  clusters = Math.min(clusters, Math.max(0, Math.floor((end - dataStart) / clusterSize)));
  if (clusters < 1) return 'no data cluster inside the image';
  if (root < 2 || root >= clusters + 2) return `root directory cluster ${root} is outside the volume`;
  return { volumeOffset, bytesPerSector: bps, clusterSize, fatOffset: fatStart, dataStart, clusters, rootCluster: root, end, warnings };
}

interface Pending {
  path: string;
  first: number;
  length: number;
  contiguous: boolean;
  deleted: boolean;
  depth: number;
}

export function readExfat(reader: Reader, g: ExfatGeometry, scheme: FsVolume['scheme'], index: number | null, limits: WalkLimits): FsVolume {
  const cs = g.clusterSize;
  const warnings = [...g.warnings];
  const note = (w: string): void => void (warnings.length < 100 && warnings.push(w));
  const valid = (c: number): boolean => c >= 2 && c < g.clusters + 2;
  const offsetOf = (c: number): number => g.dataStart + (c - 2) * cs;
  const fatEntry = (c: number): number => {
    const b = reader.bytes(g.fatOffset + c * 4, 4);
    return b.length < 4 ? 0 : u32le(b, 0);
  };
  /** Clusters of a chain or contiguous run, at most `max`. */
  const clustersOf = (first: number, max: number, contiguous: boolean): { list: number[]; problem?: string } => {
    const list: number[] = [];
    if (!valid(first)) return { list, problem: `first cluster ${first} is outside the volume` };
    if (contiguous) {
      for (let c = first; list.length < max && valid(c); c++) list.push(c);
      return list.length < max ? { list, problem: 'the file runs past the volume end' } : { list };
    }
    const seen = new Set<number>();
    for (let c = first; list.length < max; ) {
      if (seen.has(c)) return { list, problem: `the cluster chain loops back to cluster ${c}` };
      seen.add(c);
      list.push(c);
      if (list.length >= max) break;
      const next = fatEntry(c);
      if (next >= EOC) break;
      if (!valid(next)) return { list, problem: `the chain goes from cluster ${c} to ${next}, outside the volume` };
      c = next;
    }
    return list.length < max ? { list, problem: `the cluster chain holds ${list.length} clusters, the size needs ${max}` } : { list };
  };
  const runsOf = (list: readonly number[], size: number): ImageRun[] => {
    const runs: ImageRun[] = [];
    let left = size;
    for (const c of list) {
      if (left <= 0) break;
      const n = Math.min(left, cs);
      const last = runs[runs.length - 1];
      if (last && last.imgOffset + last.length === offsetOf(c)) last.length += n;
      else runs.push({ imgOffset: offsetOf(c), length: n });
      left -= n;
    }
    return runs;
  };
  const readClusters = (list: readonly number[]): Uint8Array => {
    const out = new Uint8Array(list.length * cs);
    list.forEach((c, i) => out.set(reader.bytes(offsetOf(c), cs), i * cs));
    return out;
  };

  let bitmap: ClusterBitmap | null = null;
  let allocated = 0;
  let label: string | null = null;
  const entries: FsEntry[] = [];
  const dirClusters = new Set<number>();
  const stack: Pending[] = [{ path: '', first: g.rootCluster, length: limits.maxDirBytes, contiguous: false, deleted: false, depth: 0 }];
  let dirs = 0;
  while (stack.length > 0 && entries.length < limits.maxEntries) {
    const dir = stack.pop()!;
    if (++dirs > limits.maxDirs) {
      note(`more than ${limits.maxDirs} folders: the rest were not read`);
      break;
    }
    const want = Math.max(1, Math.min(Math.ceil(dir.length / cs), Math.floor(limits.maxDirBytes / cs)));
    const { list, problem } = clustersOf(dir.first, want, dir.contiguous);
    if (problem && dir.path === '' && !dir.deleted) { /* the root's length is unknown: its chain's end is its end */ } else if (problem) note(`folder ${dir.path}: ${problem}`);
    if (list.some((c) => dirClusters.has(c))) {
      note(`folder ${dir.path || '/'} shares clusters with a folder already read (a cycle or cross-link): not read again`);
      continue;
    }
    for (const c of list) dirClusters.add(c);
    const bytes = readClusters(list);
    const slotOffset = (i: number): number => offsetOf(list[Math.floor((i * 32) / cs)]!) + ((i * 32) % cs);
    for (let i = 0; i + 1 <= bytes.length / 32 && entries.length < limits.maxEntries; i++) {
      const e = bytes.subarray(i * 32, i * 32 + 32);
      const type = e[0]!;
      if (type === 0x00) break;
      if (type === 0x81 && dir.path === '' && bitmap === null) {
        const r = readBitmap(e);
        bitmap = r.bitmap;
        allocated = r.allocated;
        continue;
      }
      if (type === 0x83 && dir.path === '') {
        const n = Math.min(e[1]!, 11);
        label = String.fromCharCode(...Array.from({ length: n }, (_, k) => u16le(e, 2 + 2 * k))) || null;
        continue;
      }
      if ((type & 0x7f) !== 0x05) continue;
      const set = fileSet(bytes, i);
      if (set === null) continue;
      const deleted = (type & 0x80) === 0 || dir.deleted;
      i += set.secondary;
      const path = dir.path ? `${dir.path}/${set.name}` : set.name;
      const entry: FsEntry = {
        path, name: set.name, shortName: set.name, lfn: true, deleted, directory: set.directory, size: set.directory ? 0 : set.size,
        firstCluster: set.first, created: set.created, modified: set.modified, accessed: set.accessed, entryOffset: slotOffset(i - set.secondary), runs: [],
      };
      entries.push(entry);
      if (set.directory) {
        if (valid(set.first) && dir.depth + 1 < limits.maxDepth) stack.push({ path, first: set.first, length: set.size || cs, contiguous: set.contiguous, deleted, depth: dir.depth + 1 });
        continue;
      }
      if (set.size === 0 || set.first === 0) continue;
      const need = Math.ceil(set.size / cs);
      // A deleted file's FAT chain is usually left as it was: used when every cluster in it is free still.
      let got = clustersOf(set.first, need, set.contiguous);
      if (deleted && !set.contiguous && (got.problem || got.list.some((c) => bitmap?.get(c)))) got = clustersOf(set.first, need, true);
      if (got.problem) entry.problem = got.problem;
      entry.runs = runsOf(got.list, set.size);
    }
  }
  if (bitmap === null) {
    note('no allocation bitmap entry in the root folder: every cluster counted as allocated');
    bitmap = new ClusterBitmap(g.clusters + 2);
    for (let c = 2; c < g.clusters + 2; c++) bitmap.set(c);
    allocated = g.clusters;
  }
  if (entries.length >= limits.maxEntries) note(`more than ${limits.maxEntries} directory entries: the rest were not read`);
  return {
    type: 'exFAT', partitionOffset: g.volumeOffset, scheme, partitionIndex: index, sectorSize: g.bytesPerSector, clusterSize: cs, clusters: g.clusters,
    dataStart: g.dataStart, end: g.end, label, allocation: bitmap, allocatedClusters: allocated, entries, warnings,
  };

  function readBitmap(e: Uint8Array): { bitmap: ClusterBitmap; allocated: number } {
    const map = new ClusterBitmap(g.clusters + 2);
    let n = 0;
    const first = u32le(e, 20);
    const bytes = Math.min(Math.ceil(g.clusters / 8), u32le(e, 24));
    const { list } = clustersOf(first, Math.ceil(bytes / cs), false);
    const raw = readClusters(list);
    for (let c = 0; c < g.clusters && c / 8 < raw.length; c++) {
      if (raw[c >>> 3]! & (1 << (c & 7))) {
        map.set(c + 2);
        n++;
      }
    }
    return { bitmap: map, allocated: n };
  }
}

interface FileSet {
  secondary: number;
  name: string;
  directory: boolean;
  size: number;
  first: number;
  contiguous: boolean;
  created: string | null;
  modified: string | null;
  accessed: string | null;
}

/** The entry set starting with the file entry at slot `i`, checked (its checksum with in-use bits restored), or null. */
function fileSet(bytes: Uint8Array, i: number): FileSet | null {
  const f = bytes.subarray(i * 32, i * 32 + 32);
  const secondary = f[1]!;
  if (secondary < 2 || secondary > 18 || (i + 1 + secondary) * 32 > bytes.length) return null;
  const set = Uint8Array.from(bytes.subarray(i * 32, (i + 1 + secondary) * 32));
  const inUse = (f[0]! & 0x80) !== 0;
  for (let k = 0; k <= secondary; k++) {
    const t = set[k * 32]!;
    if (((t & 0x80) !== 0) !== inUse) return null;
    set[k * 32] = t | 0x80;
  }
  if (set[32] !== 0xc0) return null;
  let sum = 0;
  for (let k = 0; k < set.length; k++) if (k !== 2 && k !== 3) sum = (((sum & 1) << 15) + (sum >>> 1) + set[k]!) & 0xffff;
  if (sum !== u16le(set, 2)) return null;
  const nameLength = set[35]!;
  let name = '';
  for (let k = 2; k <= secondary && name.length < nameLength; k++) {
    if (set[k * 32] !== 0xc1) break;
    for (let c = 0; c < 15 && name.length < nameLength; c++) name += String.fromCharCode(u16le(set, k * 32 + 2 + 2 * c));
  }
  if (name.length === 0) return null;
  const flags = set[33]!;
  const size = u32le(set, 56) + u32le(set, 60) * 0x100000000;
  return {
    secondary,
    name: name.replace(/[\u0000-\u001f\u007f/\\]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD'),
    directory: (u16le(set, 4) & 0x10) !== 0,
    size: Number.isSafeInteger(size) ? size : 0,
    first: u32le(set, 52),
    contiguous: (flags & 0x02) !== 0,
    created: exfatTime(u32le(set, 8), set[20]!, set[22]!),
    modified: exfatTime(u32le(set, 12), set[21]!, set[23]!),
    accessed: exfatTime(u32le(set, 16), 0, set[24]!),
  };
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** An exFAT timestamp as ISO 8601, with its UTC offset when the entry says it is valid. */
export function exfatTime(ts: number, tenMs: number, utc: number): string | null {
  if (ts === 0) return null;
  const y = 1980 + (ts >>> 25);
  const mo = (ts >>> 21) & 0x0f;
  const d = (ts >>> 16) & 0x1f;
  const h = (ts >>> 11) & 0x1f;
  const mi = (ts >>> 5) & 0x3f;
  let s = (ts & 0x1f) * 2;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 58 || tenMs > 199) return null;
  s += Math.floor(tenMs / 100);
  const ms = (tenMs % 100) * 10;
  let zone = '';
  if (utc & 0x80) {
    const q = utc & 0x40 ? (utc & 0x7f) - 0x80 : utc & 0x7f;
    const m = Math.abs(q) * 15;
    zone = q === 0 ? 'Z' : `${q < 0 ? '-' : '+'}${pad(Math.floor(m / 60))}:${pad(m % 60)}`;
  }
  return `${y}-${pad(mo)}-${pad(d)}T${pad(h)}:${pad(mi)}:${pad(s)}${ms ? `.${pad(ms, 3)}` : ''}${zone}`;
}
