import type { Carver, CarveResult, CarveContext, ByteRun } from '../carver.js';
import type { Reader } from '../reader/reader.js';
import type { Hit } from './find-candidates.js';

/** A carver's accepted result, plain data so it can cross the worker boundary. */
export interface Candidate extends CarveResult {
  /** Carver name. */
  readonly carver: string;
  /** Image offset of the signature hit (the file's first byte). */
  readonly offset: number;
  /**
   * Set by the engine, never by a carver: the size limit (ctx.maxFileSize,
   * bytes) at which this incomplete file was cut while the image went on.
   * Such a file is whole up to the limit, not fragmented, so reassembly does
   * not search for its continuation.
   */
  readonly cutAtLimit?: number;
}

/** Something that went wrong on a page, with the image offset it concerns. */
export interface ScanIssue {
  /** Image offset the issue concerns. */
  readonly offset: number;
  /** What happened, for report.json's issues. */
  readonly message: string;
}

export interface CarvePageOutput {
  candidates: Candidate[];
  /** Hits a carver rejected (not a file). */
  rejected: number;
  /** Hits skipped because they start inside a complete file found on this page (thumbnails, frames). */
  suppressed: number;
  /** Time spent inside carve() calls, ms. */
  carveMs: number;
  issues: ScanIssue[];
}

/**
 * Runs each hit through its carver, in offset order. A hit that starts inside
 * a complete file already carved from this page is not carved again: that is
 * a thumbnail, an embedded preview or a video frame, not a file of its own.
 * (The main thread applies the same rule across pages.)
 */
export function carvePage(
  reader: Reader,
  hits: readonly Hit[],
  carvers: readonly Carver[],
  contexts: readonly CarveContext[],
): CarvePageOutput {
  const out: CarvePageOutput = { candidates: [], rejected: 0, suppressed: 0, carveMs: 0, issues: [] };
  let claimed: ByteRun[] = [];
  for (const hit of hits) {
    claimed = claimed.filter((r) => r.imgOffset + r.length > hit.offset);
    if (claimed.some((r) => r.imgOffset <= hit.offset)) {
      out.suppressed++;
      continue;
    }
    const carver = carvers[hit.carver]!;
    const t0 = performance.now();
    let result: CarveResult | null = null;
    try {
      result = carver.carve(reader, hit.offset, contexts[hit.carver]!);
    } catch (err) {
      // A carver bug or an unexpected read error must not stop the scan.
      const why = err instanceof Error ? err.message : String(err);
      out.issues.push({ offset: hit.offset, message: `carver ${carver.name} failed on the candidate at image offset ${hit.offset}: ${why}` });
    }
    out.carveMs += performance.now() - t0;
    if (result === null) {
      out.rejected++;
      continue;
    }
    const problem = checkCarveResult(result, hit.offset, contexts[hit.carver]!, reader.size);
    if (problem) {
      out.issues.push({ offset: hit.offset, message: `carver ${carver.name} returned an invalid result at image offset ${hit.offset}: ${problem}` });
      continue;
    }
    out.candidates.push(atLimit({ ...plain(result), carver: carver.name, offset: hit.offset }, contexts[hit.carver]!, reader.size));
    if (result.status === 'complete') claimed.push(...result.byteRuns);
  }
  return out;
}

/**
 * The engine does not trust plugins either: runs must be sane before anything
 * is written. Returns what is wrong with a carver's result for the candidate at
 * image offset `offset` (first run not at the candidate, runs out of file
 * order, outside the image or longer than ctx.maxFileSize, an unknown status),
 * or null when the engine would accept it. The conformance suite applies the
 * same test.
 */
export function checkCarveResult(r: CarveResult, offset: number, ctx: CarveContext, imageSize: number): string | null {
  if (!Array.isArray(r.byteRuns) || r.byteRuns.length === 0) return 'no byte runs';
  if (r.byteRuns[0]!.imgOffset !== offset) return 'the first byte run does not start at the candidate';
  let fileOffset = 0;
  for (const run of r.byteRuns) {
    if (!Number.isSafeInteger(run.imgOffset) || !Number.isSafeInteger(run.length) || run.length <= 0) return 'a byte run is not a positive integer range';
    if (run.fileOffset !== fileOffset) return 'byte runs are not in file order without gaps';
    if (run.imgOffset < 0 || run.imgOffset + run.length > imageSize) return 'a byte run lies outside the image';
    fileOffset += run.length;
  }
  if (fileOffset > ctx.maxFileSize) return `length ${fileOffset} exceeds the limit ${ctx.maxFileSize}`;
  if (!['complete', 'truncated', 'damaged'].includes(r.status)) return `unknown status ${String(r.status)}`;
  return null;
}

/**
 * An incomplete file that reaches the size limit (to within a sector: carvers
 * trim to sector boundaries) while the image goes on was cut by the limit,
 * whatever the carver's own note says: the report names the limit, and the
 * typed mark (cutAtLimit) keeps reassembly from searching for a continuation.
 */
export function atLimit(c: Candidate, ctx: CarveContext, imageSize: number): Candidate {
  if (c.status === 'complete' || c.offset + ctx.maxFileSize >= imageSize) return c;
  const length = c.byteRuns.reduce((n, r) => n + r.length, 0);
  if (length < ctx.maxFileSize - Math.max(ctx.align, 512)) return c;
  return {
    ...c,
    notes: [...c.notes, `cut at the size limit of ${ctx.maxFileSize} bytes for ${c.carver} files (--max-file-size, or the carver's maximum): the file may go on past it`],
    cutAtLimit: ctx.maxFileSize,
  };
}

/** Copies just the data fields (a carver may return class instances or extra fields). */
function plain(r: CarveResult): CarveResult {
  return {
    status: r.status,
    byteRuns: r.byteRuns.map((b) => ({ imgOffset: b.imgOffset, fileOffset: b.fileOffset, length: b.length })),
    ...(r.extension !== undefined ? { extension: r.extension } : {}),
    ...(r.validFraction !== undefined ? { validFraction: r.validFraction } : {}),
    ...(r.verifiedLength !== undefined ? { verifiedLength: r.verifiedLength } : {}),
    ...(r.dataStart !== undefined ? { dataStart: r.dataStart } : {}),
    notes: [...r.notes],
    ...(r.metadata !== undefined ? { metadata: r.metadata } : {}),
  };
}
