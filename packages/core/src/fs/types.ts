/**
 * What rawcarve reads from a file system on the image: volumes (FAT12/16/32,
 * exFAT), their directory trees including deleted entries, and which
 * clusters are allocated. Everything here comes from the image and is
 * untrusted: names go into reports only, never into output paths.
 */

/** Bytes [imgOffset, imgOffset + length) of the image. */
export interface ImageRun {
  imgOffset: number;
  length: number;
}

export type FsType = 'FAT12' | 'FAT16' | 'FAT32' | 'exFAT';

/** One directory entry (file or folder), live or deleted. */
export interface FsEntry {
  /** Path from the volume root, "/"-separated, no leading slash ("DCIM/100CANON/IMG_0001.JPG"). */
  path: string;
  /** The name: the long name when one was found, else the 8.3 name (a deleted one's lost first character as `_`). */
  name: string;
  /** The 8.3 name as stored (FAT; a deleted entry's first character `_`, or restored from its long name's checksum). */
  shortName: string;
  /** A long name (FAT LFN entries with a matching checksum, or exFAT's name entries) gave `name`. */
  lfn: boolean;
  /** The entry is marked deleted (0xE5), or lies in a deleted folder. */
  deleted: boolean;
  directory: boolean;
  /** Size in bytes as the entry states it. */
  size: number;
  /** First data cluster (0: no data). */
  firstCluster: number;
  /** Creation time (local time as stored, no zone unless the file system stores one), ISO 8601; null when unset or invalid. */
  created: string | null;
  /** Last write time. */
  modified: string | null;
  /** Last access: a date for FAT, a time for exFAT. */
  accessed: string | null;
  /** Image offset of the entry (the 8.3 entry for FAT, the file entry for exFAT). */
  entryOffset: number;
  /**
   * Where the data lies: a live file's cluster chain cut to its size; a
   * deleted file's chain is freed, so its clusters are assumed contiguous
   * from the first (what carving will confirm or not).
   */
  runs: ImageRun[];
  /** Something wrong with the chain (loop, too short, cluster out of range). */
  problem?: string;
}

/** A FAT or exFAT volume found on the image, with its directory tree and allocation map. */
export interface FsVolume {
  type: FsType;
  /** Image offset of the volume's boot sector. */
  partitionOffset: number;
  /** Where it was found: at the image start, or partition n (from 1) of an MBR or GPT. */
  scheme: 'none' | 'mbr' | 'gpt';
  partitionIndex: number | null;
  sectorSize: number;
  clusterSize: number;
  /** Data clusters (numbered from 2). */
  clusters: number;
  /** Image offset of cluster 2. */
  dataStart: number;
  /** Image offset where the volume ends (clipped to the image). */
  end: number;
  label: string | null;
  /** Allocation: one bit per cluster number (0 and 1 unused). */
  allocation: ClusterBitmap;
  allocatedClusters: number;
  entries: FsEntry[];
  /** What could not be read or looked wrong (budgets hit, loops, clipped sizes). */
  warnings: string[];
}

/** One bit per cluster. */
export class ClusterBitmap {
  private readonly bits: Uint8Array;
  constructor(readonly size: number) {
    this.bits = new Uint8Array(Math.ceil(Math.max(0, size) / 8));
  }
  set(i: number): void {
    if (i >= 0 && i < this.size) this.bits[i >>> 3]! |= 1 << (i & 7);
  }
  get(i: number): boolean {
    return i >= 0 && i < this.size && (this.bits[i >>> 3]! & (1 << (i & 7))) !== 0;
  }
}

/** Image offset of a cluster's first byte. */
export function clusterOffset(v: Pick<FsVolume, 'dataStart' | 'clusterSize'>, cluster: number): number {
  return v.dataStart + (cluster - 2) * v.clusterSize;
}

/** Whether a cluster number names a data cluster of the volume. */
export function validCluster(v: Pick<FsVolume, 'clusters'>, cluster: number): boolean {
  return Number.isInteger(cluster) && cluster >= 2 && cluster < v.clusters + 2;
}
