import { join } from 'node:path';
import { FILE_JOURNAL, Journal, PAGE_JOURNAL, writeCheckpoint, type Checkpoint } from './checkpoint.js';

/** Default time between checkpoints: often enough that little is redone, rarely enough that the fsyncs cost nothing. */
export const DEFAULT_CHECKPOINT_MS = 2000;

/**
 * Owns a run's journals and commits its checkpoint: the journals are flushed
 * first, then the checkpoint naming their lengths replaces the old one
 * atomically. What a crash can lose is only what came after the last commit.
 */
export class Checkpointer {
  readonly pages: Journal;
  readonly files: Journal;
  private data: Checkpoint;
  private last = -Infinity;

  /** `base`: the checkpoint to continue from (its journal lengths are what is kept of the journals). */
  constructor(
    readonly outDir: string,
    base: Checkpoint,
    private readonly intervalMs: number,
  ) {
    this.pages = new Journal(join(outDir, PAGE_JOURNAL), base.pageJournalBytes);
    this.files = new Journal(join(outDir, FILE_JOURNAL), base.fileJournalBytes);
    this.data = base;
  }

  get current(): Checkpoint {
    return this.data;
  }

  /** Commits when the interval has passed since the last commit; `fields` is only called then. */
  maybe(fields: () => Partial<Checkpoint>): boolean {
    if (performance.now() - this.last < this.intervalMs) return false;
    this.commit(fields());
    return true;
  }

  commit(fields: Partial<Checkpoint> = {}): void {
    this.pages.sync();
    this.files.sync();
    this.data = { ...this.data, ...fields, pageJournalBytes: this.pages.bytes, fileJournalBytes: this.files.bytes };
    writeCheckpoint(this.outDir, this.data);
    this.last = performance.now();
  }

  close(): void {
    this.pages.close();
    this.files.close();
  }
}
