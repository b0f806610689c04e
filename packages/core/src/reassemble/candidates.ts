/**
 * Where a file's data probably stops (breaks) and where its next fragment
 * probably starts (continuations), most likely first.
 */
import type { Carver, CarveResult, SuspectRange } from '../carver.js';
import type { Reader } from '../reader/reader.js';
import type { GapCarveBudget } from './gap-carve.js';
import { clusterCeil, clusterFloor, type BlockGrid } from './block-size.js';
import type { GapCarveEnv } from './env.js';

/** Free clusters examined per search direction (claimed runs are jumped over for free). */
const MAX_VISITS = 262_144;
/** Break points tried before and after where the carver's checks stopped. */
const BREAKS_BEFORE = 8;
const BREAKS_AFTER = 64;
/** Continuations tried per break. */
const CONTINUATIONS_PER_BREAK = 256;
/** Clusters in a row that make an orphan run look like real data rather than filler. */
const LONG_RUN = 8;
/** Clusters right after a break tried even when they do not start an orphan run. */
const NEAR_CLUSTERS = 16;
/** Other continuable clusters tried last, per search direction. */
const REST_CLUSTERS = 32;

/**
 * Likely breaks (file offsets in the last piece): the first cluster in the
 * bulk data that cannot continue the file (another file's, a header,
 * uniform, or failing the carver's quick test), then the boundaries
 * just before where the carver's checks stopped (validators notice a break a
 * little late; foreign data of the same type may even validate for a while).
 */
export function breakCandidates(
  img: number, pStart: number, from: number, good: number, end: number, cs: number, grid: BlockGrid, foreign: (x: number) => boolean,
  suspect: readonly number[],
): number[] {
  const out: number[] = [];
  const toFile = (x: number): number => pStart + (x - img);
  const first = clusterCeil(grid, Math.max(img + 1, img + (from - pStart)));
  const limit = img + (Math.max(good, end) - pStart);
  for (let x = first; x <= limit; x += cs) {
    if (foreign(x)) {
      out.push(toFile(x));
      break;
    }
  }
  // Where the content stops looking like one file, although it still validates.
  for (const b of suspect) if (out.length === 0 || b < out[0]!) out.push(b);
  // Around where the checks stopped: a little before (validators notice late), further after (cautious ones stop early).
  const g = clusterFloor(grid, img + (good - pStart));
  const after = img + (end - pStart) + BREAKS_AFTER * cs;
  for (let k = 0; k <= BREAKS_AFTER; k++) {
    if (k <= BREAKS_BEFORE && g - k * cs > img) out.push(toFile(g - k * cs));
    if (k > 0 && g + k * cs < after) out.push(toFile(g + k * cs));
  }
  return [...new Set(out)].filter((b) => b > pStart);
}

/**
 * Where the next fragment may start, most likely first:
 * 1. where another incomplete file's data was seen to end (its validator
 *    stopped there: something else starts there, as in interleaved files);
 * 2. clusters that can continue the file and follow one that cannot (a
 *    fragment starts after another file's data, a gap, or filler);
 * 3. the first few continuable clusters right after the break;
 * 4. other continuable clusters (a fragment written right after another).
 * Each nearest first after the break, then nearest first before it (out of
 * order layouts), never inside what the assembly already keeps.
 */
export function continuationCandidates(
  breakImg: number, fileStart: number, budget: GapCarveBudget, cs: number, env: GapCarveEnv,
  continuable: (x: number) => boolean, used: ReadonlySet<number>, kept: (x: number) => boolean,
): number[] {
  const grid = env.grid;
  const lo = Math.max(0, fileStart - budget.windowBefore);
  const hi = Math.min(env.reader.size, breakImg + budget.windowAfter);
  const ok = (x: number): boolean => !used.has(x) && !kept(x) && env.claims.at(x) === undefined && continuable(x);

  const boundaries: number[] = [];
  for (const x of env.boundaries) if (x >= lo && x < hi && x !== fileStart && ok(x)) boundaries.push(x);
  const byDistance = (a: number, b: number): number => rank(a) - rank(b);
  const rank = (x: number): number => (x >= breakImg ? x - breakImg : budget.windowAfter + (fileStart - x));
  boundaries.sort(byDistance);

  const orphans: number[] = [];
  const near: number[] = [];
  /** Any other cluster that could continue the file: a fragment may follow another one directly. */
  const rest: number[] = [];
  let visits = 0;
  for (let x = clusterCeil(grid, breakImg); x < hi && orphans.length < CONTINUATIONS_PER_BREAK && visits < MAX_VISITS; x += cs) {
    const claim = env.claims.at(x); // any owner's, this file's own head included: not a continuation
    if (claim) {
      x = clusterCeil(grid, claim.end) - cs;
      continue;
    }
    visits++;
    if (!ok(x)) continue;
    if (!continuable(x - cs)) orphans.push(x);
    else if (near.length < NEAR_CLUSTERS && x - breakImg < NEAR_CLUSTERS * cs) near.push(x);
    else if (rest.length < REST_CLUSTERS) rest.push(x);
  }
  visits = 0;
  let before = 0;
  for (let x = clusterFloor(grid, breakImg - 1); x >= lo && before < CONTINUATIONS_PER_BREAK && visits < MAX_VISITS; x -= cs) {
    const c = env.claims.at(x);
    if (c) {
      x = clusterCeil(grid, c.start); // jump below the claim (the loop steps back one cluster)
      continue;
    }
    visits++;
    if (!ok(x)) continue;
    if (!continuable(x - cs)) {
      orphans.push(x);
      before++;
    } else if (fileStart - x <= NEAR_CLUSTERS * cs || breakImg - x <= NEAR_CLUSTERS * cs) near.push(x); // written just before the file or the break
    else if (rest.length < REST_CLUSTERS) rest.push(x);
  }
  // A real fragment is a long run of clusters that can continue the file; filler passes the quick test only by chance.
  const runOf = (x: number): number => {
    let n = 0;
    while (n < LONG_RUN && continuable(x + n * cs) && env.claims.at(x + n * cs) === undefined) n++;
    return n;
  };
  const long = orphans.filter((x) => runOf(x) >= LONG_RUN);
  const short = orphans.filter((x) => runOf(x) < LONG_RUN);
  // Where other files' data ends and where long runs start are equally good guesses: nearest first.
  const likely = [...boundaries.slice(0, CONTINUATIONS_PER_BREAK), ...long].sort(byDistance);
  return [...new Set([...likely, ...near, ...short, ...rest])];
}

/** Most clusters of one suspect range tried as breaks. */
const SUSPECT_CLUSTERS = 128;

/**
 * Cluster boundaries (file offsets, in the last piece, past pStart) inside
 * the ranges where the carver sees the content stop being one file.
 */
export function suspectBreakOffsets(carver: Carver, reader: Reader, result: CarveResult, pStart: number, cs: number): number[] {
  if (!carver.suspectBreaks) return [];
  let ranges: readonly SuspectRange[];
  try {
    ranges = carver.suspectBreaks(reader, result);
  } catch {
    return [];
  }
  const out: number[] = [];
  for (const r of ranges) {
    // Latest first: the brightness jump shows at or after the seam.
    const hi = Math.ceil(r.to / cs) * cs;
    for (let b = hi, k = 0; b > Math.max(pStart, r.from - cs) && k < SUSPECT_CLUSTERS; b -= cs, k++) out.push(b);
  }
  return out;
}
