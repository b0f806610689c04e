import type { Piscina } from 'piscina';
import type { AuditLog } from '../audit/audit-log.js';
import type { Candidate } from '../scan/carve-page.js';
import type { Checkpointer } from './checkpointer.js';
import type { ImageHasher } from './image-hash.js';
import { PageBuffers } from './page-buffers.js';
import type { PageGrid } from './range.js';
import type { RunState } from './run-state.js';
import type { ScanEvents } from './scan-types.js';
import type { TaskTracker } from './task-tracker.js';
import type { ScanTask, ScanTaskResult, WorkerConfig } from './tasks.js';

/** Page buffers (16 MiB each by default) the hash threads may lag behind by, besides those of the pages in flight. */
const HASH_BACKLOG = 4;

export interface PageLoop {
  pool: Piscina;
  config: WorkerConfig;
  grid: PageGrid;
  state: RunState;
  tracker: TaskTracker;
  jobs: number;
  hasher: ImageHasher | null;
  checkpoints: Checkpointer;
  /** A file is decided: write it. */
  release(c: Candidate): void;
  audit: AuditLog;
  events: ScanEvents;
  signal: AbortSignal | undefined;
  /** A page was scanned (not yet folded): for progress. */
  scanned(bytes: number): void;
  /** --free-space-only: the ranges of a page to search (flat [from, to, ...]); undefined: all of it. */
  searchRanges?: (start: number, length: number) => number[] | undefined;
}

/**
 * Scans the pages of the grid not yet folded. Pages go to the worker pool in
 * order, at most two per worker at a time, so memory stays flat whatever the
 * image size. Results come back out of order and are folded strictly in
 * image order: journaled, fed to the image hashes, and decided on by the run
 * state, so the output depends on neither worker timing nor interruptions.
 */
export async function scanPages(d: PageLoop): Promise<void> {
  const done = new Map<number, ScanTaskResult>();
  let next = d.state.pagesFolded;
  // Hashing: every page travels in one of a fixed set of shared buffers, so pages waiting for
  // the fold or for the hash threads can never pile up in memory; when none is free, the scan waits.
  const buffers = d.hasher ? new PageBuffers(d.grid.pageSize, d.jobs * 2 + HASH_BACKLOG) : null;

  const fold = (): void => {
    const before = next;
    while (done.has(next)) {
      const r = done.get(next)!;
      done.delete(next);
      const { pageBytes, ...page } = r;
      d.checkpoints.pages.append(page);
      if (pageBytes) d.hasher!.push(pageBytes, () => buffers!.give(pageBytes));
      for (const k of d.state.fold(page)) d.release(k.candidate);
      for (const issue of page.issues) d.audit.event('issue', { offset: issue.offset, message: issue.message });
      next++;
    }
    if (next === before) return;
    // The digests of the prefix folded so far (a copy of each hash state, microseconds): the threads
    // answer once they catch up, and a checkpoint records the latest answer for --resume to check.
    d.hasher?.mark();
    d.checkpoints.maybe(() => ({ pagesDone: d.state.pagesFolded, prefixHashes: d.hasher?.lastMark ?? d.checkpoints.current.prefixHashes }));
    d.events.onPageFolded?.(next, d.grid.count);
  };

  const scan = async (page: number, hashInto: Uint8Array | null): Promise<void> => {
    const span = d.grid.page(page);
    const search = d.searchRanges?.(span.start, span.length);
    const task: ScanTask = { config: d.config, pageStart: span.start, pageLength: span.length, ...(hashInto ? { hashInto } : {}), ...(search ? { search } : {}) };
    const r = (await d.pool.run(task)) as ScanTaskResult;
    done.set(page, r);
    d.scanned(r.pageLength);
    fold();
  };

  for (let page = next; page < d.grid.count && !d.tracker.failed && !d.signal?.aborted; page++) {
    let buffer: Uint8Array | null = null;
    while (!d.tracker.failed) {
      d.hasher?.check();
      if (d.tracker.size >= d.jobs * 2) await d.tracker.any();
      else if (buffers && (buffer = buffers.take()) === null) await d.tracker.any([buffers.whenFree(), d.hasher!.failed]);
      else break;
    }
    if (d.tracker.failed || d.signal?.aborted) break;
    d.tracker.track(scan(page, buffer));
  }
  await d.tracker.drain();
}
