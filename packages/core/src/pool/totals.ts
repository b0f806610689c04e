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
  bytesScanned = 0;
  bytesWritten = 0;
  hits = 0;
  rejected = 0;
  suppressed = 0;
  trimmed = 0;
  uniformBytes = 0;
  readMs = 0;
  searchMs = 0;
  carveMs = 0;
  writeMs = 0;
  describeMs = 0;
  elapsedMs = 0;
  /** Fragment reassembly (main thread, after the first pass). */
  reassembly: ReassemblyTotals = { blockSize: 0, blockBase: 0, blockSizeGiven: false, attempted: 0, rebuilt: 0, trimmed: 0, trials: 0, ms: 0 };

  addPage(r: ScanTaskResult): void {
    this.bytesScanned += r.pageLength;
    this.hits += r.hits;
    this.rejected += r.rejected;
    this.suppressed += r.suppressed;
    this.uniformBytes += r.uniformBytes;
    this.readMs += r.readMs;
    this.searchMs += r.searchMs;
    this.carveMs += r.carveMs;
  }

  addWrite(w: WriteTaskResult): void {
    this.bytesWritten += w.size;
    this.writeMs += w.hashMs;
    this.describeMs += w.describeMs;
  }
}
