/**
 * The reassembly pass: after the first pass has kept every file it could
 * carve, each incomplete file (a first fragment) is handed to gapCarve with
 * a claim map of everything the other files own.
 */
import { checkedLength, resultLength, type Carver, type CarveContext, type CarveResult, type SuspectRange } from '../carver.js';
import { FragmentReader } from './fragment-reader.js';
import type { Reader } from '../reader/reader.js';
import type { Candidate } from '../scan/carve-page.js';
import { clusterFloor, inferBlockGrid, type BlockGrid } from './block-size.js';
import { ClaimMap } from './claims.js';
import { DEFAULT_BUDGET, firstForeignCluster, gapCarve, unprovenTailCut, type GapCarveBudget, type GapCarveOutcome } from './gap-carve.js';

export { inferBlockGrid, clusterCeil, clusterFloor, DEFAULT_GRID, type BlockGrid } from './block-size.js';
export { ClaimMap } from './claims.js';
export { FragmentReader, type Piece } from './fragment-reader.js';
export { gapCarve, unprovenTailCut, DEFAULT_BUDGET, type GapCarveBudget, type GapCarveEnv, type GapCarveOutcome } from './gap-carve.js';

/**
 * Clusters before and after where a first fragment's checks stopped that
 * count as likely fragment boundaries (decoders notice a break late, by up to
 * tens of KiB when the foreign data is of the same kind).
 */
const BOUNDARY_BACK = 64;
/** Clusters before where a first fragment's checks stopped that it does not claim (the validator's lag). */
const HEAD_LAG_CLUSTERS = 64;
const BOUNDARY_AHEAD = 8;

/** What the reassembly pass did, for report.json summary.reassembly. */
export interface ReassemblyStats {
  /** Cluster grid used. */
  grid: BlockGrid;
  /** Whether the grid came from --block-size. */
  gridGiven: boolean;
  /** Incomplete files searched (not those cut by the size limit: they are not fragmented). */
  attempted: number;
  /** Files rebuilt from fragments. */
  rebuilt: number;
  /** Incomplete files ended before the filler that follows their break. */
  trimmed: number;
  /** Trial assemblies validated, all files together. */
  trials: number;
  /** Wall time of the pass. */
  ms: number;
}

export interface ReassemblyOptions {
  /** Cluster size from --block-size (base 0); inferred when absent. */
  blockSize?: number;
  /** With blockSize: the image offset modulo blockSize where clusters start (a file system's data area). */
  blockBase?: number;
  /** What a file system says about some incomplete files, by their offset (see ReassemblyHint). */
  hints?: ReadonlyMap<number, ReassemblyHint>;
  /** Bytes that belong to no incomplete file (a file system's allocated clusters no carved file owns): never a continuation. */
  claims?: readonly { start: number; end: number }[];
  budget?: GapCarveBudget;
  /** Wall-clock budget for the whole pass (ms); files not reached keep their first fragment, with a note. */
  maxTotalMs?: number;
}

/** A file system's word on one incomplete file. */
export interface ReassemblyHint {
  /** The size its directory entry states: no assembly longer than this is the file. */
  readonly size: number;
  /** Its bytes from the file system's cluster chain (a live file): validated as it is, before any search. */
  readonly runs?: readonly { imgOffset: number; length: number }[];
  /** Where the hint came from, for the notes. */
  readonly source: string;
}

/** Default whole-pass budget: ten minutes, then the remaining files are written as found. */
export const DEFAULT_REASSEMBLY_MS = 10 * 60 * 1000;

/**
 * Tries to rebuild every incomplete candidate except those cut by the size
 * limit (Candidate.cutAtLimit), which get a note instead. Returns the
 * replacements (keyed by the candidate's offset), notes for the files not
 * rebuilt, and what it cost.
 */
export function reassembleAll(
  reader: Reader,
  kept: readonly Candidate[],
  carvers: readonly Carver[],
  contexts: ReadonlyMap<string, CarveContext>,
  opts: ReassemblyOptions = {},
): { rebuilt: Map<number, CarveResult>; notes: Map<number, string>; stats: ReassemblyStats } {
  const t0 = performance.now();
  const grid: BlockGrid = opts.blockSize ? { size: opts.blockSize, base: opts.blockBase ?? 0 } : inferBlockGrid(kept.map((c) => c.offset));
  const stats: ReassemblyStats = { grid, gridGiven: opts.blockSize !== undefined, attempted: 0, rebuilt: 0, trimmed: 0, trials: 0, ms: 0 };
  const rebuilt = new Map<number, CarveResult>();
  const notes = new Map<number, string>();
  const claims = new ClaimMap();
  const headers = new Set(kept.map((c) => c.offset));
  // A file cut by the size limit is whole up to it, not a first fragment: its search would
  // spend the per-file budget for nothing (or stitch on a stranger's data). Its end is no break either.
  const pending = kept.filter((c) => c.status !== 'complete' && c.cutAtLimit === undefined).sort((a, b) => a.offset - b.offset);
  for (const c of kept) if (c.status !== 'complete' && c.cutAtLimit !== undefined) notes.set(c.offset, limitNote(c.cutAtLimit));
  for (const c of kept) {
    if (c.status === 'complete') for (const r of c.byteRuns) claims.add(r.imgOffset, r.imgOffset + r.length, c.offset);
  }
  for (const x of opts.claims ?? []) claims.add(x.start, x.end, -1);
  const contentCache = new Map<string, Map<number, boolean>>();
  /** Clusters where a first fragment's content stops looking like its own: likely starts of other files' fragments. */
  const suspects: number[] = [];
  for (const c of kept) {
    if (c.status === 'complete') continue;
    // A first fragment owns what its checks covered, less a margin: validators notice a break
    // late, and the bytes they accepted just past it may start another file's continuation.
    // It never owns past the first cluster that cannot be its own (a decoder runs through zeros
    // and into the next fragment, which must stay free for the search).
    const header = Math.min(c.dataStart ?? grid.size, resultLength(c));
    const good = checkedLength(c);
    let owned = Math.max(header, good - HEAD_LAG_CLUSTERS * grid.size);
    const carver = carvers.find((x) => x.name === c.carver);
    if (carver) {
      const env = { reader, grid, claims, headers: new Set(kept.map((k) => k.offset)), boundaries: [], contentCache };
      const foreign = firstForeignCluster(env, carver, c.offset, c.offset + header, c.offset + owned);
      if (foreign !== null) owned = Math.max(header, foreign - c.offset);
      // Nor past where its content stops looking like one file: another file's fragment may start there.
      for (const r of suspectRanges(carver, reader, c)) {
        owned = Math.max(header, Math.min(owned, r.from));
        suspects.push(...clustersIn(grid, c.offset + r.from, c.offset + r.to));
      }
    }
    claims.add(c.offset, Math.max(c.offset + 1, clusterFloor(grid, c.offset + owned)), c.offset, false);
  }
  // Where each first fragment's validated data ends (give or take a validator's lag), a fragment of another file may start.
  const boundaries: number[] = [];
  for (const c of pending) {
    const good = clusterFloor(grid, c.offset + checkedLength(c));
    for (let k = -BOUNDARY_BACK; k <= BOUNDARY_AHEAD; k++) if (good + k * grid.size > c.offset) boundaries.push(good + k * grid.size);
  }
  boundaries.push(...suspects);
  const env = { reader, grid, claims, headers, boundaries, contentCache };
  // Two rounds: a file rebuilt in round one claims its fragments, which changes what its
  // neighbours see. A file is tried again only if some file was rebuilt after its first try.
  let rebuiltCount = 0;
  const seenAt = new Map<number, number>();
  for (let round = 0; round < 2 && pending.length > 0; round++) {
    for (let i = 0; i < pending.length; ) {
      const c = pending[i]!;
      const carver = carvers.find((x) => x.name === c.carver);
      const ctx = contexts.get(c.carver);
      if (!carver || !ctx || (round > 0 && seenAt.get(c.offset) === rebuiltCount)) {
        pending.splice(i, 1);
        continue;
      }
      if (performance.now() - t0 > (opts.maxTotalMs ?? DEFAULT_REASSEMBLY_MS)) {
        notes.set(c.offset, 'reassembly: not tried, the time budget of the whole pass was spent (--reassembly-time)');
        pending.splice(i, 1);
        continue;
      }
      if (round === 0) stats.attempted++;
      seenAt.set(c.offset, rebuiltCount);
      // The second try looks at a changed picture, not a bigger one: a third of the budget.
      const budget = opts.budget ?? DEFAULT_BUDGET;
      const hint = opts.hints?.get(c.offset);
      const out =
        (round === 0 && hint ? chainRebuild(reader, carver, ctx, c.offset, hint) : null) ??
        gapCarve(env, carver, ctx, c.offset, round === 0 ? budget : { ...budget, maxBytes: budget.maxBytes / 3, maxTrials: Math.ceil(budget.maxTrials / 3) }, hint ? { maxLength: hint.size } : {});
      stats.trials += out.trials;
      if (out.result) {
        stats.rebuilt++;
        rebuiltCount++;
        rebuilt.set(c.offset, out.result);
        notes.delete(c.offset);
        claims.removeOwner(c.offset);
        for (const r of out.result.byteRuns) claims.add(r.imgOffset, r.imgOffset + r.length, c.offset);
        pending.splice(i, 1);
      } else {
        notes.set(c.offset, `reassembly: ${out.note}`);
        i++;
      }
    }
  }
  // Files left incomplete: end them before filler that follows their break.
  for (const c of kept) {
    if (c.status === 'complete' || rebuilt.has(c.offset)) continue;
    const carver = carvers.find((x) => x.name === c.carver);
    if (!carver) continue;
    const cut = unprovenTailCut(env, carver, c, c.offset);
    if (cut === null) continue;
    const note = `cut to ${cut - c.offset} bytes at image offset ${cut}: the cluster there cannot be this file's (filler, another file, or a header)`;
    const tried = notes.get(c.offset);
    rebuilt.set(c.offset, { ...c, status: 'truncated', byteRuns: [{ imgOffset: c.offset, fileOffset: 0, length: cut - c.offset }], notes: [...c.notes, ...(tried ? [tried] : []), note] });
    stats.trimmed++;
  }
  stats.ms = performance.now() - t0;
  return { rebuilt, notes, stats };
}

/** Why a file cut by the size limit was not searched for fragments (the file's notes). */
function limitNote(limit: number): string {
  return `reassembly: not searched for fragments: cut at the size limit of ${limit} bytes (--max-file-size, or the carver's maximum), not at a break`;
}

/** A live file's cluster chain validated as it is: the rebuilt file when the carver calls it complete and it fits the stated size. */
function chainRebuild(reader: Reader, carver: Carver, ctx: CarveContext, offset: number, hint: ReassemblyHint): GapCarveOutcome | null {
  const t0 = performance.now();
  if (!hint.runs || hint.runs.length < 2 || hint.runs[0]!.imgOffset !== offset) return null;
  const fr = new FragmentReader(reader, hint.runs.map((r) => ({ img: r.imgOffset, length: r.length })));
  let r: CarveResult | null = null;
  try {
    r = carver.carve(fr, 0, ctx);
  } catch {
    return null;
  }
  if (!r || r.status !== 'complete' || resultLength(r) > hint.size) return null;
  const runs = fr.runs(resultLength(r));
  if (runs.length < 2) return null;
  const note = `rebuilt from ${runs.length} fragments as ${hint.source} gives them: ${runs.map((x) => `${x.length} bytes at image offset ${x.imgOffset}`).join(', ')}`;
  return { result: { ...r, byteRuns: runs, notes: [...r.notes, note] }, trials: 1, ms: performance.now() - t0, note: 'rebuilt' };
}

/** The carver's suspect break ranges of an incomplete file, in file offsets (none if it has no such test or throws). */
function suspectRanges(carver: Carver, reader: Reader, c: Candidate): readonly SuspectRange[] {
  if (!carver.suspectBreaks) return [];
  try {
    return carver.suspectBreaks(new FragmentReader(reader, [{ img: c.offset, length: Infinity }]), c);
  } catch {
    return [];
  }
}

/** Cluster starts in [from, to], at most 256. */
function clustersIn(grid: BlockGrid, from: number, to: number): number[] {
  const out: number[] = [];
  for (let x = clusterFloor(grid, from); x <= to && out.length < 256; x += grid.size) out.push(x);
  return out;
}
