/**
 * Carved files meet the directory: each carved file is matched to the entry
 * whose data it is (a live file starting at the same cluster, a live file
 * whose clusters hold it, or a deleted entry whose first cluster it starts
 * at), and every carved file is told whether its bytes lie in allocated
 * clusters or in free space. Names and times only go into the reports.
 */
import type { ByteRun } from '../carver.js';
import type { FileFsFacts, FileRecord, FsSummary } from '../report/types.js';
import type { SpaceMap } from './space.js';
import type { FsEntry, FsVolume } from './types.js';

interface Located {
  entry: FsEntry;
  volume: number;
}

/** Sets `fs` and `allocation` on the records; returns the volumes' summaries (in the order given). */
export function matchFiles(volumes: readonly FsVolume[], space: SpaceMap, files: FileRecord[]): FsSummary[] {
  const byStart = new Map<number, Located[]>();
  /** Live files' runs, sorted by image offset: [start, end, file offset of start]. */
  const liveRuns: { start: number; end: number; fileOffset: number; at: Located }[] = [];
  /** FAT32 deleted entries whose first cluster may have lost its high 16 bits (Windows clears them on delete). */
  const lowWord = new Map<string, Located[]>();
  volumes.forEach((v, volume) => {
    for (const entry of v.entries) {
      if (entry.directory || entry.runs.length === 0) continue;
      const at = { entry, volume };
      const start = entry.runs[0]!.imgOffset;
      (byStart.get(start) ?? byStart.set(start, []).get(start)!).push(at);
      if (!entry.deleted) {
        let fileOffset = 0;
        for (const r of entry.runs) {
          liveRuns.push({ start: r.imgOffset, end: r.imgOffset + r.length, fileOffset, at });
          fileOffset += r.length;
        }
      } else if (v.type === 'FAT32' && entry.firstCluster < 0x10000) {
        const key = `${volume}:${entry.firstCluster}`;
        (lowWord.get(key) ?? lowWord.set(key, []).get(key)!).push(at);
      }
    }
  });
  liveRuns.sort((a, b) => a.start - b.start);
  const counts = volumes.map(() => ({ matched: 0, matchedDeleted: 0, matchedLive: 0 }));
  const used = new Set<FsEntry>();

  for (const f of files) {
    const n = { allocated: 0, free: 0 };
    for (const r of f.byteRuns) {
      const c = space.count(r.imgOffset, r.imgOffset + r.length);
      n.allocated += c.allocated;
      n.free += c.free + c.metadata;
    }
    f.allocation = n.allocated === 0 ? 'unallocated' : n.free === 0 ? 'allocated' : 'mixed';
    const facts = startMatch(f) ?? insideMatch(f) ?? lowWordMatch(f);
    if (!facts) continue;
    f.fs = facts;
    used.add(facts.entry);
    const c = counts[facts.volume]!;
    c.matched++;
    if (facts.entry.deleted) c.matchedDeleted++;
    else c.matchedLive++;
    delete (facts as { entry?: FsEntry }).entry;
  }

  return volumes.map((v, i): FsSummary => {
    const files = v.entries.filter((e) => !e.directory);
    return {
      type: v.type, scheme: v.scheme, partitionIndex: v.partitionIndex, partitionOffset: v.partitionOffset, label: v.label,
      clusterSize: v.clusterSize, clusters: v.clusters, allocatedClusters: v.allocatedClusters, dataStart: v.dataStart,
      liveEntries: files.filter((e) => !e.deleted).length,
      deletedEntries: files.filter((e) => e.deleted).length,
      ...counts[i]!,
      deletedUnmatched: files.filter((e) => e.deleted && e.size > 0 && !used.has(e)).length,
      freeBytes: (v.clusters - v.allocatedClusters) * v.clusterSize,
      warnings: [...v.warnings],
    };
  });

  type Facts = FileFsFacts & { entry: FsEntry };

  function facts(at: Located, match: FileFsFacts['match'], extra: Partial<FileFsFacts> = {}): Facts {
    const e = at.entry;
    return {
      path: e.path, name: e.name, shortName: e.shortName, deleted: e.deleted, created: e.created, modified: e.modified, accessed: e.accessed,
      entryOffset: e.entryOffset, firstCluster: e.firstCluster, size: e.size, lfn: e.lfn, match, volume: at.volume, ...extra, entry: e,
    };
  }

  /** An entry whose data starts where the file does: live ones first, then the size that agrees. */
  function startMatch(f: FileRecord): Facts | null {
    const list = byStart.get(f.imgOffset);
    if (!list) return null;
    const rank = (x: Located): number => (x.entry.deleted ? 2 : 0) + (x.entry.size === f.size ? 0 : 1);
    const best = [...list].sort((a, b) => rank(a) - rank(b))[0]!;
    return facts(best, best.entry.size === f.size ? 'exact' : 'start', best.entry.problem ? { note: best.entry.problem } : {});
  }

  /** A live file whose clusters hold every byte of the carved file (a picture inside a live container, a part of a live file). */
  function insideMatch(f: FileRecord): Facts | null {
    const first = f.byteRuns[0];
    if (!first) return null;
    const i = lastStartingAtOrBefore(first.imgOffset);
    for (let k = i; k >= 0 && k > i - 8; k--) {
      const run = liveRuns[k]!;
      if (first.imgOffset >= run.end) continue;
      const runs = run.at.entry.runs;
      if (!f.byteRuns.every((b) => inside(b, runs))) continue;
      return facts(run.at, 'inside', { fileOffset: run.fileOffset + (first.imgOffset - run.start) });
    }
    return null;
  }

  function lastStartingAtOrBefore(x: number): number {
    let lo = 0;
    let hi = liveRuns.length - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (liveRuns[mid]!.start <= x) {
        found = mid;
        lo = mid + 1;
      } else hi = mid - 1;
    }
    return found;
  }

  /** A deleted FAT32 entry with the same size and the same low 16 bits of the first cluster. */
  function lowWordMatch(f: FileRecord): Facts | null {
    const vi = volumes.findIndex((v) => f.imgOffset >= v.dataStart && f.imgOffset < v.dataStart + v.clusters * v.clusterSize);
    const v = volumes[vi];
    if (!v || v.type !== 'FAT32' || (f.imgOffset - v.dataStart) % v.clusterSize !== 0) return null;
    const cluster = (f.imgOffset - v.dataStart) / v.clusterSize + 2;
    if (cluster < 0x10000) return null;
    const hit = lowWord.get(`${vi}:${cluster & 0xffff}`)?.find((x) => x.entry.size === f.size);
    if (!hit) return null;
    return facts(hit, 'exact', {
      firstCluster: cluster,
      note: `the entry names cluster ${hit.entry.firstCluster}: its high 16 bits were cleared on deletion (as Windows does on FAT32); matched by size and the low 16 bits`,
    });
  }
}

function inside(b: ByteRun, runs: readonly { imgOffset: number; length: number }[]): boolean {
  return runs.some((r) => b.imgOffset >= r.imgOffset && b.imgOffset + b.length <= r.imgOffset + r.length);
}
