/**
 * The piscina worker: scans pages and writes carved files. Each worker opens
 * the image itself and reads its own pages with positioned reads. Only small
 * results come back, plus, when the image is hashed, the page's bytes in
 * shared memory (no copy crosses a thread boundary) for the hash threads.
 */
import type { Metadata } from '../carver.js';
import { carvePage } from '../scan/carve-page.js';
import { findCandidates, type Hit } from '../scan/find-candidates.js';
import type { Candidate, ScanIssue } from '../scan/carve-page.js';
import { downgradeUnreadable, readSalvaging, type Unreadable } from './read-salvaging.js';
import { copyRuns, detectType } from './write-file.js';
import { metadataVerdict, sizeVerdict } from '../output/filter.js';
import type { FilteredTaskResult, ScanTask, ScanTaskResult, WriteTask, WriteTaskResult } from './tasks.js';
import { workerState } from './worker-state.js';

/**
 * The one handler the workers run (through worker-entry.cjs, which piscina
 * loads): it dispatches on the task's shape.
 */
export default function handleTask(task: ScanTask | WriteTask): Promise<ScanTaskResult | WriteTaskResult | FilteredTaskResult> {
  return 'pageStart' in task ? scanPage(task) : writeFile(task);
}

export async function scanPage(task: ScanTask): Promise<ScanTaskResult> {
  const s = await workerState(task.config);
  const { pageStart, pageLength, search } = task;
  if (search && search.length === 0 && !task.hashInto) {
    // --free-space-only, a page of allocated clusters and no image hash: nothing to read.
    return { pageStart, pageLength, hits: 0, rejected: 0, suppressed: 0, uniformBytes: 0, candidates: [], issues: [], readMs: 0, searchMs: 0, carveMs: 0, searchedBytes: 0 };
  }
  const windowLength = Math.min(pageLength + task.config.margin, s.source.size - pageStart);
  if (s.page.length < windowLength) s.page = new Uint8Array(windowLength);
  const win = s.page.subarray(0, windowLength);

  const t0 = performance.now();
  const issues: ScanIssue[] = [];
  const bad: Unreadable[] = [];
  readSalvaging(s.source, pageStart, win, issues, bad);
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
  let uniformBytes = 0;
  let searchedBytes = pageLength;
  if (search) {
    // --free-space-only: only the free ranges (in order, so hits stay in offset order).
    searchedBytes = 0;
    for (let i = 0; i + 1 < search.length; i += 2) {
      uniformBytes += findCandidates(win, pageStart, search[i]!, search[i + 1]!, task.config.align, s.index, hits).uniformBytes;
      searchedBytes += search[i + 1]! - search[i]!;
    }
  } else uniformBytes = findCandidates(win, pageStart, pageStart, pageStart + pageLength, task.config.align, s.index, hits).uniformBytes;
  const t2 = performance.now();

  const carved = carvePage(s.reader, hits, s.carvers, s.contexts);
  return {
    pageStart,
    pageLength,
    hits: hits.length,
    rejected: carved.rejected,
    suppressed: carved.suppressed,
    uniformBytes,
    candidates: markUnreadable(carved.candidates, [...bad, ...s.reader.unreadable]),
    issues: [...issues, ...carved.issues],
    readMs: t1 - t0,
    searchMs: t2 - t1,
    carveMs: carved.carveMs,
    ...(search ? { searchedBytes } : {}),
    ...(pageBytes ? { pageBytes } : {}),
  };
}

/** Files touching bytes that could not be read (in the page, or read past it by a carver) are never complete. */
function markUnreadable(candidates: Candidate[], bad: readonly Unreadable[]): Candidate[] {
  return bad.length === 0 ? candidates : candidates.map((c) => downgradeUnreadable(c, bad));
}

/**
 * Writes one kept file: its metadata first (so the filters can see its size,
 * pixels and date taken before a byte is written), then its bytes, hashed in
 * the same pass (with --report-only hashed only).
 */
export async function writeFile(task: WriteTask): Promise<WriteTaskResult | FilteredTaskResult> {
  const s = await workerState(task.config);
  const issues: ScanIssue[] = [];
  const offset = task.result.byteRuns[0]!.imgOffset;
  const filter = task.config.filter;
  const size = task.result.byteRuns.reduce((n, r) => n + r.length, 0);
  const bySize = sizeVerdict(filter, size);
  if (bySize) return { filtered: bySize, size, metadata: { ...(task.result.metadata ?? {}) }, issues, describeMs: 0 };
  const t0 = performance.now();
  let metadata: Metadata = {};
  const carver = s.carvers.find((c) => c.name === task.carver);
  if (carver?.describe) {
    try {
      metadata = await carver.describe(s.reader, task.result, { verifyDecode: task.config.verifyDecode });
    } catch (err) {
      issues.push({ offset, message: `metadata of the file at image offset ${offset} could not be read: ${err instanceof Error ? err.message : String(err)}` });
    }
  }
  const t1 = performance.now();
  const verdict = metadataVerdict(filter, { ...(task.result.metadata ?? {}), ...metadata });
  if (verdict) return { filtered: verdict, size, metadata: { ...(task.result.metadata ?? {}), ...metadata }, issues, describeMs: t1 - t0 };
  const written = await copyRuns(s.source, task.result.byteRuns, task.config.reportOnly ? null : task.path);
  const detected = await detectType(written.head);
  issues.push(...written.issues);
  return {
    size: written.size,
    sha256: written.sha256,
    md5: written.md5,
    xxh64: written.xxh64,
    detected,
    metadata,
    issues,
    ...(written.unreadable.length > 0 ? { unreadable: written.unreadable } : {}),
    hashMs: performance.now() - t1,
    describeMs: t1 - t0,
  };
}
