import type { ScanTaskResult, WriteTaskResult } from './tasks.js';

export interface ReassemblyTotals {
  blockSize: number;
  blockBase: number;
  blockSizeGiven: boolean;
  /** Incomplete files a rebuild was tried for, rebuilt complete, carver validations, wall ms. */
  attempted: number;
  rebuilt: number;
  /** Incomplete files ended before the filler after their break. */
  trimmed: number;
  trials: number;
  ms: number;
}

/** Counters of one run, summed from worker results. */
export class RunTotals {
  /** Bytes of pages scanned. */
  bytesScanned = 0;
  /** Bytes of files written (before deduplication). */
  bytesWritten = 0;
  /** Signature matches tested. */
  hits = 0;
  /** Candidates a carver rejected. */
  rejected = 0;
  /** Candidates inside other files (thumbnails, frames), not written. */
  suppressed = 0;
  /** Kept files cut short where a complete file starts inside them. */
  trimmed = 0;
  /** Bytes of uniform blocks passed over without per-position tests. */
  uniformBytes = 0;
  /** Summed worker milliseconds reading pages. */
  readMs = 0;
  /** Summed worker milliseconds searching signatures. */
  searchMs = 0;
  /** Summed worker milliseconds in carve() calls. */
  carveMs = 0;
  /** Summed worker milliseconds copying and hashing files. */
  writeMs = 0;
  /** Summed worker milliseconds reading metadata. */
  describeMs = 0;
  /** Wall milliseconds of the run. */
  elapsedMs = 0;
  /** Fragment reassembly (main thread, after the first pass). */
  reassembly: ReassemblyTotals = { blockSize: 0, blockBase: 0, blockSizeGiven: false, attempted: 0, rebuilt: 0, trimmed: 0, trials: 0, ms: 0 };

  /** Adds a scanned page's counters. */
  addPage(r: Pick<ScanTaskResult, 'pageLength' | 'hits' | 'rejected' | 'suppressed' | 'uniformBytes' | 'readMs' | 'searchMs' | 'carveMs' | 'searchedBytes'>): void {
    this.bytesScanned += r.searchedBytes ?? r.pageLength;
    this.hits += r.hits;
    this.rejected += r.rejected;
    this.suppressed += r.suppressed;
    this.uniformBytes += r.uniformBytes;
    this.readMs += r.readMs;
    this.searchMs += r.searchMs;
    this.carveMs += r.carveMs;
  }

  /** Adds a written file's counters. */
  addWrite(w: Pick<WriteTaskResult, 'size' | 'hashMs' | 'describeMs'>): void {
    this.bytesWritten += w.size;
    this.writeMs += w.hashMs;
    this.describeMs += w.describeMs;
  }
}
