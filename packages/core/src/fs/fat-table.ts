/**
 * The File Allocation Table: FAT12 (1.5 bytes an entry), FAT16 (2) and
 * FAT32 (4, top four bits reserved). A FAT up to 256 MiB is read once into
 * memory; a larger one (cards of terabytes) is read entry by entry through
 * the reader's cache.
 */
import type { Reader } from '../reader/reader.js';
import type { FatGeometry } from './fat-boot.js';
import { ClusterBitmap } from './types.js';

const MAX_IN_MEMORY = 256 * 1024 * 1024;
const CHUNK = 1 << 20;

/** Cluster numbers [first, first + count) in chain order. */
export interface ClusterRange {
  first: number;
  count: number;
}

export interface Chain {
  ranges: ClusterRange[];
  /** Clusters in the chain (as far as it was followed). */
  length: number;
  /** Why the chain stopped early: a loop, a free or bad cluster, a cluster number out of range. */
  problem?: string;
}

export class FatTable {
  private readonly table: Uint8Array | null;
  private readonly bits: 12 | 16 | 32;
  /** Values at or above this end a chain. */
  readonly eoc: number;
  readonly bad: number;

  constructor(
    private readonly reader: Reader,
    private readonly g: FatGeometry,
  ) {
    this.bits = g.type === 'FAT12' ? 12 : g.type === 'FAT16' ? 16 : 32;
    this.eoc = g.type === 'FAT12' ? 0xff8 : g.type === 'FAT16' ? 0xfff8 : 0x0ffffff8;
    this.bad = this.eoc - 1;
    const need = this.entryBytes(g.clusters + 2);
    if (need <= MAX_IN_MEMORY) {
      const t = new Uint8Array(need);
      for (let at = 0; at < need; at += CHUNK) t.set(reader.bytes(g.fatOffset + at, Math.min(CHUNK, need - at)), at);
      this.table = t;
    } else this.table = null;
  }

  /** Bytes of FAT holding entries 0 .. n-1. */
  private entryBytes(n: number): number {
    return Math.min(this.g.fatBytes, this.bits === 12 ? Math.ceil((n * 3) / 2) + 1 : (n * this.bits) / 8);
  }

  private byteAt(i: number): number {
    if (this.table) return this.table[i] ?? 0;
    return this.reader.bytes(this.g.fatOffset + i, 1)[0] ?? 0;
  }

  /** The FAT entry of `cluster` (FAT32: its low 28 bits). */
  entry(cluster: number): number {
    if (this.bits === 12) {
      const i = cluster + (cluster >>> 1);
      const v = this.byteAt(i) | (this.byteAt(i + 1) << 8);
      return cluster & 1 ? v >>> 4 : v & 0xfff;
    }
    if (this.bits === 16) {
      const i = cluster * 2;
      return this.byteAt(i) | (this.byteAt(i + 1) << 8);
    }
    const i = cluster * 4;
    if (this.table) {
      const t = this.table;
      return (t[i]! | (t[i + 1]! << 8) | (t[i + 2]! << 16) | (t[i + 3]! << 24)) & 0x0fffffff;
    }
    const b = this.reader.bytes(this.g.fatOffset + i, 4);
    return b.length < 4 ? 0 : (b[0]! | (b[1]! << 8) | (b[2]! << 16) | (b[3]! << 24)) & 0x0fffffff;
  }

  /** Which clusters are allocated (FAT entry not 0), and how many. */
  allocation(): { bitmap: ClusterBitmap; allocated: number } {
    const bitmap = new ClusterBitmap(this.g.clusters + 2);
    let allocated = 0;
    if (!this.table && this.bits === 32) {
      // Too large to hold: streamed in chunks.
      const end = this.entryBytes(this.g.clusters + 2);
      for (let at = 0; at < end; at += CHUNK) {
        const b = this.reader.bytes(this.g.fatOffset + at, Math.min(CHUNK, end - at));
        for (let i = 0; i + 4 <= b.length; i += 4) {
          const c = (at + i) / 4;
          if (c >= 2 && ((b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16) | (b[i + 3]! << 24)) & 0x0fffffff) !== 0) {
            bitmap.set(c);
            allocated++;
          }
        }
      }
      return { bitmap, allocated };
    }
    for (let c = 2; c < this.g.clusters + 2; c++) {
      if (this.entry(c) !== 0) {
        bitmap.set(c);
        allocated++;
      }
    }
    return { bitmap, allocated };
  }

  /**
   * Follows the chain from `first` for at most `maxClusters` clusters. A
   * chain that comes back to a cluster it passed (a loop) stops there;
   * hostile FATs cannot make this run longer than maxClusters steps.
   */
  chain(first: number, maxClusters: number): Chain {
    const ranges: ClusterRange[] = [];
    const out: Chain = { ranges, length: 0 };
    const valid = (c: number): boolean => c >= 2 && c < this.g.clusters + 2;
    if (!valid(first)) {
      out.problem = `first cluster ${first} is outside the volume`;
      return out;
    }
    const seen = new Set<number>();
    let c = first;
    while (out.length < maxClusters) {
      if (seen.has(c)) {
        out.problem = `the cluster chain loops back to cluster ${c}`;
        break;
      }
      seen.add(c);
      const last = ranges[ranges.length - 1];
      if (last && last.first + last.count === c) last.count++;
      else ranges.push({ first: c, count: 1 });
      out.length++;
      if (out.length >= maxClusters) break;
      const next = this.entry(c);
      if (next >= this.eoc) break;
      if (next === 0) {
        out.problem = `the chain reaches free cluster ${c}'s entry (0) before the file's end`;
        break;
      }
      if (next === this.bad) {
        out.problem = `the chain reaches a cluster marked bad after cluster ${c}`;
        break;
      }
      if (!valid(next)) {
        out.problem = `the chain goes from cluster ${c} to ${next}, outside the volume`;
        break;
      }
      c = next;
    }
    return out;
  }
}
