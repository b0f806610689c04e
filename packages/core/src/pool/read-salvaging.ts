import type { ScanIssue } from '../scan/carve-page.js';
import type { ImageSource } from '../source/image-source.js';

/** Salvage granularity after a failed read. */
const SALVAGE = 64 * 1024;

/**
 * Reads `into.length` bytes at `start`; when the read fails, retries piece by
 * piece so one bad sector costs 64 KiB of zeros, not a whole page, and names
 * every failed offset. Unreadable bytes are zeros, in the scan and in the
 * image hashes alike (as `rawcarve verify` hashes them).
 */
export function readSalvaging(source: ImageSource, start: number, into: Uint8Array, issues: ScanIssue[]): void {
  try {
    const n = source.readInto(start, into, 0, into.length);
    if (n < into.length) {
      into.fill(0, n);
      issues.push({ offset: start + n, message: `short read at image offset ${start + n}: the image ended ${into.length - n} bytes early` });
    }
    return;
  } catch {
    // fall through to piecewise reads
  }
  for (let at = 0; at < into.length; at += SALVAGE) {
    const len = Math.min(SALVAGE, into.length - at);
    try {
      source.readInto(start + at, into, at, len);
    } catch (err) {
      into.fill(0, at, at + len);
      issues.push({ offset: start + at, message: err instanceof Error ? err.message : String(err) });
    }
  }
}
