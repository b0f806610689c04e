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
import { checkedLength, resultLength, type Carver, type CarveContext, type CarveResult, type SeamProof } from '../carver.js';
import { uniformValue } from '../scan/find-candidates.js';
import { clusterFloor } from './block-size.js';
import { breakCandidates, continuationCandidates, suspectBreakOffsets } from './candidates.js';
import { continuableTest } from './content.js';
import type { GapCarveEnv } from './env.js';
import { findExpected, safeHint } from './expected.js';
import { FragmentReader, type Piece } from './fragment-reader.js';

export type { GapCarveEnv } from './env.js';
export { firstForeignCluster, unprovenTailCut } from './content.js';

/** The carver's verdicts on an assembly's seams; a check that throws or answers short judges nothing. */
function safeProofs(carver: Carver, reader: FragmentReader, seams: readonly number[]): readonly SeamProof[] {
  try {
    const proofs = carver.proveSeams!(reader, seams);
    return proofs.length === seams.length ? proofs : seams.map(() => ({ verdict: 'unknown' as const }));
  } catch {
    return seams.map(() => ({ verdict: 'unknown' as const }));
  }
}

/** How much searching one file may cost. */
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
  /** Most fragments one file may be rebuilt from. */
  readonly maxFragments: number;
  /** How far after a break continuations are looked for (bytes). */
  readonly windowAfter: number;
  /** How far before the file's start continuations are looked for (out-of-order layouts). */
  readonly windowBefore: number;
  /**
   * Smallest fragment accepted between the first and the last: a middle
   * fragment fills a hole of several clusters, while slivers of a few sectors
   * stitched between pieces are how foreign data of the same kind (JPEGs
   * sharing the standard Huffman tables) gets through a decoder.
   */
  readonly minMiddleFragment: number;
}

/** The per-file budget used by a scan: 4 000 trials or 192 MiB validated, 8 fragments, 1 GiB windows. */
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


/** What one file's search found and cost. */
export interface GapCarveOutcome {
  /** The rebuilt file (complete, ≥ 2 runs), or null. */
  result: CarveResult | null;
  /** Trial assemblies validated. */
  trials: number;
  /** Wall time spent (for statistics only: it decides nothing). */
  ms: number;
  /** What was tried, for the report. */
  note: string;
}

const DEBUG = process.env['RAWCARVE_DEBUG_REASSEMBLY'] === '1';
/** Partial continuations followed per break when none completes the file. */
const BEAM = 3;
/** A partial continuation must validate this many clusters past the break to be followed. */
const MIN_PROGRESS_CLUSTERS = 1;

/** A continuation that validated for a while but did not complete the file. */
interface PartialRun {
  pieces: Piece[];
  r: CarveResult;
  /** Bytes validated past the break. */
  progress: number;
  /** Its validated data ends next to a cluster that cannot be the file's (a real fragment's end). */
  clean: boolean;
}

function better(a: PartialRun, b: PartialRun): boolean {
  return a.clean !== b.clean ? a.clean : a.progress > b.progress;
}

/** What one trial of the proof-driven search shows besides success. */
interface ProofTrial {
  /** A file offset at or after the true seam where this trial's data stopped matching (a place to jump to), or null. */
  failedAt: number | null;
  /** The trial itself, when the content proves its seam and the file goes on in another fragment. */
  partial: { pieces: Piece[]; r: CarveResult } | null;
}

/** Partial continuations starting this many clusters apart or less are one region: the beam keeps the best of them. */
const BEAM_REGION = 16;

/**
 * Searches the fragments that complete the incomplete file starting at
 * `offset`; returns it rebuilt (complete, every seam with evidence) or null,
 * with what was tried.
 */
export function gapCarve(
  env: GapCarveEnv,
  carver: Carver,
  ctx: CarveContext,
  offset: number,
  budget: GapCarveBudget = DEFAULT_BUDGET,
  /** maxLength: the file's size from its directory entry; longer assemblies are not the file. */
  limits: { maxLength?: number } = {},
): GapCarveOutcome {
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
    const promising: PartialRun[] = [];
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
    /**
     * Validates one (break, continuation) pair; true when it completed the file. With `proof`, a seam
     * without evidence is tried too, kept only if the carver's content check proves it, and what the
     * trial showed is reported there for the proof-driven search.
     */
    const attempt = (b: number, c: number, proof: ProofTrial | null = null): boolean => {
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
      const evidenced = evidence >= (carver.checksEveryByte ? 1 : 2);
      if (!evidenced && !proof) return false;
      const trial: Piece[] = [...pieces.slice(0, -1), { img: last.img, length: b - pStart }, { img: c, length: Infinity }];
      const { r, fr } = validate(trial, b);
      if (!r) return false;
      const len = resultLength(r);
      // Where the trial's own tables now expect bytes they do not find: its data is the file's up to there.
      const next = r.status !== 'complete' && (proof || evidenced) ? safeHint(carver, fr, r) : null;
      if (proof && r.status !== 'complete') {
        // That place lies at or after the true seam: the proof-driven search may jump to it.
        proof.failedAt = next && next.fileOffset < b ? next.fileOffset : null;
        // Or past this seam: the file goes on in a third fragment. Followed when the content proves this seam.
        if (next && next.fileOffset > b && safeProofs(carver, fr, [b])[0]?.verdict === 'proven') proof.partial = { pieces: trial, r };
      }
      if (r.status === 'complete' && len > b) {
        if (limits.maxLength !== undefined && len > limits.maxLength) return false;
        const runs = fr.runs(len);
        if (runs.some((run) => env.claims.takenByOther(run.imgOffset, run.imgOffset + run.length, offset))) return false;
        if (runs.slice(1, -1).some((run) => run.length < budget.minMiddleFragment)) return false;
        if (carver.seamsPlausible && !carver.seamsPlausible(fr, runs.slice(1).map((run) => run.fileOffset))) return false;
        if (carver.proveSeams) {
          // The content decides: any seam it finds broken vetoes the join, and this one, without evidence, must be proven.
          const seams = runs.slice(1).map((run) => run.fileOffset);
          const proofs = safeProofs(carver, fr, seams);
          const mine = proofs[seams.indexOf(b)];
          if (proof) proof.failedAt = mine?.verdict === 'broken' ? (mine.failedAt ?? null) : null;
          if (proofs.some((x) => x.verdict === 'broken') || (!evidenced && mine?.verdict !== 'proven')) return false;
        } else if (!evidenced) return false;
        const how = runs.map((x) => `${x.length} bytes at image offset ${x.imgOffset}`).join(', ');
        rebuilt = { ...r, byteRuns: runs, notes: [...r.notes, `rebuilt from ${runs.length} fragments: ${how} (${trials} trial assemblies)`] };
        return true;
      }
      // Carvers that check headers only (sample and item tables) vouch for their data up to where the tables next fail.
      const progress = Math.max(checkedLength(r), next && next.fileOffset > b ? next.fileOffset : 0) - b;
      // Partial continuations are followed on evidence only: a proof needs the whole file.
      if (evidenced && progress >= MIN_PROGRESS_CLUSTERS * cs) {
        // A middle fragment's data stops where foreign data starts, and the validator says so within
        // a cluster or two; foreign data of the same kind stops validating somewhere in the middle of
        // data that looks like the file's. Clean ends first, then the longest; one per region, so three
        // neighbouring clusters of one wrong run cannot crowd the right one out of the beam.
        const endImg = c + progress;
        const clean = !continuable(clusterFloor(env.grid, endImg)) || !continuable(clusterFloor(env.grid, endImg) + cs) || !continuable(clusterFloor(env.grid, endImg) - cs);
        const same = promising.findIndex((q) => Math.abs(q.pieces[q.pieces.length - 1]!.img - c) < BEAM_REGION * cs);
        const entry = { pieces: trial, r, progress, clean };
        if (same >= 0) {
          if (better(entry, promising[same]!)) promising[same] = entry;
        } else promising.push(entry);
        promising.sort((x, y) => (better(x, y) ? -1 : better(y, x) ? 1 : 0));
        if (promising.length > BEAM) promising.pop();
      }
      return false;
    };

    /**
     * Without evidence around the seam, the carver's content check finds it: the seam lies between
     * the end of the checked part (`lo`) and `hi`, both included. Start at the latest; foreign data in a trial starts at or
     * before the true seam, so where the content breaks (failedAt) the search may jump to, never
     * past the true seam.
     */
    const proveFrom = (hi: number, lo: number, tryAt: (b: number, report: ProofTrial) => boolean): boolean => {
      for (let b = hi; b >= lo && !spent(); ) {
        const report: ProofTrial = { failedAt: null, partial: null };
        if (tryAt(b, report)) return true;
        // The seam is proven and the file breaks again further on: the rest is searched from there.
        if (report.partial) return extend(report.partial.pieces, report.partial.r, depth + 1);
        const f = report.failedAt;
        const jump = f !== null && f < b && f > pStart ? pStart + (clusterFloor(env.grid, last.img + (f - pStart)) - last.img) : b;
        b = Math.min(b - cs, jump);
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
      const found = findExpected(env, hint, last.img + (F - pStart), breakAt, offset, pieces);
      if (DEBUG) console.error(`[gap] file ${offset} depth ${depth} hint F ${F} (img ${last.img + (F - pStart)}) bytes ${hint.bytes.length} matches ${!!hint.matches} found ${found.join(',')} bMax ${bMax} good ${good}`);
      for (const p of found) {
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
        // Seams tried above needed evidence; here the same ones may be proven by content instead.
        if (carver.proveSeams && proveFrom(bMax, Math.max(pStart + 1, Math.min(good, F)), (b, report) => attempt(b, p - (F - b), report))) return true;
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

