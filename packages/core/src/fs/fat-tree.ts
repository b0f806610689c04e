/**
 * Walks a FAT volume's directory tree from the root, deleted entries and
 * deleted folders included. Bounded against hostile volumes: every chain is
 * followed for a limited number of clusters, a folder whose clusters were
 * already read as another folder's (a cycle, a cross-link) is not read
 * again, and the walk stops at a budget of entries, folders and depth.
 */
import type { Reader } from '../reader/reader.js';
import type { FatGeometry } from './fat-boot.js';
import { parseDirectory, type DirEntry } from './fat-dir.js';
import type { ClusterRange, FatTable } from './fat-table.js';
import type { ClusterBitmap, FsEntry, ImageRun } from './types.js';

export interface WalkLimits {
  /** Entries kept (files and folders, live and deleted). */
  maxEntries: number;
  /** Folders read. */
  maxDirs: number;
  maxDepth: number;
  /** Bytes read per folder (the spec allows 65 536 entries: 2 MiB). */
  maxDirBytes: number;
  /** Clusters of a deleted folder read past its first (its chain is gone; they must be free and look like entries). */
  maxDeletedDirClusters: number;
}

export const DEFAULT_WALK_LIMITS: WalkLimits = { maxEntries: 1_000_000, maxDirs: 100_000, maxDepth: 64, maxDirBytes: 2 * 1024 * 1024, maxDeletedDirClusters: 64 };

interface Pending {
  path: string;
  /** null: the FAT12/16 fixed root. */
  cluster: number | null;
  deleted: boolean;
  depth: number;
}

export function walkFat(reader: Reader, g: FatGeometry, fat: FatTable, allocated: ClusterBitmap, warnings: string[], limits: WalkLimits = DEFAULT_WALK_LIMITS): FsEntry[] {
  const cs = g.clusterSize;
  const entries: FsEntry[] = [];
  const dirClusters = new Set<number>();
  const offsetOf = (c: number): number => g.dataStart + (c - 2) * cs;
  const valid = (c: number): boolean => c >= 2 && c < g.clusters + 2;
  const stack: Pending[] = [{ path: '', cluster: g.type === 'FAT32' ? g.rootCluster : null, deleted: false, depth: 0 }];
  let dirs = 0;
  let budgetNoted = false;
  const note = (w: string): void => {
    if (warnings.length < 100) warnings.push(w);
  };

  while (stack.length > 0) {
    const dir = stack.pop()!;
    if (++dirs > limits.maxDirs) {
      note(`more than ${limits.maxDirs} folders: the rest were not read`);
      break;
    }
    const read = readDir(dir);
    if (read === null) continue;
    const parsed = parseDirectory(read.bytes, read.slotOffset, g.type === 'FAT32');
    for (const e of parsed.entries) {
      if (e.dot) continue;
      if (entries.length >= limits.maxEntries) {
        if (!budgetNoted) note(`more than ${limits.maxEntries} directory entries: the rest were not read`);
        budgetNoted = true;
        break;
      }
      const name = e.longName ?? e.shortName;
      const path = dir.path ? `${dir.path}/${name}` : name;
      const deleted = e.deleted || dir.deleted;
      const entry = toEntry(e, path, name, deleted);
      entries.push(entry);
      if (e.directory && valid(e.firstCluster) && dir.depth + 1 < limits.maxDepth) {
        stack.push({ path, cluster: e.firstCluster, deleted, depth: dir.depth + 1 });
      } else if (e.directory && dir.depth + 1 >= limits.maxDepth) note(`folder ${path} is deeper than ${limits.maxDepth} levels: not read`);
    }
  }
  return entries;

  function readDir(dir: Pending): { bytes: Uint8Array; slotOffset: (i: number) => number } | null {
    if (dir.cluster === null) {
      const length = Math.min(g.rootEntries * 32, g.dataStart - g.rootDirOffset);
      const bytes = reader.bytes(g.rootDirOffset, length);
      return { bytes, slotOffset: (i) => g.rootDirOffset + i * 32 };
    }
    let ranges: ClusterRange[];
    if (!dir.deleted) {
      const chain = fat.chain(dir.cluster, Math.max(1, Math.floor(limits.maxDirBytes / cs)));
      if (chain.problem) note(`folder ${dir.path || '/'}: ${chain.problem}`);
      ranges = chain.ranges;
    } else ranges = deletedDirClusters(dir.cluster);
    const clusters = ranges.flatMap((r) => Array.from({ length: r.count }, (_, k) => r.first + k));
    if (clusters.some((c) => dirClusters.has(c))) {
      note(`folder ${dir.path || '/'} shares clusters with a folder already read (a cycle or cross-link): not read again`);
      return null;
    }
    for (const c of clusters) dirClusters.add(c);
    if (clusters.length === 0) return null;
    const bytes = new Uint8Array(clusters.length * cs);
    let at = 0;
    for (const r of ranges) {
      const b = reader.bytes(offsetOf(r.first), r.count * cs);
      bytes.set(b, at);
      at += r.count * cs;
    }
    const perCluster = cs / 32;
    return { bytes, slotOffset: (i) => offsetOf(clusters[Math.floor(i / perCluster)]!) + (i % perCluster) * 32 };
  }

  /**
   * A deleted folder's chain is freed: its first cluster if it still starts
   * with "." and "..", then the clusters after it while they are free and
   * hold nothing but valid entries.
   */
  function deletedDirClusters(first: number): ClusterRange[] {
    const head = reader.bytes(offsetOf(first), cs);
    if (head.length < 64 || head[0] !== 0x2e || head[32] !== 0x2e || head[33] !== 0x2e || (head[11]! & 0x10) === 0) return [];
    let count = 1;
    while (count < limits.maxDeletedDirClusters && valid(first + count) && !allocated.get(first + count)) {
      const b = reader.bytes(offsetOf(first + count), cs);
      const p = parseDirectory(b, () => 0, g.type === 'FAT32');
      if (p.invalid > 0 || p.entries.length === 0) break;
      count++;
      if (p.ended) break;
    }
    return [{ first, count }];
  }

  function toEntry(e: DirEntry, path: string, name: string, deleted: boolean): FsEntry {
    const entry: FsEntry = {
      path,
      name,
      shortName: e.shortName,
      lfn: e.longName !== null,
      deleted,
      directory: e.directory,
      size: e.size,
      firstCluster: e.firstCluster,
      created: e.created,
      modified: e.modified,
      accessed: e.accessed,
      entryOffset: e.offset,
      runs: [],
    };
    if (e.directory || e.size === 0 || e.firstCluster === 0) return entry;
    if (!valid(e.firstCluster)) {
      entry.problem = `first cluster ${e.firstCluster} is outside the volume`;
      return entry;
    }
    const need = Math.ceil(e.size / cs);
    if (deleted) {
      // The chain is freed: assume the clusters follow the first one.
      const length = Math.min(e.size, (g.clusters + 2 - e.firstCluster) * cs);
      entry.runs = [{ imgOffset: offsetOf(e.firstCluster), length }];
      return entry;
    }
    const chain = fat.chain(e.firstCluster, need);
    if (chain.problem) entry.problem = chain.problem;
    else if (chain.length < need) entry.problem = `the cluster chain holds ${chain.length} clusters, the size needs ${need}`;
    entry.runs = byteRuns(chain.ranges, e.size);
    return entry;
  }

  function byteRuns(ranges: readonly ClusterRange[], size: number): ImageRun[] {
    const runs: ImageRun[] = [];
    let left = size;
    for (const r of ranges) {
      if (left <= 0) break;
      const length = Math.min(left, r.count * cs);
      runs.push({ imgOffset: offsetOf(r.first), length });
      left -= length;
    }
    return runs;
  }
}
