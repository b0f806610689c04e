/**
 * The piscina worker: scans pages and writes carved files. Each worker opens
 * the image itself and reads its own pages with positioned reads, so page
 * bytes never travel through the main thread. Only small results come back.
 */
import type { Metadata } from '../carver.js';
import { carvePage } from '../scan/carve-page.js';
import { findCandidates, type Hit } from '../scan/find-candidates.js';
import type { ImageSource } from '../source/image-source.js';
import type { ScanIssue } from '../scan/carve-page.js';
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

/** Salvage granularity after a failed page read. */
const SALVAGE = 64 * 1024;

/**
 * Reads a page; when the read fails, retries piece by piece so one bad sector
 * costs 64 KiB of zeros, not a whole page, and names every failed offset.
 */
function readSalvaging(source: ImageSource, start: number, into: Uint8Array, issues: ScanIssue[]): void {
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
