/**
 * What a file system tells the reassembly pass: the exact cluster grid; for
 * an incomplete file that starts where a live file's chain does, the chain
 * itself (validated before any search); for one that starts at a deleted
 * entry's first cluster, its size (no assembly may be longer); and the
 * allocated clusters no carved file owns, which no deleted file's fragment
 * can lie in (the file system gave them to something else).
 */
import { checkedLength, type ByteRun } from '../carver.js';
import type { Candidate } from '../scan/carve-page.js';
import type { ReassemblyHint } from '../reassemble/index.js';
import type { SpaceMap } from './space.js';
import type { FsVolume } from './types.js';

export interface FsReassemblyHints {
  grid: { size: number; base: number } | null;
  hints: Map<number, ReassemblyHint>;
  claims: { start: number; end: number }[];
}

export function reassemblyHints(volumes: readonly FsVolume[], space: SpaceMap, held: readonly Candidate[], kept: readonly Candidate[]): FsReassemblyHints {
  const out: FsReassemblyHints = { grid: null, hints: new Map(), claims: [] };
  if (volumes.length === 0) return out;
  const inVolume = (v: FsVolume, x: number): boolean => x >= v.dataStart && x < v.dataStart + v.clusters * v.clusterSize;
  const best = [...volumes].sort((a, b) => held.filter((c) => inVolume(b, c.offset)).length - held.filter((c) => inVolume(a, c.offset)).length)[0]!;
  out.grid = { size: best.clusterSize, base: best.dataStart % best.clusterSize };

  const heldAt = new Map(held.map((c) => [c.offset, c]));
  const own: ByteRun[] = kept.flatMap((c) => c.byteRuns);
  for (const v of volumes) {
    for (const e of v.entries) {
      const first = e.runs[0];
      if (e.directory || !first) continue;
      const c = heldAt.get(first.imgOffset);
      if (!c) continue;
      if (!e.deleted && e.runs.length > 1 && !e.problem) {
        out.hints.set(c.offset, { size: e.size, runs: e.runs.map((r) => ({ ...r })), source: `the cluster chain of ${e.path}` });
        e.runs.forEach((r, i) => own.push({ imgOffset: r.imgOffset, fileOffset: i, length: r.length }));
        continue;
      }
      // A deleted entry's size bounds the file, unless what was validated is already longer (then the entry is another file's).
      if (checkedLength(c) > e.size) continue;
      const prev = out.hints.get(c.offset);
      if (!prev?.runs && (!prev || prev.size < e.size)) out.hints.set(c.offset, { size: e.size, source: `the ${e.deleted ? 'deleted ' : ''}entry ${e.path}` });
    }
  }

  // Allocated clusters, less every byte a carved file (or a hinted chain) holds.
  const taken: [number, number][] = [];
  for (const r of [...own].sort((a, b) => a.imgOffset - b.imgOffset)) {
    const last = taken[taken.length - 1];
    if (last && r.imgOffset <= last[1]) last[1] = Math.max(last[1], r.imgOffset + r.length);
    else taken.push([r.imgOffset, r.imgOffset + r.length]);
  }
  for (const v of volumes) {
    space.walk(v.dataStart, v.dataStart + v.clusters * v.clusterSize, (from, to, state) => {
      if (state !== 'allocated') return;
      let at = from;
      for (let i = firstEndingAfter(taken, from); i < taken.length && at < to; i++) {
        const [s, e] = taken[i]!;
        if (s >= to) break;
        if (s > at) out.claims.push({ start: at, end: s });
        at = Math.max(at, e);
      }
      if (at < to) out.claims.push({ start: at, end: to });
    });
  }
  return out;
}

/** Index of the first of the sorted, disjoint intervals that ends after x. */
function firstEndingAfter(list: readonly (readonly [number, number])[], x: number): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (list[mid]![1] <= x) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
