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
import { checkedLength, distinctBytes, resultLength, type Carver, type CarveContext, type CarveResult, type ExpectedBytes, type SuspectRange } from '../carver.js';
import { uniformValue } from '../scan/find-candidates.js';
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
  /** Cluster starts where another incomplete file's validated data seems to end: likely fragment starts. */
  readonly boundaries: readonly number[];
  /** Per carver: whether a cluster's content could continue its files (uniformity + couldContinue), shared by all files. */
  readonly contentCache: Map<string, Map<number, boolean>>;
}

export interface GapCarveBudget {
  /** Carver validations per file. */
  readonly maxTrials: number;
  /**
   * Bytes the carver may validate past the break, summed over all trials of
   * a file (plus a little per trial): with maxTrials, the budget that decides
   * what is found, so a scan gives the same files on a fast and a busy machine.
   */
  readonly maxBytes: number;
  /** Wall-clock guard per file, far above what the other limits allow: a safety net, not the budget. */
  readonly maxMs: number;
  readonly maxFragments: number;
  /** How far after a break, and before the file's start, continuations are looked for. */
  readonly windowAfter: number;
  readonly windowBefore: number;
  /**
   * Smallest fragment accepted between the first and the last: a middle
   * fragment fills a hole of several clusters, while slivers of a few sectors
   * stitched between pieces are how foreign data of the same kind (JPEGs
   * sharing the standard Huffman tables) gets through a decoder.
   */
  readonly minMiddleFragment: number;
}

export const DEFAULT_BUDGET: GapCarveBudget = {
  maxTrials: 4000,
  maxBytes: 192 * 1024 * 1024,
  maxMs: 30_000,
  maxFragments: 8,
  windowAfter: 1024 * 1024 * 1024,
  windowBefore: 1024 * 1024 * 1024,
  minMiddleFragment: 16 * 1024,
};

/** What a trial costs besides the bytes validated past its break (reading headers, tables, a checkpoint's MCUs). */
const TRIAL_BYTES = 16 * 1024;

/** Free clusters examined per search direction (claimed runs are jumped over for free). */
const MAX_VISITS = 262_144;

export interface GapCarveOutcome {
  /** The rebuilt file (complete, ≥ 2 runs), or null. */
  result: CarveResult | null;
  trials: number;
  ms: number;
  /** What was tried, for the report. */
  note: string;
}

/** Continuations tried per break. */
/** Break points tried before and after where the carver's checks stopped. */
const BREAKS_BEFORE = 8;
const BREAKS_AFTER = 64;
const DEBUG = process.env['RAWCARVE_DEBUG_REASSEMBLY'] === '1';
const CONTINUATIONS_PER_BREAK = 256;
/** Clusters in a row that make an orphan run look like real data rather than filler. */
const LONG_RUN = 8;
/** Partial continuations followed per break when none completes the file. */
const BEAM = 3;
/** A partial continuation must validate this many clusters past the break to be followed. */
const MIN_PROGRESS_CLUSTERS = 1;
/** Clusters right after a break tried even when they do not start an orphan run. */
const NEAR_CLUSTERS = 16;
/** Other continuable clusters tried last, per search direction. */
const REST_CLUSTERS = 32;

export function gapCarve(env: GapCarveEnv, carver: Carver, ctx: CarveContext, offset: number, budget: GapCarveBudget = DEFAULT_BUDGET): GapCarveOutcome {
  const t0 = performance.now();
  const cs = env.grid.size;
  const continuable = continuableTest(env, carver, offset);
  let trials = 0;
  // Each partial continuation followed gets a share of what is left, so one that leads astray
  // (foreign data of the same kind validates for a long while) cannot starve the others.
  let trialLimit = budget.maxTrials;
  let validated = 0;
  let byteLimit = budget.maxBytes;
  const deadline = t0 + budget.maxMs;
  const spent = (): boolean => trials >= trialLimit || validated >= byteLimit || performance.now() > deadline;
  const outcome = (result: CarveResult | null, why: string): GapCarveOutcome => ({ result, trials, ms: performance.now() - t0, note: why });

  // Trials that keep the same earlier pieces and cut the last one at different breaks share every
  // byte before the smaller break: one memo per such prefix lets carvers resume from checkpoints there.
  const memos = new Map<string, { stableUntil: number; state: unknown }>();
  const validate = (pieces: Piece[], stableUntil: number): { r: CarveResult | null; fr: FragmentReader } => {
    trials++;
    // The bytes before the break: every piece but the last two whole, then the cut piece from its start.
    const cut = pieces.length >= 2 ? pieces[pieces.length - 2]! : pieces[0]!;
    const key = [...pieces.slice(0, -2).map((p) => `${p.img}+${p.length}`), `${cut.img}`].join(',');
    let memo = memos.get(key);
    if (!memo) memos.set(key, (memo = { stableUntil: 0, state: undefined }));
    memo.stableUntil = stableUntil;
    const fr = new FragmentReader(env.reader, pieces);
    let r: CarveResult | null = null;
    try {
      r = carver.carve(fr, 0, { ...ctx, resume: memo });
    } catch {
      r = null;
    }
    validated += TRIAL_BYTES + (r ? Math.max(0, checkedLength(r) - stableUntil) : 0);
    return { r, fr };
  };

  const first = validate([{ img: offset, length: Infinity }], 0).r;
  if (!first || first.status === 'complete') return outcome(null, 'nothing to rebuild');
  let rebuilt: CarveResult | null = null;
  let why = 'no continuation validated';

  /**
   * Depth-first: at each break, the continuation that completes the file wins;
   * otherwise the few that validate furthest are followed, best first.
   */
  const extend = (pieces: Piece[], current: CarveResult, depth: number): boolean => {
    if (depth >= budget.maxFragments) {
      why = `more than ${budget.maxFragments} fragments`;
      return false;
    }
    const last = pieces[pieces.length - 1]!;
    const pStart = pieces.slice(0, -1).reduce((n, p) => n + p.length, 0);
    const end = resultLength(current);
    const good = checkedLength(current);
    const dataStart = current.dataStart ?? 0;
    const suspect = suspectBreakOffsets(carver, new FragmentReader(env.reader, pieces), current, pStart, cs);
    const breaks = breakCandidates(last.img, pStart, Math.max(pStart, dataStart), good, end, cs, env.grid, (x) => !continuable(x), suspect);
    const used = new Set(pieces.map((p) => p.img));
    const minBreak = Math.min(...breaks.map((b) => last.img + (b - pStart)));
    // Bytes the assembly keeps (earlier pieces, and the last one up to the earliest break) cannot be a continuation.
    const kept = (x: number): boolean => pieces.some((q, k) => x >= q.img && x < (k === pieces.length - 1 ? minBreak : q.img + q.length));
    const conts = continuationCandidates(minBreak, offset, budget, cs, env, continuable, used, kept);
    if (DEBUG) console.error(`[gap] file ${offset} depth ${depth} good ${good} breaks ${breaks.slice(0, 8).map((b) => last.img + b - pStart).join(',')}... candidates ${conts.slice(0, 8).join(',')}...`);
    const promising: { pieces: Piece[]; r: CarveResult; progress: number }[] = [];
    /** Validates one (break, continuation) pair; true when it completed the file. */
    /** The clusters before and at x hold the same repeated byte. */
    const runGoesOn = (x: number): boolean => {
      if (x - cs < 0) return false;
      const a = env.reader.bytes(x - cs, Math.min(512, cs));
      const v = uniformValue(a, null, 0, a.length);
      if (v < 0) return false;
      const here = env.reader.bytes(x, Math.min(512, cs));
      return here.length === a.length && uniformValue(here, null, 0, here.length) === v;
    };
    const attempt = (b: number, c: number): boolean => {
      // Every seam needs evidence that it is one: the cluster after the first piece's part, or the one
      // before the continuation, is certainly not this file's. Even an entropy decoder accepts foreign
      // data of its own kind for a long while, and a search that follows partial continuations would
      // otherwise stitch such runs together. Validators that check only some bytes (NAL headers, sample
      // positions) would accept a seam anywhere inside one tile or sample: they need both sides.
      // (Even a continuation pinned by bytes the carver expects needs both sides: a foreign cluster
      // after the break only bounds it, random data before it looks like the file's own, and how far
      // a carver's checks reached is not proof that every byte before was the file's.)
      // A uniform run that goes on across the seam is padding inside the file (XMP, free boxes), not a gap.
      const breakImg = last.img + (b - pStart);
      const evidence = (continuable(breakImg) || runGoesOn(breakImg) ? 0 : 1) + (continuable(c - cs) || runGoesOn(c) ? 0 : 1);
      if (evidence < (carver.checksEveryByte ? 1 : 2)) return false;
      const trial: Piece[] = [...pieces.slice(0, -1), { img: last.img, length: b - pStart }, { img: c, length: Infinity }];
      const { r, fr } = validate(trial, b);
      if (!r) return false;
      const len = resultLength(r);
      if (r.status === 'complete' && len > b) {
        const runs = fr.runs(len);
        if (runs.some((run) => env.claims.takenByOther(run.imgOffset, run.imgOffset + run.length, offset))) return false;
        if (runs.slice(1, -1).some((run) => run.length < budget.minMiddleFragment)) return false;
        if (carver.seamsPlausible && !carver.seamsPlausible(fr, runs.slice(1).map((run) => run.fileOffset))) return false;
        const how = runs.map((x) => `${x.length} bytes at image offset ${x.imgOffset}`).join(', ');
        rebuilt = { ...r, byteRuns: runs, notes: [...r.notes, `rebuilt from ${runs.length} fragments: ${how} (${trials} trial assemblies)`] };
        return true;
      }
      const progress = checkedLength(r) - b;
      if (progress >= MIN_PROGRESS_CLUSTERS * cs) {
        promising.push({ pieces: trial, r, progress });
        promising.sort((x, y) => y.progress - x.progress);
        if (promising.length > BEAM) promising.pop();
      }
      return false;
    };

    // The carver knows bytes that must come next: find them, and the fragment holding them follows.
    const hint = carver.expectedAt ? safeHint(carver, new FragmentReader(env.reader, pieces), current) : null;
    if (hint && hint.fileOffset > pStart && (hint.bytes.length >= 4 || hint.matches)) {
      const F = hint.fileOffset;
      const bMax = pStart + (clusterFloor(env.grid, last.img + (F - pStart)) - last.img);
      const breakAt = last.img + (Math.min(good, F) - pStart);
      const goodImg = clusterFloor(env.grid, last.img + (Math.min(good, F) - pStart));
      for (const p of findExpected(env, hint, last.img + (F - pStart), breakAt, offset, pieces)) {
        if (bMax <= pStart || spent()) break;
        // The seam is where this file's data stops: the first cluster after the good part that
        // cannot continue it, or (seen from the continuation) the last one before p that cannot.
        const seams = new Set<number>();
        for (let x = goodImg; x <= last.img + (bMax - pStart); x += cs) {
          if (!continuable(x)) {
            seams.add(pStart + (x - last.img));
            break;
          }
        }
        const pCluster = clusterFloor(env.grid, p);
        for (let x = pCluster, k = 0; k < (F - pStart) / cs + 1; x -= cs, k++) {
          if (!continuable(x - cs)) {
            const b = F - (p - x);
            if (b > pStart && b <= bMax) seams.add(b);
            break;
          }
        }
        for (const b of seams) if (attempt(b, p - (F - b))) return true;
      }
    }

    for (const b of breaks) {
      const breakImg = last.img + (b - pStart);
      for (const c of conts) {
        if (c >= last.img && c < breakImg) continue; // inside the piece being cut
        if (spent()) {
          why = `budget spent after ${trials} trials and ${(validated / 1048576).toFixed(0)} MiB validated`;
          return false;
        }
        if (attempt(b, c)) return true;
      }
      if (promising.length > 0) break; // the most likely break gave continuations: follow them
    }
    if (DEBUG) console.error(`[gap] file ${offset} depth ${depth} follows ${promising.map((p) => `${p.pieces.map((q) => `${q.img}+${q.length}`).join('/')}:${p.progress}`).join(' ')} after ${trials} trials`);
    const [outerTrials, outerBytes] = [trialLimit, byteLimit];
    for (let i = 0; i < promising.length; i++) {
      const share = promising.length - i;
      trialLimit = trials + Math.ceil((outerTrials - trials) / share);
      byteLimit = validated + Math.ceil((outerBytes - validated) / share);
      const done = extend(promising[i]!.pieces, promising[i]!.r, depth + 1);
      [trialLimit, byteLimit] = [outerTrials, outerBytes];
      if (done) return true;
    }
    return false;
  };

  extend([{ img: offset, length: Infinity }], first, 1);
  return rebuilt ? outcome(rebuilt, 'rebuilt') : outcome(null, `${why} after ${trials} trials`);
}

/**
 * Could the cluster at x hold the middle of the file starting at `owner`:
 * not another file's, not a header, not uniform, and passing the carver's
 * quick test (default: high entropy)? Cached per file and, for the content
 * part, per carver across files.
 */
function continuableTest(env: GapCarveEnv, carver: Carver, owner: number): (x: number) => boolean {
  const cs = env.grid.size;
  const cache = new Map<number, boolean>();
  let contentCache = env.contentCache.get(carver.name);
  if (!contentCache) env.contentCache.set(carver.name, (contentCache = new Map()));
  const content = contentCache;
  return (x: number): boolean => {
    if (x < 0 || x + 1 > env.reader.size) return false;
    let v = cache.get(x);
    if (v !== undefined) return v;
    v = !env.claims.takenByOther(x, x + cs, owner) && !(env.headers.has(x) && x !== owner);
    if (v) {
      let c = content.get(x);
      if (c === undefined) {
        const b = env.reader.bytes(x, Math.min(512, cs));
        c = !uniform(b) && (carver.couldContinue ? carver.couldContinue(b) : highEntropy(b));
        content.set(x, c);
      }
      v = c;
    }
    cache.set(x, v);
    return v;
  };
}

/**
 * Where to end an incomplete file that could not be rebuilt: at the first
 * cluster past its checked part that certainly is not its own (uniform,
 * low-entropy, another file's), so filler after a break is not written as
 * part of it. Null when no such cluster lies inside the file.
 */
export function unprovenTailCut(env: GapCarveEnv, carver: Carver, result: CarveResult, offset: number): number | null {
  if (result.byteRuns.length !== 1) return null;
  const from = offset + Math.max(result.dataStart ?? 0, checkedLength(result));
  return firstForeignCluster(env, carver, offset, from, offset + resultLength(result));
}

/** The first cluster in [from, end) that cannot hold data of the file starting at `offset`, or null. */
export function firstForeignCluster(env: GapCarveEnv, carver: Carver, offset: number, from: number, end: number): number | null {
  const continuable = continuableTest(env, carver, offset);
  for (let x = clusterCeil(env.grid, Math.max(from, offset + 1)); x < end; x += env.grid.size) {
    if (!continuable(x)) return x;
  }
  return null;
}

/**
 * Likely breaks (file offsets in the last piece): the first cluster in the
 * bulk data that cannot continue the file (another file's, a header,
 * uniform, or failing the carver's quick test), then the boundaries
 * just before where the carver's checks stopped (validators notice a break a
 * little late; foreign data of the same type may even validate for a while).
 */
function breakCandidates(
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
function continuationCandidates(
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
function suspectBreakOffsets(carver: Carver, reader: Reader, result: CarveResult, pStart: number, cs: number): number[] {
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

function safeHint(carver: Carver, reader: Reader, result: CarveResult): ExpectedBytes | null {
  try {
    return carver.expectedAt?.(reader, result) ?? null;
  } catch {
    return null;
  }
}

/** How far from a break (and before the file) positions are tried with a carver's matches() when it gives no bytes. */
const MATCH_WINDOW = 32 * 1024 * 1024;

function safeMatch(hint: ExpectedBytes, reader: Reader, at: number): boolean {
  try {
    return hint.matches!(reader, at);
  } catch {
    return false;
  }
}

/** How far from a break expected bytes are looked for. */
const HINT_WINDOW = 256 * 1024 * 1024;
const HINT_POSITIONS = 16;
const SEARCH_CHUNK = 16 * 1024 * 1024;

/**
 * Image positions holding `bytes` that a continuation could put there: on the
 * cluster phase of `contiguousAt` (where they would lie were the file not
 * fragmented), not in another file's claim or this file's pieces. Nearest
 * after the break first, then nearest before the file.
 */
function findExpected(env: GapCarveEnv, hint: ExpectedBytes, contiguousAt: number, breakAt: number, fileStart: number, pieces: readonly Piece[]): number[] {
  const cs = env.grid.size;
  const phase = ((contiguousAt % cs) + cs) % cs;
  const found: number[] = [];
  const usable = (p: number): boolean => {
    if (p % cs !== phase || (p < breakAt - cs && p >= fileStart)) return false;
    const claim = env.claims.at(p);
    if (claim && claim.owner !== fileStart) return false;
    return !pieces.some((q, k) => p >= q.img && (k === pieces.length - 1 ? p < breakAt : p < q.img + q.length));
  };
  const bytes = hint.bytes;
  if (bytes.length >= 4) {
    const lo = Math.max(0, fileStart - HINT_WINDOW);
    const hi = Math.min(env.reader.size, breakAt + HINT_WINDOW);
    const needle = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let at = lo; at < hi; at += SEARCH_CHUNK) {
      const len = Math.min(SEARCH_CHUNK + bytes.length - 1, hi - at);
      const view = env.reader.bytes(at, len);
      const buf = Buffer.from(view.buffer, view.byteOffset, view.length);
      for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) {
        const p = at + i;
        if (usable(p) && (!hint.matches || safeMatch(hint, env.reader, p))) found.push(p);
      }
    }
  } else if (hint.matches) {
    // No bytes to search for: ask the carver at every position of the phase, nearest first, within a smaller window.
    const first = breakAt - (((breakAt - phase) % cs) + cs) % cs;
    for (let d = 0; d < MATCH_WINDOW && found.length < HINT_POSITIONS; d += cs) {
      for (const p of [first + d, fileStart - (((fileStart - phase) % cs) + cs) % cs - d - cs]) {
        if (p >= 0 && p < env.reader.size && usable(p) && safeMatch(hint, env.reader, p)) found.push(p);
      }
    }
  }
  const rank = (x: number): number => (x >= breakAt ? x - breakAt : HINT_WINDOW + (fileStart - x));
  return found.sort((a, b) => rank(a) - rank(b)).slice(0, HINT_POSITIONS);
}

/**
 * The default test for clusters inside media files: compressed data uses most
 * byte values in any 512 bytes; text, tables and padding do not.
 */
function highEntropy(b: Uint8Array): boolean {
  return distinctBytes(b) >= Math.min(64, b.length >> 3);
}

function uniform(b: Uint8Array): boolean {
  return uniformValue(b, null, 0, b.length) >= 0;
}
