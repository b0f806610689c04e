/**
 * The piscina worker: scans pages and writes carved files. Each worker opens
 * the image itself and reads its own pages with positioned reads. Only small
 * results come back, plus, when the image is hashed, the page's bytes in
 * shared memory (no copy crosses a thread boundary) for the hash threads.
 */
import type { Metadata } from '../carver.js';
import { carvePage } from '../scan/carve-page.js';
import { findCandidates, type Hit } from '../scan/find-candidates.js';
import type { ScanIssue } from '../scan/carve-page.js';
import { readSalvaging } from './read-salvaging.js';
import { copyRuns, detectType } from './write-file.js';
import type { ScanTask, ScanTaskResult, WriteTask, WriteTaskResult } from './tasks.js';
import { workerState } from './worker-state.js';

export async function scanPage(task: ScanTask): Promise<ScanTaskResult> {
  const s = await workerState(task.config);
  const { pageStart, pageLength } = task;
  const windowLength = Math.min(pageLength + task.config.margin, s.source.size - pageStart);
  if (s.page.length < windowLength) s.page = new Uint8Array(windowLength);
  const win = s.page.subarray(0, windowLength);

  const t0 = performance.now();
  const issues: ScanIssue[] = [];
  readSalvaging(s.source, pageStart, win, issues);
  s.reader.setWindow(pageStart, win);
  // The image hashes need the page's bytes: copied (a memcpy, about 2 ms a page) into the
  // shared buffer the task brought, which the hash threads read without a copy of their own.
  let pageBytes: Uint8Array | undefined;
  if (task.hashInto) {
    pageBytes = task.hashInto.subarray(0, pageLength);
    pageBytes.set(win.subarray(0, pageLength));
  }
  const t1 = performance.now();

  const hits: Hit[] = [];
  const found = findCandidates(win, pageStart, pageStart, pageStart + pageLength, task.config.align, s.index, hits);
  const t2 = performance.now();

  const carved = carvePage(s.reader, hits, s.carvers, s.contexts);
  return {
    pageStart,
    pageLength,
    hits: hits.length,
    rejected: carved.rejected,
    suppressed: carved.suppressed,
    uniformBytes: found.uniformBytes,
    candidates: carved.candidates,
    issues: [...issues, ...carved.issues],
    readMs: t1 - t0,
    searchMs: t2 - t1,
    carveMs: carved.carveMs,
    ...(pageBytes ? { pageBytes } : {}),
  };
}

export async function writeFile(task: WriteTask): Promise<WriteTaskResult> {
  const s = await workerState(task.config);
  const issues: ScanIssue[] = [];
  const offset = task.result.byteRuns[0]!.imgOffset;
  const t0 = performance.now();
  const written = await copyRuns(s.source, task.result.byteRuns, task.path);
  const t1 = performance.now();
  const detected = await detectType(written.head);
  let metadata: Metadata = {};
  const carver = s.carvers.find((c) => c.name === task.carver);
  if (carver?.describe) {
    try {
      metadata = await carver.describe(s.reader, task.result, { verifyDecode: task.config.verifyDecode });
    } catch (err) {
      issues.push({ offset, message: `metadata of the file at image offset ${offset} could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  return {
    size: written.size,
    sha256: written.sha256,
    md5: written.md5,
    xxh64: written.xxh64,
    detected,
    metadata,
    issues,
    hashMs: t1 - t0,
    describeMs: performance.now() - t1,
  };
}
