import { rmSync } from 'node:fs';
import { join } from 'node:path';
import type { Piscina } from 'piscina';
import type { Carver } from '../carver.js';
import type { Deduplicator } from '../output/dedup.js';
import type { FileRecord, FilteredRecord } from '../report/types.js';
import { dateTaken, filtersByDate, UNDATED_NOTE } from '../output/filter.js';
import { outputName } from '../output/out-dir.js';
import type { Candidate } from '../scan/carve-page.js';
import { isFileLine, type FileLine, type FilteredLine, type Journal, type JournalLine } from './checkpoint.js';
import { fileRecord, type WrittenBytes } from './file-record.js';
import { downgradeUnreadable } from './read-salvaging.js';
import type { RunState } from './run-state.js';
import type { TaskTracker } from './task-tracker.js';
import type { FilteredTaskResult, WorkerConfig, WriteTask, WriteTaskResult } from './tasks.js';

/** A write's outcome: the written bytes' facts, its issues and what it cost. */
export type WriteOutcome = WrittenBytes & Pick<WriteTaskResult, 'issues' | 'hashMs' | 'describeMs' | 'unreadable'>;

export interface WriterDeps {
  pool: Piscina;
  config: WorkerConfig;
  carvers: readonly Carver[];
  outDir: string;
  imageSize: number;
  state: RunState;
  dedup: Deduplicator;
  /** Where finished writes are recorded for --resume (null: not recorded). */
  journal: Journal | null;
  tracker: TaskTracker;
  /** Writes at once: bounded like scans, so the pool's queue never overflows and a burst of small files cannot pile up tasks. */
  limit: number;
  /** A file was written (`record`; `loser`: the duplicate it replaced or that lost to it) or filtered out (`record` null). */
  onWritten?: (record: FileRecord | null, loser: FileRecord | null) => void;
  /** Problems met while writing (metadata that could not be read), for the audit log. */
  onIssues?: (issues: readonly { offset: number; message: string }[]) => void;
  /** Bytes already written for this candidate elsewhere (a shard's output), copied instead of read from the image. */
  reuse?: (c: Candidate, path: string) => Promise<WriteOutcome | null>;
}

/**
 * Writes kept files under OUTDIR/files through the worker pool, records each
 * finished write in the journal, then deduplicates: the copy at the lowest
 * offset keeps its file, the other's file is removed.
 */
export class FileWriter {
  private readonly queue: Candidate[] = [];
  private writing = 0;
  /** Files an interrupted run already wrote (carver:offset): not written again. */
  private readonly done = new Set<string>();

  constructor(private readonly d: WriterDeps) {}

  enqueue(c: Candidate): void {
    if (this.done.has(`${c.carver}:${c.offset}`)) return;
    this.queue.push(c);
    this.pump();
  }

  /** A write the interrupted run finished (from its journal): counted and deduplicated, not written again. */
  restore(line: JournalLine): void {
    if (!isFileLine(line)) {
      this.done.add(`${line.filtered.type}:${line.filtered.imgOffset}`);
      this.d.state.filtered.push(line.filtered);
      this.d.state.issues.push(...line.issues);
      return;
    }
    this.done.add(`${line.record.type}:${line.record.imgOffset}`);
    this.d.state.totals.addWrite({ size: line.record.size, hashMs: line.hashMs, describeMs: line.describeMs });
    this.d.state.issues.push(...line.issues);
    this.d.dedup.add(line.record); // losers' files are tidied by reconcileOutputs
  }

  /**
   * Writes a recorded file's bytes again (a resumed run found it missing):
   * same runs, so the same bytes, which the recorded SHA-256 confirms.
   */
  rewrite(r: FileRecord): void {
    const d = this.d;
    const result: Candidate = { carver: r.type, offset: r.imgOffset, status: r.status, byteRuns: r.byteRuns, notes: [] };
    const task: WriteTask = { config: d.config, carver: r.type, result, path: join(d.outDir, r.path) };
    d.tracker.track(
      (async () => {
        rmSync(join(d.outDir, r.path), { force: true });
        const w = (await d.pool.run(task)) as WriteTaskResult;
        if (w.sha256 !== r.sha256) throw new Error(`the file at image offset ${r.imgOffset} was written again and its SHA-256 differs: the image changed since the interrupted run`);
      })(),
    );
  }

  private pump(): void {
    while (this.writing < this.d.limit && this.queue.length > 0 && !this.d.tracker.failed) {
      this.writing++;
      this.d.tracker.track(
        this.write(this.queue.shift()!).finally(() => {
          this.writing--;
          this.pump();
        }),
      );
    }
  }

  private async write(c: Candidate): Promise<void> {
    const d = this.d;
    const carver = d.carvers.find((x) => x.name === c.carver);
    if (!carver) throw new Error(`no carver named ${c.carver} for the file at image offset ${c.offset}`);
    const ext = c.extension ?? carver.extensions[0]!;
    const rel = outputName(carver.name, c.offset, d.imageSize, ext);
    let w: WriteOutcome | FilteredTaskResult | null = d.reuse ? await d.reuse(c, rel) : null;
    if (w === null) {
      const task: WriteTask = { config: d.config, carver: carver.name, result: c, path: join(d.outDir, rel) };
      w = (await d.pool.run(task)) as WriteTaskResult | FilteredTaskResult;
    }
    if ('filtered' in w) return this.skipped(c, w);
    // Bytes the write could not read are zeros in the file: never complete, whatever the scan saw.
    const record = fileRecord(w.unreadable ? downgradeUnreadable(c, w.unreadable) : c, carver, rel, ext, w);
    if (filtersByDate(d.config.filter) && dateTaken(record.metadata) === null) record.notes.push(UNDATED_NOTE);
    d.state.totals.addWrite(w);
    d.state.issues.push(...w.issues);
    if (w.issues.length > 0) d.onIssues?.(w.issues);
    // Journal first: a crash between this line and the removal below leaves an extra file, which a resume removes.
    d.journal?.append({ record, issues: w.issues, hashMs: w.hashMs, describeMs: w.describeMs } satisfies FileLine);
    const loser = d.dedup.add(record);
    if (loser && !d.config.reportOnly) rmSync(join(d.outDir, loser.path), { force: true });
    d.onWritten?.(record, loser);
  }

  /** A file a filter kept from being written: listed, journaled, never deduplicated (nothing of it was hashed). */
  private skipped(c: Candidate, w: FilteredTaskResult): void {
    const d = this.d;
    const filtered: FilteredRecord = {
      type: c.carver, status: c.status, size: w.size, imgOffset: c.offset, byteRuns: c.byteRuns.map((b) => ({ ...b })),
      reason: w.filtered.reason, detail: w.filtered.detail, metadata: w.metadata,
    };
    d.state.filtered.push(filtered);
    d.state.issues.push(...w.issues);
    if (w.issues.length > 0) d.onIssues?.(w.issues);
    d.journal?.append({ filtered, issues: w.issues, describeMs: w.describeMs } satisfies FilteredLine);
    d.onWritten?.(null, null);
  }
}
