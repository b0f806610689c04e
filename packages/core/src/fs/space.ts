/**
 * Which bytes of the image are free: unallocated clusters of every volume,
 * the sectors of a volume past its last cluster, and everything outside the
 * volumes (partition gaps, unpartitioned space). A volume's reserved
 * sectors, FATs and fixed root directory are metadata, not free; so are its
 * allocated clusters.
 */
import type { FsVolume } from './types.js';

export type SpaceState = 'allocated' | 'free' | 'metadata';

export class SpaceMap {
  private readonly volumes: FsVolume[];

  constructor(volumes: readonly FsVolume[], readonly imageSize: number) {
    this.volumes = [...volumes].sort((a, b) => a.partitionOffset - b.partitionOffset);
  }

  private volumeAt(offset: number): FsVolume | undefined {
    return this.volumes.find((v) => offset >= v.partitionOffset && offset < v.end);
  }

  /**
   * Walks [start, end) in spans of one state, calling `visit(from, to, state)`
   * in order. Clusters are visited one by one (a page of 16 MiB holds 4 096
   * clusters of 4 KiB), runs of one state merged.
   */
  walk(start: number, end: number, visit: (from: number, to: number, state: SpaceState) => void): void {
    let pos = Math.max(0, start);
    end = Math.min(end, this.imageSize);
    let runStart = pos;
    let runState: SpaceState | null = null;
    const emit = (to: number, state: SpaceState): void => {
      if (runState !== state) {
        if (runState !== null && pos > runStart) visit(runStart, pos, runState);
        runStart = pos;
        runState = state;
      }
      pos = Math.min(to, end);
    };
    while (pos < end) {
      const v = this.volumeAt(pos);
      if (!v) {
        const next = this.volumes.find((x) => x.partitionOffset > pos)?.partitionOffset ?? end;
        emit(next, 'free');
        continue;
      }
      const heapEnd = v.dataStart + v.clusters * v.clusterSize;
      if (pos < v.dataStart) emit(v.dataStart, 'metadata');
      else if (pos >= heapEnd) emit(v.end, 'free');
      else {
        const c = Math.floor((pos - v.dataStart) / v.clusterSize) + 2;
        emit(v.dataStart + (c - 1) * v.clusterSize, v.allocation.get(c) ? 'allocated' : 'free');
      }
    }
    if (runState !== null && pos > runStart) visit(runStart, pos, runState);
  }

  /** Free ranges inside [start, end), flat: [from0, to0, from1, to1, ...]. */
  freeIn(start: number, end: number): number[] {
    const out: number[] = [];
    this.walk(start, end, (from, to, state) => {
      if (state === 'free') out.push(from, to);
    });
    return out;
  }

  /** Bytes of [start, end) in each state. */
  count(start: number, end: number): Record<SpaceState, number> {
    const n: Record<SpaceState, number> = { allocated: 0, free: 0, metadata: 0 };
    this.walk(start, end, (from, to, state) => void (n[state] += to - from));
    return n;
  }
}
