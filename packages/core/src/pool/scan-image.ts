import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { Piscina } from 'piscina';
import { AuditLog } from '../audit/audit-log.js';
import { auditRunStart } from '../audit/run-events.js';
import { Deduplicator } from '../output/dedup.js';
import { DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import { sourceFacts } from '../report/source-facts.js';
import type { FileRecord } from '../report/types.js';
import type { Candidate } from '../scan/carve-page.js';
import { openImageSource } from '../source/open.js';
import { Checkpointer, DEFAULT_CHECKPOINT_MS } from './checkpointer.js';
import { FileWriter } from './file-writer.js';
import { ImageHasher, type Digests } from './image-hash.js';
import { loadFileSystems } from '../fs/load.js';
import { matchFiles } from '../fs/match.js';
import { reassemblyHints } from '../fs/hints.js';
import { reassemblyPass } from './reassembly-pass.js';
import { maxFileSizeOf, runLimits } from './limits.js';
import { rehashPrefix } from './rehash-prefix.js';
import { restoreRun } from './restore.js';
import { RunState, sortedIssues } from './run-state.js';
import { freshSetup, isWholeImage, resumeSetup, type RunSetup } from './run-setup.js';
import { scanPages } from './scan-pages.js';
import { ScanInterrupted, type ScanEvents, type ScanOptions, type ScanResult } from './scan-types.js';
import { TaskTracker } from './task-tracker.js';
import type { WorkerConfig } from './tasks.js';
import { compiledWorkerUrl } from './worker-url.js';

export { DEFAULT_PAGE_SIZE, DEFAULT_MARGIN } from './run-setup.js';
export { ScanInterrupted, type ScanOptions, type ScanEvents, type ScanProgress, type ScanResult } from './scan-types.js';

/** Incomplete files of a shard are written as found: only the merge sees every shard's clusters. */
const SHARD_NOTE = 'not reassembled in this shard: rawcarve merge searches for the missing fragments among every shard\'s clusters';

/**
 * Scans an image (or a range of it) and writes every file the carvers accept
 * under OUTDIR/files, hashing the image in the same read.
 *
 * The run is a fold of page results in image order (see RunState), recorded
 * in journals with a checkpoint committed every few seconds, so that a run
 * stopped by Ctrl-C, a crash or `kill -9` continues with `resume` and ends
 * with exactly the files and reports of an uninterrupted run. Every step is
 * logged to OUTDIR/audit.log as it happens.
 */
export async function scanImage(opts: ScanOptions, events: ScanEvents = {}): Promise<ScanResult> {
  const started = performance.now();
  const tool = opts.tool ?? { name: 'rawcarve-core', version: coreVersion(), commandLine: [] };
  const setup = opts.resume ? await resumeSetup(opts, tool) : await freshSetup(opts, tool);
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const audit = new AuditLog(opts.outDir);
  try {
    auditRunStart(audit, { tool, run: setup.run, resumed: setup.resumed, identity: setup.identity, imagePath: opts.imagePath, ewf: setup.ewf, settings: setup.settings, jobs });
    return await runScan(opts, setup, jobs, audit, events, started);
  } catch (err) {
    const message = err instanceof Error ? err.message : String(err);
    audit.event(err instanceof ScanInterrupted ? 'interrupted' : 'error', { message });
    throw err;
  } finally {
    audit.close();
  }
}

async function runScan(opts: ScanOptions, setup: RunSetup, jobs: number, audit: AuditLog, events: ScanEvents, started: number): Promise<ScanResult> {
  const { settings, identity, carvers, grid } = setup;
  const size = identity.size;
  const shard = !isWholeImage(settings.range, size);
  events.onStart?.({ size, carvers, jobs });

  const config: WorkerConfig = {
    runId: randomUUID(),
    imagePath: opts.imagePath,
    carverModules: settings.carverModules,
    carverNames: carvers.map((c) => c.name),
    maxFileSizes: carvers.map((c) => maxFileSizeOf(c, settings.maxFileSizes)),
    align: settings.align,
    margin: settings.margin,
    verifyDecode: settings.verifyDecode,
    reportOnly: settings.reportOnly ?? false,
    filter: settings.filter ?? null,
    ...(opts.faults && opts.faults.length > 0 ? { faults: opts.faults } : {}),
  };
  const pool = new Piscina({
    filename: compiledWorkerUrl('worker-entry.cjs'),
    minThreads: jobs,
    maxThreads: jobs,
    // Bounded: a fast reader must not queue the whole image's pages.
    // At most 2 scans and 2 writes per worker are ever submitted at once.
    maxQueue: jobs * 4,
    idleTimeout: 1000,
  });
  const state = new RunState(settings.reassemble && !shard, settings.pageSize);
  // FAT/exFAT volumes: names and times for the reports, the free space for --free-space-only, hints for reassembly.
  const fsys = loadFileSystems(opts.imagePath);
  audit.event('file-systems', { volumes: fsys.volumes.map((v) => `${v.type}@${v.partitionOffset}`), scheme: fsys.scheme, notes: fsys.notes, ms: Math.round(fsys.ms) });
  const freeOnly = (settings.freeSpaceOnly ?? false) && fsys.volumes.length > 0;
  if (settings.freeSpaceOnly && !freeOnly) state.issues.push({ offset: 0, message: '--free-space-only: no FAT or exFAT file system was found, so the whole image was searched' });
  const dedup = new Deduplicator();
  const tracker = new TaskTracker();
  const checkpoints = new Checkpointer(opts.outDir, setup.checkpoint, opts.checkpointMs ?? DEFAULT_CHECKPOINT_MS);
  let bytesDone = grid.bytesBefore(setup.checkpoint.pagesDone);
  const byType: Record<string, number> = Object.fromEntries(carvers.map((c) => [c.name, 0]));
  const progress = (): void =>
    events.onProgress?.({
      bytesDone, bytesTotal: settings.range.length, filesWritten: dedup.count, filesByType: { ...byType }, filesFiltered: state.filtered.length,
      elapsedMs: performance.now() - started,
    });
  const onWritten = (record: FileRecord | null, loser: FileRecord | null): void => {
    if (record) byType[record.type] = (byType[record.type] ?? 0) + 1;
    if (loser) byType[loser.type] = (byType[loser.type] ?? 0) - 1;
    // Writes finish between folds: commit them too, or a crash would make the resumed run write them again.
    checkpoints.maybe(() => ({ pagesDone: state.pagesFolded }));
    progress();
  };
  const writer = new FileWriter({ pool, config, carvers, outDir: opts.outDir, imageSize: size, state, dedup, journal: checkpoints.files, tracker, limit: jobs * 2, onWritten,
    onIssues: (list) => list.forEach((i) => audit.event('issue', { offset: i.offset, message: i.message })),
  });
  const release = (c: Candidate): void =>
    writer.enqueue(shard && settings.reassemble && c.status !== 'complete' ? { ...c, notes: [...c.notes, SHARD_NOTE] } : c);
  let hasher: ImageHasher | null = null;
  const failed = (): void => {
    if (tracker.fatal !== null) throw tracker.fatal;
  };

  try {
    checkpoints.commit({ run: setup.run }); // the run, or this resume, is on record before anything is read
    let missing: FileRecord[] = [];
    if (setup.resumed) {
      const r = restoreRun(opts.outDir, setup.checkpoint, state, writer, dedup);
      missing = r.missing;
      for (const f of dedup.files()) byType[f.type] = (byType[f.type] ?? 0) + 1;
      for (const c of r.released) release(c);
      audit.event('restored', { pages_done: state.pagesFolded, pages: grid.count, files_done: r.filesDone, phase: setup.checkpoint.phase });
      events.onResume?.({ fromOffset: settings.range.start + bytesDone, rehashBytes: setup.checkpoint.rangeHashes ? 0 : bytesDone, filesDone: r.filesDone });
    }

    let rangeHashes: Digests | null = setup.checkpoint.rangeHashes;
    if (rangeHashes === null && settings.hashAlgorithms.length > 0) {
      hasher = new ImageHasher(settings.hashAlgorithms);
      const prefix = grid.bytesBefore(state.pagesFolded);
      if (prefix > 0) {
        // node:crypto cannot save a hash state: the done prefix is read and hashed again, and checked.
        const t0 = performance.now();
        const source = openImageSource(opts.imagePath);
        try {
          await rehashPrefix(source, settings.range.start, prefix, hasher, setup.checkpoint.prefixHashes);
        } finally {
          source.close();
        }
        audit.event('rehash-prefix', { offset: settings.range.start, bytes: prefix, checked_bytes: setup.checkpoint.prefixHashes?.length ?? 0, ms: Math.round(performance.now() - t0) });
      }
    }

    if (state.pagesFolded < grid.count) {
      const t0 = performance.now();
      audit.event('phase-start', { phase: 'scan', from_page: state.pagesFolded, pages: grid.count, offset: settings.range.start + bytesDone });
      await scanPages({
        pool, config, grid, state, tracker, jobs, hasher, checkpoints, release, audit, events, signal: opts.signal,
        ...(freeOnly ? { searchRanges: fsys.searchRanges } : {}),
        scanned: (n) => {
          bytesDone += n;
          progress();
        },
      });
      failed();
      if (opts.signal?.aborted) {
        const prefixHashes = hasher ? await hasher.markNow() : null;
        checkpoints.commit({ pagesDone: state.pagesFolded, prefixHashes });
        throw new ScanInterrupted(`interrupted after ${state.pagesFolded} of ${grid.count} pages; continue with --resume`);
      }
      const t = state.totals;
      audit.event('phase-end', { phase: 'scan', pages: grid.count, bytes: t.bytesScanned, hits: t.hits, rejected: t.rejected, ms: Math.round(performance.now() - t0) });
    }

    events.onScanEnd?.();
    for (const k of state.end()) release(k.candidate);
    if (hasher) {
      rangeHashes = await hasher.digest();
      audit.event('image-hashes', { offset: settings.range.start, length: settings.range.length, ...rangeHashes });
    }
    checkpoints.commit({ pagesDone: state.pagesFolded, rangeHashes }); // the scan is on record before the long reassembly pass
    let outcome = setup.checkpoint.reassembly;
    if (state.held.length > 0 && outcome === null) {
      const budgetMs = settings.reassemblyMs ?? DEFAULT_REASSEMBLY_MS;
      events.onReassembly?.({ files: state.held.length, budgetMs });
      audit.event('phase-start', { phase: 'reassembly', files: state.held.length, budget_ms: budgetMs });
      const held = state.held.map((k) => k.candidate);
      outcome = reassemblyPass(opts.imagePath, settings, state.held, state.kept, carvers, reassemblyHints(fsys.volumes, fsys.space, held, state.kept), opts.faults);
      const r = outcome.totals;
      audit.event('phase-end', { phase: 'reassembly', attempted: r.attempted, rebuilt: r.rebuilt, trimmed: r.trimmed, trials: r.trials, block_size: r.blockSize, ms: Math.round(r.ms) });
    }
    checkpoints.commit({ phase: 'reassembled', pagesDone: state.pagesFolded, rangeHashes, reassembly: outcome });
    if (outcome) {
      if (outcome.candidates.length !== state.held.length) throw new Error('the checkpoint\'s reassembly does not match the replayed pages');
      state.totals.reassembly = outcome.totals;
      for (const c of outcome.candidates) release(c);
    }
    await tracker.drain();
    failed();
    // Files a resume found missing that are still kept (not replaced by a lower copy since).
    const owners = new Set(dedup.files().map((f) => f.path));
    if (!settings.reportOnly) for (const r of missing) if (owners.has(r.path)) writer.rewrite(r);
    await tracker.drain();
    failed();
    checkpoints.commit();

    state.totals.elapsedMs = performance.now() - started;
    const files = dedup.files();
    const fileSystems = matchFiles(fsys.volumes, fsys.space, files);
    audit.event('phase-end', { phase: 'write', files: files.length, bytes: files.reduce((n, f) => n + f.size, 0), duplicates: files.reduce((n, f) => n + f.duplicates.length, 0) });
    const source = sourceFacts({ path: identity.path, size, kind: identity.kind, range: settings.range, algorithms: settings.hashAlgorithms, digests: rangeHashes, ewf: setup.ewf });
    if (source.ewf?.hashesMatch) audit.event('ewf-verify', { ...source.ewf.hashesMatch, stored_md5: source.ewf.storedHashes.md5, stored_sha1: source.ewf.storedHashes.sha1 });
    return {
      files,
      filtered: [...state.filtered].sort((a, b) => a.imgOffset - b.imgOffset),
      filter: settings.filter ?? null,
      reportOnly: settings.reportOnly ?? false,
      issues: sortedIssues(state.issues),
      totals: state.totals,
      carvers,
      size,
      sourceKind: identity.kind,
      jobs,
      align: settings.align,
      pageSize: settings.pageSize,
      margin: settings.margin,
      outDir: opts.outDir,
      source,
      range: shard ? { ...settings.range } : null,
      hashAlgorithms: [...settings.hashAlgorithms],
      run: setup.run,
      fileSystems,
      freeSpaceOnly: settings.freeSpaceOnly ?? false,
      limits: runLimits(carvers, settings),
    };
  } finally {
    await pool.destroy();
    await hasher?.close();
    checkpoints.close();
  }
}

function coreVersion(): string {
  try {
    return (JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  } catch {
    return 'unknown';
  }
}
