import type { ScanIssue } from '../scan/carve-page.js';
import type { ImageSource } from '../source/image-source.js';

/** Salvage granularity after a failed read. */
const SALVAGE = 64 * 1024;
/** Within a failed 64 KiB piece, reads go on sector-wise (4 KiB) so one bad sector costs 4 KiB of zeros. */
const FINE = 4096;

/** Image bytes that could not be read (zeros stand in for them). */
export interface Unreadable {
  readonly offset: number;
  readonly length: number;
}

/**
 * Reads `into.length` bytes at `start`; when the read fails or comes back
 * short before the end, reads on piece by piece (64 KiB, then 4 KiB within
 * a piece that fails) so one bad sector costs 4 KiB of zeros, not a page. Every unreadable run of bytes becomes
 * one issue naming its offset and length, and is added to `bad`. Unreadable
 * bytes are zeros, in the scan and in the image hashes alike (as
 * `rawcarve verify` hashes them).
 */
export function readSalvaging(source: ImageSource, start: number, into: Uint8Array, issues: ScanIssue[], bad: Unreadable[] = []): void {
  readInto(source, start, into, 0, into.length, issues, bad);
}

/** {@link readSalvaging} into `into[at, at + length)`. */
export function readInto(source: ImageSource, start: number, into: Uint8Array, at: number, length: number, issues: ScanIssue[], bad: Unreadable[]): void {
  let done = 0;
  try {
    done = source.readInto(start, into, at, length);
  } catch {
    done = 0; // read on piece by piece below
  }
  const runs: { offset: number; length: number; why: string }[] = [];
  let fineUntil = 0;
  while (done < length) {
    const piece = Math.min(done < fineUntil ? FINE : SALVAGE, length - done);
    let n = 0;
    let why = '';
    try {
      n = source.readInto(start + done, into, at + done, piece);
      if (n === 0) {
        why = start + done >= source.size
          ? `short read at image offset ${start + done}: the image ended early`
          : `short read at image offset ${start + done}: no bytes came back before the end of the image`;
      }
    } catch (err) {
      why = err instanceof Error ? err.message : String(err);
    }
    if (n > 0) {
      done += n;
      continue;
    }
    if (piece > FINE) {
      fineUntil = done + piece; // find the bad sectors in this piece
      continue;
    }
    into.fill(0, at + done, at + done + piece);
    const last = runs[runs.length - 1];
    if (last && last.offset + last.length === start + done) last.length += piece;
    else runs.push({ offset: start + done, length: piece, why });
    done += piece;
  }
  for (const r of runs) {
    bad.push({ offset: r.offset, length: r.length });
    issues.push({ offset: r.offset, message: `${r.why} (${r.length} bytes from image offset ${r.offset} unreadable, read as zeros)` });
  }
}

/** Whether any run of a file touches unreadable bytes; returns the first such range. */
export function touchesUnreadable(runs: readonly { imgOffset: number; length: number }[], bad: readonly Unreadable[]): Unreadable | null {
  for (const b of bad) {
    for (const r of runs) if (r.imgOffset < b.offset + b.length && b.offset < r.imgOffset + r.length) return b;
  }
  return null;
}

/**
 * A file whose bytes include unreadable ones is never complete: zeros stand
 * where its data was. Returns `c` with status 'damaged' (when it was
 * complete) and a note naming the unreadable range, or `c` itself.
 */
export function downgradeUnreadable<C extends { status: 'complete' | 'truncated' | 'damaged'; byteRuns: readonly { imgOffset: number; length: number }[]; notes: readonly string[] }>(
  c: C,
  bad: readonly Unreadable[],
): C {
  const hit = touchesUnreadable(c.byteRuns, bad);
  if (hit === null) return c;
  const note = `${hit.length} bytes at image offset ${hit.offset} could not be read (I/O error or short read): zeros stand in for them, so the file is not complete`;
  if (c.notes.includes(note)) return c;
  return { ...c, status: c.status === 'complete' ? 'damaged' : c.status, notes: [...c.notes, note] };
}
