/**
 * Rebuilds one fragmented file: bifragment gap carving (Garfinkel, DFRWS
 * 2007) generalised to k fragments and driven by the file's own carver.
 *
 * The carver validated the file's first fragment and stopped where its data
 * went bad. The break lies on a cluster boundary at or before that point.
 * For each likely break, the continuation is searched among clusters nobody
 * has claimed, nearest first (after the break, then before the file for
 * out-of-order layouts); each trial assembly is validated by the carver
 * through a FragmentReader. A join is kept only if, in the end, the file
 * validates as complete: a wrong join is worse than a missing file.
 */
import { resultLength, type Carver, type CarveContext, type CarveResult } from '../carver.js';
import type { Reader } from '../reader/reader.js';
import { clusterCeil, clusterFloor, type BlockGrid } from './block-size.js';
import type { ClaimMap } from './claims.js';
import { FragmentReader, type Piece } from './fragment-reader.js';

export interface GapCarveEnv {
  readonly reader: Reader;
  readonly grid: BlockGrid;
  readonly claims: ClaimMap;
  /** Image offsets where a file (of any type) starts: never a continuation. */
  readonly headers: ReadonlySet<number>;
}

export interface GapCarveBudget {
  /** Carver validations per file. */
  readonly maxTrials: number;
  readonly maxMs: number;
  readonly maxFragments: number;
  /** How far after a break, and before the file's start, continuations are looked for. */
  readonly windowAfter: number;
  readonly windowBefore: number;
}

export const DEFAULT_BUDGET: GapCarveBudget = {
  maxTrials: 400,
  maxMs: 3000,
  maxFragments: 8,
  windowAfter: 64 * 1024 * 1024,
  windowBefore: 16 * 1024 * 1024,
};

export interface GapCarveOutcome {
  /** The rebuilt file (complete, ≥ 2 runs), or null. */
  result: CarveResult | null;
  trials: number;
  ms: number;
  /** What was tried, for the report. */
  note: string;
}

/** Break points tried per fragment, and continuations per break. */
const BREAKS_PER_FRAGMENT = 6;
const CONTINUATIONS_PER_BREAK = 48;
/** Clusters right after a break tried even when they do not start an orphan run. */
const NEAR_CLUSTERS = 16;

export function gapCarve(env: GapCarveEnv, carver: Carver, ctx: CarveContext, offset: number, budget: GapCarveBudget = DEFAULT_BUDGET): GapCarveOutcome {
  const t0 = performance.now();
  const cs = env.grid.size;
  const cache = new Map<number, boolean>();
  let trials = 0;
  const spent = (): boolean => trials >= budget.maxTrials || performance.now() - t0 > budget.maxMs;
  const outcome = (result: CarveResult | null, why: string): GapCarveOutcome => ({ result, trials, ms: performance.now() - t0, note: why });

  /** Could the cluster at x hold the middle of this file (free, not a header, not uniform, passes the carver's test)? */
  const continuable = (x: number): boolean => {
    if (x < 0 || x + 1 > env.reader.size) return false;
    let v = cache.get(x);
    if (v !== undefined) return v;
    v = !env.claims.takenByOther(x, x + cs, offset) && !(env.headers.has(x) && x !== offset);
    if (v) {
      const b = env.reader.bytes(x, Math.min(512, cs));
      v = !uniform(b) && (carver.couldContinue ? carver.couldContinue(b) : true);
    }
    cache.set(x, v);
    return v;
  };

  // Every trial shares the beginning before its break: carvers may resume from checkpoints there.
  const memo = { stableUntil: 0, state: undefined as unknown };
  const trialCtx: CarveContext = { ...ctx, resume: memo };
  const validate = (pieces: Piece[], stableUntil: number): { r: CarveResult | null; fr: FragmentReader } => {
    trials++;
    memo.stableUntil = stableUntil;
    const fr = new FragmentReader(env.reader, pieces);
    let r: CarveResult | null = null;
    try {
      r = carver.carve(fr, 0, trialCtx);
    } catch {
      r = null;
    }
    return { r, fr };
  };
  const verified = (r: CarveResult): number => r.verifiedLength ?? resultLength(r);

  let pieces: Piece[] = [{ img: offset, length: Infinity }];
  let current = validate(pieces, 0).r;
  if (!current || current.status === 'complete') return outcome(null, 'nothing to rebuild');
  const used = new Set<number>([offset]);

  for (let frag = 1; frag < budget.maxFragments; frag++) {
    const last = pieces[pieces.length - 1]!;
    const pStart = pieces.slice(0, -1).reduce((n, p) => n + p.length, 0);
    const end = resultLength(current);
    const good = Math.min(verified(current), end);
    const breaks = breakCandidates(last.img, pStart, good, end, cs, env.grid, continuable);
    let best: { pieces: Piece[]; r: CarveResult; progress: number } | null = null;
    for (const b of breaks) {
      const breakImg = last.img + (b - pStart);
      for (const c of continuationCandidates(breakImg, offset, budget, cs, env, continuable, used)) {
        if (spent()) return outcome(null, `budget spent after ${trials} trials`);
        const trial: Piece[] = [...pieces.slice(0, -1), { img: last.img, length: b - pStart }, { img: c, length: Infinity }];
        const { r, fr } = validate(trial, b);
        if (!r) continue;
        const len = resultLength(r);
        if (r.status === 'complete' && len > b) {
          const runs = fr.runs(len);
          if (runs.some((run) => env.claims.takenByOther(run.imgOffset, run.imgOffset + run.length, offset))) continue;
          return outcome(
            { ...r, byteRuns: runs.map((run, i) => (i === 0 ? { ...run } : run)), notes: [...r.notes, `rebuilt from ${runs.length} fragments: ${runs.map((x) => `${x.length} bytes at image offset ${x.imgOffset}`).join(', ')} (${trials} trial assemblies)`] },
            'rebuilt',
          );
        }
        const progress = Math.min(verified(r), len) - b;
        if (progress >= 2 * cs && (!best || progress > best.progress)) best = { pieces: trial, r, progress };
      }
      if (best) break; // the nearest plausible break gave a continuation: follow it
    }
    if (!best) return outcome(null, `no continuation validated after ${trials} trials`);
    pieces = best.pieces;
    current = best.r;
    used.add(pieces[pieces.length - 1]!.img);
  }
  return outcome(null, `more than ${budget.maxFragments} fragments`);
}

/**
 * Likely breaks (file offsets in the last piece): the first cluster boundary
 * whose cluster cannot continue the file, then the boundaries just before
 * where the carver's checks stopped (validators notice a break a little late).
 */
function breakCandidates(
  img: number, pStart: number, good: number, end: number, cs: number, grid: BlockGrid, continuable: (x: number) => boolean,
): number[] {
  const out: number[] = [];
  const toFile = (x: number): number => pStart + (x - img);
  const first = clusterCeil(grid, img + 1);
  const limit = img + (Math.max(good, end) - pStart);
  for (let x = first; x <= limit; x += cs) {
    if (!continuable(x)) {
      out.push(toFile(x));
      break;
    }
  }
  for (let x = clusterFloor(grid, img + (good - pStart)), k = 0; x > img && k < BREAKS_PER_FRAGMENT; x -= cs, k++) out.push(toFile(x));
  return [...new Set(out)].filter((b) => b > pStart).slice(0, BREAKS_PER_FRAGMENT);
}

/**
 * Where the next fragment may start: clusters that can continue the file
 * and follow one that cannot (a fragment starts after another file's data, a
 * gap, or filler), nearest first after the break, then before the file;
 * plus the first few continuable clusters right after the break.
 */
function continuationCandidates(
  breakImg: number, fileStart: number, budget: GapCarveBudget, cs: number, env: GapCarveEnv,
  continuable: (x: number) => boolean, used: ReadonlySet<number>,
): number[] {
  const out: number[] = [];
  const grid = env.grid;
  let near = 0;
  const scan = (from: number, to: number): void => {
    for (let x = clusterCeil(grid, from); x < to && out.length < CONTINUATIONS_PER_BREAK; x += cs) {
      const jump = env.claims.skipOther(x, fileStart);
      if (jump !== null) {
        x = clusterCeil(grid, jump) - cs;
        continue;
      }
      if (used.has(x) || !continuable(x)) continue;
      const orphanStart = !continuable(x - cs);
      if (orphanStart || (from === breakImg && near < NEAR_CLUSTERS)) out.push(x);
      if (from === breakImg) near++;
    }
  };
  scan(breakImg, Math.min(env.reader.size, breakImg + budget.windowAfter));
  scan(Math.max(0, fileStart - budget.windowBefore), fileStart);
  return out;
}

function uniform(b: Uint8Array): boolean {
  const v = b[0];
  for (let i = 1; i < b.length; i++) if (b[i] !== v) return false;
  return true;
}
