import { randomUUID } from 'node:crypto';
import { mkdirSync, unlinkSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import { Piscina } from 'piscina';
import type { Carver } from '../carver.js';
import { loadCarvers, selectCarvers } from '../registry.js';
import { Deduplicator } from '../output/dedup.js';
import { outputName, prepareOutDir } from '../output/out-dir.js';
import { OverlapResolver, type Kept } from '../resolve/overlaps.js';
import { SignatureIndex } from '../scan/signature-index.js';
import { openImageSource } from '../source/open.js';
import { SourceReader } from '../reader/source-reader.js';
import { DEFAULT_REASSEMBLY_MS, reassembleAll } from '../reassemble/index.js';
import type { Candidate } from '../scan/carve-page.js';
import type { FileRecord, ReportIssue } from '../report/types.js';
import type { ScanTask, ScanTaskResult, WorkerConfig, WriteTask, WriteTaskResult } from './tasks.js';
import { RunTotals } from './totals.js';

export interface ScanOptions {
  imagePath: string;
  outDir: string;
  /** Module URLs exporting carvers: built-ins and plugins (see resolvePluginUrl). */
  carverModules: string[];
  /** Carver names to run; all loaded carvers when omitted. */
  types?: string[];
  jobs?: number;
  /** Test signatures at every `align` bytes (512 by default; 1 = every byte). */
  align?: number;
  pageSize?: number;
  margin?: number;
  /** Replace a previous run's output in a non-empty OUTDIR. */
  force?: boolean;
  /** Extra verification of carved files: 'decode' decodes images fully (slower). */
  verify?: readonly 'decode'[];
  /** Rebuild fragmented files after the first pass (default true). */
  reassemble?: boolean;
  /** Cluster size for reassembly (--block-size); inferred from header positions when absent. */
  blockSize?: number;
  /** Wall-clock budget of the reassembly pass in ms (--reassembly-time). */
  reassemblyMs?: number;
}

export interface ScanProgress {
  bytesDone: number;
  bytesTotal: number;
  filesWritten: number;
  elapsedMs: number;
}

export interface ScanEvents {
  onStart?(info: { size: number; carvers: Carver[]; jobs: number }): void;
  onProgress?(p: ScanProgress): void;
  /** The reassembly pass starts: `files` incomplete files, at most `budgetMs` of wall time. */
  onReassembly?(info: { files: number; budgetMs: number }): void;
}

export interface ScanResult {
  files: FileRecord[];
  issues: ReportIssue[];
  totals: RunTotals;
  carvers: Carver[];
  size: number;
  sourceKind: string;
  jobs: number;
  align: number;
  pageSize: number;
  margin: number;
}

export const DEFAULT_PAGE_SIZE = 16 * 1024 * 1024;
export const DEFAULT_MARGIN = 1024 * 1024;

/**
 * Scans an image and writes every file the carvers accept under OUTDIR/files.
 *
 * Pages go to a worker pool in order, at most a few per worker at a time, so
 * memory stays flat whatever the image size. Results come back out of order;
 * a frontier (the first page not yet done) decides when a candidate is final,
 * and overlap resolution runs in image order, so the output does not depend
 * on worker timing. Writing, hashing and metadata run in the same pool.
 */
export async function scanImage(opts: ScanOptions, events: ScanEvents = {}): Promise<ScanResult> {
  const started = performance.now();
  const source = openImageSource(opts.imagePath);
  const size = source.size;
  const sourceKind = source.kind;
  source.close();

  const carvers = selectCarvers(await loadCarvers(opts.carverModules), opts.types ?? null);
  if (carvers.length === 0) throw new Error('no carvers selected');
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const align = opts.align ?? 512;
  const pageSize = Math.max(align, Math.ceil((opts.pageSize ?? DEFAULT_PAGE_SIZE) / align) * align);
  const margin = Math.max(opts.margin ?? DEFAULT_MARGIN, new SignatureIndex(carvers).span);
  if (!Number.isInteger(align) || align < 1) throw new Error(`alignment must be a positive integer, not ${align}`);

  prepareOutDir(opts.outDir, opts.imagePath, opts.force ?? false);
  for (const c of carvers) mkdirSync(join(opts.outDir, 'files', c.name), { recursive: true });
  events.onStart?.({ size, carvers, jobs });

  const config: WorkerConfig = {
    runId: randomUUID(),
    imagePath: opts.imagePath,
    carverModules: opts.carverModules,
    carverNames: carvers.map((c) => c.name),
    maxFileSizes: carvers.map((c) => c.maxFileSize),
    align,
    margin,
    verifyDecode: opts.verify?.includes('decode') ?? false,
  };
  const pool = new Piscina({
    filename: workerUrl(),
    minThreads: jobs,
    maxThreads: jobs,
    // Bounded: a fast reader must not queue the whole image's pages.
    // At most 2 scans and 2 writes per worker are ever submitted at once.
    maxQueue: jobs * 4,
    idleTimeout: 1000,
  });

  const totals = new RunTotals();
  const issues: ReportIssue[] = [];
  const resolver = new OverlapResolver();
  const dedup = new Deduplicator();
  const pageCount = Math.ceil(size / pageSize);
  const done = new Map<number, ScanTaskResult>();
  let frontier = 0; // index of the first page whose result has not been folded in
  let bytesDone = 0;
  let fatal: unknown = null;
  const inflight = new Set<Promise<void>>();
  const track = (p: Promise<void>): void => {
    const q = p.catch((err: unknown) => {
      fatal ??= err;
    }).finally(() => inflight.delete(q));
    inflight.add(q);
  };
  const progress = (): void =>
    events.onProgress?.({ bytesDone, bytesTotal: size, filesWritten: dedup.count, elapsedMs: performance.now() - started });

  const write = async (k: Kept): Promise<void> => {
    const c = k.candidate;
    const carver = carvers.find((x) => x.name === c.carver)!;
    const ext = c.extension ?? carver.extensions[0]!;
    const rel = outputName(carver.name, c.offset, size, ext);
    const task: WriteTask = { config, carver: carver.name, result: c, path: join(opts.outDir, rel) };
    const w = (await pool.run(task, { name: 'writeFile' })) as WriteTaskResult;
    totals.addWrite(w);
    issues.push(...w.issues);
    const record: FileRecord = {
      path: rel,
      type: carver.name,
      status: c.status,
      size: w.size,
      imgOffset: c.offset,
      byteRuns: c.byteRuns.map((b) => ({ ...b })),
      sha256: w.sha256,
      md5: w.md5,
      xxh64: w.xxh64,
      duplicates: [],
      metadata: { ...(c.metadata ?? {}), ...w.metadata },
      layout: c.byteRuns.length === 1 ? 'contiguous' : `${c.byteRuns.length} fragments`,
      gaps: c.byteRuns.slice(1).map((r, i) => r.imgOffset - (c.byteRuns[i]!.imgOffset + c.byteRuns[i]!.length)),
      validFraction: c.validFraction ?? (c.status === 'complete' ? 1 : 0),
      notes: [...c.notes],
      carver: { name: carver.name, version: carver.version },
      typeCheck: { detected: w.detected, matches: w.detected !== null && [...carver.extensions, ext].includes(w.detected.ext) },
    };
    const loser = dedup.add(record);
    if (loser) unlinkSync(join(opts.outDir, loser.path));
    progress();
  };

  const fold = (): void => {
    // Fold in finished pages in image order, then release files the frontier has passed.
    while (done.has(frontier)) {
      const r = done.get(frontier)!;
      done.delete(frontier);
      totals.addPage(r);
      issues.push(...r.issues);
      for (const c of r.candidates) resolver.add(c);
      frontier++;
    }
    const edge = frontier >= pageCount ? Infinity : frontier * pageSize;
    for (const k of resolver.ready(edge)) {
      kept.push(k.candidate);
      // Incomplete files wait for the reassembly pass, which needs every file's claims.
      if (reassemble && k.candidate.status !== 'complete') held.push(k);
      else writeQueue.push(k);
    }
    pumpWrites();
  };

  // Writes are bounded like scans, so the pool's queue never overflows and
  // a burst of small files cannot pile up tasks.
  const writeQueue: Kept[] = [];
  const reassemble = opts.reassemble ?? true;
  const kept: Candidate[] = [];
  const held: Kept[] = [];
  let writing = 0;
  const pumpWrites = (): void => {
    while (writing < jobs * 2 && writeQueue.length > 0) {
      writing++;
      track(
        write(writeQueue.shift()!).finally(() => {
          writing--;
          pumpWrites();
        }),
      );
    }
  };

  const scan = async (page: number): Promise<void> => {
    const task: ScanTask = { config, pageStart: page * pageSize, pageLength: Math.min(pageSize, size - page * pageSize) };
    const r = (await pool.run(task, { name: 'scanPage' })) as ScanTaskResult;
    done.set(page, r);
    bytesDone += r.pageLength;
    fold();
    progress();
  };

  try {
    for (let page = 0; page < pageCount && fatal === null; page++) {
      while (inflight.size >= jobs * 2 && fatal === null) await Promise.race(inflight);
      track(scan(page));
    }
    while (inflight.size > 0) await Promise.race(inflight);
    if (fatal === null) fold(); // empty images: nothing was scanned, nothing to fold
    if (fatal === null && held.length > 0) {
      events.onReassembly?.({ files: held.length, budgetMs: opts.reassemblyMs ?? DEFAULT_REASSEMBLY_MS });
      rebuildFragmented(opts, held, kept, carvers, totals);
      writeQueue.push(...held);
      pumpWrites();
      while (inflight.size > 0) await Promise.race(inflight);
    }
  } finally {
    await pool.destroy();
  }
  if (fatal !== null) throw fatal;

  totals.suppressed += resolver.stats.suppressed;
  totals.trimmed = resolver.stats.trimmed;
  totals.elapsedMs = performance.now() - started;
  issues.sort((a, b) => a.offset - b.offset);
  return { files: dedup.files(), issues, totals, carvers, size, sourceKind, jobs, align, pageSize, margin };
}

/**
 * The reassembly pass, in the main thread: every incomplete file gets a
 * bounded search for its missing fragments; rebuilt ones replace their
 * first fragment, the others keep it with a note of what was tried.
 */
function rebuildFragmented(opts: ScanOptions, held: Kept[], kept: Candidate[], carvers: Carver[], totals: RunTotals): void {
  const source = openImageSource(opts.imagePath);
  try {
    const reader = new SourceReader(source);
    const contexts = new Map(carvers.map((c) => [c.name, { maxFileSize: c.maxFileSize, align: opts.align ?? 512 }]));
    const { rebuilt, notes, stats } = reassembleAll(reader, kept, carvers, contexts, {
      ...(opts.blockSize ? { blockSize: opts.blockSize } : {}),
      ...(opts.reassemblyMs !== undefined ? { maxTotalMs: opts.reassemblyMs } : {}),
    });
    totals.reassembly = {
      blockSize: stats.grid.size,
      blockBase: stats.grid.base,
      blockSizeGiven: stats.gridGiven,
      attempted: stats.attempted,
      rebuilt: stats.rebuilt,
      trimmed: stats.trimmed,
      trials: stats.trials,
      ms: stats.ms,
    };
    for (const k of held) {
      const r = rebuilt.get(k.candidate.offset);
      if (r) k.candidate = { ...r, carver: k.candidate.carver, offset: k.candidate.offset };
      else {
        const note = notes.get(k.candidate.offset);
        if (note) k.candidate = { ...k.candidate, notes: [...k.candidate.notes, note] };
      }
    }
  } finally {
    source.close();
  }
}

/** The worker must be JavaScript: from src/ (tests under tsx/vitest) use the built copy in dist/. */
function workerUrl(): string {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/pool/worker.js', here).href;
  return new URL('./worker.js', here).href;
}
