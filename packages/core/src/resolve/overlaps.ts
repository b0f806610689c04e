import { SECTOR, type ByteRun } from '../carver.js';
import type { Candidate } from '../scan/carve-page.js';

/** A candidate the engine keeps, possibly trimmed. */
export interface Kept {
  /** The file as it will be written (trimmed when a later file overwrote its tail). */
  candidate: Candidate;
  /** Highest image offset (exclusive) any of its runs reaches. */
  end: number;
}


export interface ResolveStats {
  /** Candidates dropped because they start inside a file already kept (thumbnails, frames, copies inside containers). */
  suppressed: number;
  /** Kept files cut short because a complete file starts inside their claimed bytes. */
  trimmed: number;
}

/**
 * Decides which candidates become files, in image-offset order, across pages.
 *
 * Rule: a candidate starting inside the bytes of a file already kept is part
 * of that file (an EXIF thumbnail, a video's JPEG frame), not a file of its
 * own — unless the kept file is incomplete and the newcomer is a complete file
 * reaching past it: then the newcomer overwrote the old file's tail, and the
 * old file is cut where the new one starts.
 *
 * Likewise a complete file starting on a sector boundary in the unverified
 * part of an incomplete file (CarveResult.verifiedLength: bytes its sizes
 * claimed but nothing proved) is its own file, and the incomplete one is cut
 * where it starts.
 *
 * Results are released (ready) only once every candidate that could start
 * inside them is known, i.e. the caller's frontier has passed their end.
 */
export class OverlapResolver {
  /** What resolution dropped and trimmed so far. */
  readonly stats: ResolveStats = { suppressed: 0, trimmed: 0 };
  /** Runs of kept files that may still contain later candidates. */
  private active: { run: ByteRun; kept: Kept }[] = [];
  private pending: Kept[] = [];

  /** Feed candidates in increasing offset order. */
  add(c: Candidate): void {
    this.active = this.active.filter((a) => a.run.imgOffset + a.run.length > c.offset);
    const host = this.active.find((a) => a.run.imgOffset <= c.offset);
    const end = endOf(c.byteRuns);
    if (host) {
      const h = host.kept;
      const overwrote = h.candidate.status !== 'complete' && c.status === 'complete' && end > h.end;
      // An incomplete host's bulk data or unverified tail may hold other files: a file
      // starting on a sector there (complete, or the first fragment of one) is a file
      // of its own that the host's sizes or its validator ran over. Inside the host's
      // headers (a JPEG's EXIF thumbnail) it is embedded data.
      const ranOver = h.candidate.status !== 'complete' && c.offset % SECTOR === 0 && c.offset >= h.candidate.offset + protectedLength(h.candidate);
      if (!overwrote && !ranOver) {
        this.stats.suppressed++;
        return;
      }
      this.trim(h, c.offset);
    }
    const kept: Kept = { candidate: c, end };
    for (const run of c.byteRuns) this.active.push({ run, kept });
    this.pending.push(kept);
  }

  /** Kept files whose every byte lies before `frontier` (all of them when frontier is Infinity), in offset order. */
  ready(frontier: number): Kept[] {
    const out: Kept[] = [];
    const rest: Kept[] = [];
    for (const k of this.pending) (k.end <= frontier ? out : rest).push(k);
    this.pending = rest;
    return out;
  }

  private trim(k: Kept, at: number): void {
    // Keep the file's bytes (in file order) up to the run holding `at`, and that run up to `at`.
    const runs: ByteRun[] = [];
    for (const r of k.candidate.byteRuns) {
      if (at >= r.imgOffset && at < r.imgOffset + r.length) {
        if (at > r.imgOffset) runs.push({ ...r, length: at - r.imgOffset });
        break;
      }
      runs.push(r);
    }
    if (runs.length === 0) return;
    this.stats.trimmed++;
    const cut = runs.reduce((n, r) => n + r.length, 0);
    // It now ends where a complete file starts, not at the size limit: reassembly may search it again.
    const { cutAtLimit: _limit, ...candidate } = k.candidate;
    k.candidate = {
      ...candidate,
      status: 'truncated',
      byteRuns: runs,
      notes: [...k.candidate.notes, `cut to ${cut} bytes at image offset ${at}, where a complete file starts`],
    };
    k.end = endOf(runs);
    this.active = this.active.filter((a) => a.kept !== k);
    for (const run of runs) this.active.push({ run, kept: k });
  }
}

/** Bytes at the start of an incomplete file that are surely its own: headers before its bulk data, or what its checks covered. */
function protectedLength(c: Candidate): number {
  return c.dataStart ?? c.verifiedLength ?? Infinity;
}

export function endOf(runs: readonly ByteRun[]): number {
  let end = 0;
  for (const r of runs) end = Math.max(end, r.imgOffset + r.length);
  return end;
}
