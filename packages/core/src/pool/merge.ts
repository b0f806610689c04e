import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { join, resolve } from 'node:path';
import { Piscina } from 'piscina';
import { AuditLog } from '../audit/audit-log.js';
import { auditEwf } from '../audit/run-events.js';
import { hostFacts } from '../audit/host.js';
import { UsageError } from '../errors.js';
import { copyVerified } from '../output/copy-verified.js';
import { Deduplicator } from '../output/dedup.js';
import { prepareOutDir } from '../output/out-dir.js';
import { DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import { loadCarvers, selectCarvers } from '../registry.js';
import { ewfReport, sourceFacts } from '../report/source-facts.js';
import type { FsSummary, ReportSource } from '../report/types.js';
import { loadFileSystems } from '../fs/load.js';
import { matchFiles } from '../fs/match.js';
import { reassemblyHints } from '../fs/hints.js';
import type { Candidate } from '../scan/carve-page.js';
import { EwfSource } from '../source/ewf/index.js';
import { openImageSource } from '../source/open.js';
import type { FileLine } from './checkpoint.js';
import { sameBytes } from './file-record.js';
import { FileWriter, type WriteOutcome } from './file-writer.js';
import { ImageHasher, type Digests, type HashAlgorithm } from './image-hash.js';
import { coverageOf, loadShards, mergePages, type ShardInput } from './merge-inputs.js';
import { reassemblyPass } from './reassembly-pass.js';
import { rehashPrefix } from './rehash-prefix.js';
import { RunState, sortedIssues } from './run-state.js';
import type { ScanEvents, ScanResult } from './scan-types.js';
import { TaskTracker } from './task-tracker.js';
import type { WorkerConfig } from './tasks.js';
import { compiledWorkerUrl } from './worker-url.js';
import { maxFileSizeOf, runLimits } from './limits.js';

/** What to merge, where to, and with which carvers: the options of mergeShards (`rawcarve merge`). */
export interface MergeOptions {
  /** Output folders of `rawcarve scan --range/--shard` runs (finished). */
  shardDirs: string[];
  /** Output folder of the merged files and reports (empty unless `force`). */
  outDir: string;
  /** The image the shards scanned; by default the path they recorded. Needed for reassembly and rewritten files. */
  imagePath?: string;
  /** Carver modules (built-ins and the shards' plugins): names and versions must match the shards'. */
  carverModules: string[];
  /** Worker threads (default: the number of cores). */
  jobs?: number;
  /** Replace a previous merge's output in a non-empty outDir. */
  force?: boolean;
  /** Read the whole image once more for source.md5/sha256 (shard hashes cannot be combined). */
  rehash?: boolean;
  /** Who is merging, for the audit log and the report. */
  tool?: { name: string; version: string; commandLine: string[] };
}

/**
 * Combines shard outputs into what one run over their ranges gives: the
 * shards' page journals are folded again in image order (so a file
 * starting before a shard's range suppresses or cuts what the shard found
 * inside it, exactly as in one run), fragment reassembly runs once over
 * every shard's files, and each decided file is copied from the shard that
 * wrote the same bytes (its SHA-256 checked) or, when the decision differs
 * from the shard's, written from the image.
 */
export async function mergeShards(opts: MergeOptions, events: ScanEvents = {}): Promise<ScanResult> {
  const started = performance.now();
  const startedAt = new Date().toISOString();
  const shards = loadShards(opts.shardDirs);
  const first = shards[0]!.checkpoint;
  const settings = first.settings;
  const size = first.identity.size;
  const imagePath = opts.imagePath ?? first.identity.path;
  if (!existsSync(imagePath)) throw new UsageError(`image ${imagePath} not found: give the image the shards scanned with --image`);
  const probe = openImageSource(imagePath);
  const ewf = probe instanceof EwfSource ? ewfReport(probe.info) : null;
  const kind = probe.kind;
  probe.close();
  if (probe.size !== size || kind !== first.identity.kind) throw new UsageError(`${imagePath} (${kind}, ${probe.size} bytes) is not the image the shards scanned (${first.identity.kind}, ${size} bytes)`);
  const carvers = selectCarvers(await loadCarvers(opts.carverModules), settings.types);
  for (const c of carvers) {
    if (settings.carverVersions[c.name] !== c.version) throw new UsageError(`carver ${c.name} is version ${c.version} here but the shards ran ${settings.carverVersions[c.name]}`);
  }
  const reportOnly = settings.reportOnly ?? false;
  prepareOutDir(opts.outDir, imagePath, opts.force ?? false, false, !reportOnly);
  if (!reportOnly) for (const c of carvers) mkdirSync(join(opts.outDir, 'files', c.name), { recursive: true });
  const jobs = Math.max(1, opts.jobs ?? availableParallelism());
  const tool = opts.tool ?? { name: 'rawcarve-core', version: 'unknown', commandLine: [] };
  const coverage = coverageOf(shards.map((s) => s.checkpoint.settings.range), size);

  const audit = new AuditLog(opts.outDir);
  audit.event('merge', { tool: tool.name, version: tool.version, pid: process.pid, shards: shards.length });
  audit.event('command', { argv: tool.commandLine, cwd: process.cwd() });
  audit.event('host', { ...hostFacts() });
  audit.event('source', { path: resolve(imagePath), size, kind });
  if (ewf) auditEwf(audit, ewf);
  for (const s of shards) {
    const r = s.checkpoint.settings.range;
    audit.event('shard', { dir: resolve(s.dir), start: r.start, length: r.length, ...(s.checkpoint.rangeHashes ?? {}), started: s.report?.startedAt, host: s.report?.host.hostname });
  }
  audit.event('coverage', { complete: coverage.complete, gaps: coverage.gaps, overlaps: coverage.overlaps });

  const config: WorkerConfig = {
    runId: randomUUID(), imagePath, carverModules: opts.carverModules, carverNames: carvers.map((c) => c.name),
    maxFileSizes: carvers.map((c) => maxFileSizeOf(c, settings.maxFileSizes)), align: settings.align, margin: settings.margin, verifyDecode: settings.verifyDecode,
    reportOnly, filter: settings.filter ?? null,
  };
  const pool = new Piscina({ filename: compiledWorkerUrl('worker-entry.cjs'), minThreads: jobs, maxThreads: jobs, maxQueue: jobs * 4, idleTimeout: 1000 });
  const state = new RunState(settings.reassemble, settings.pageSize);
  const dedup = new Deduplicator();
  const tracker = new TaskTracker();
  const counts = { reused: 0, total: 0 };
  const reuse = shardReuse(shards, opts.outDir, counts, (path, offset) =>
    audit.event('shard-file-mismatch', { path, offset, message: 'the file differs from its shard\'s record; written from the image instead' }),
  );
  const progress = (): void => {
    counts.total++;
    events.onProgress?.({ bytesDone: size, bytesTotal: size, filesWritten: dedup.count, elapsedMs: performance.now() - started });
  };
  const writer = new FileWriter({ pool, config, carvers, outDir: opts.outDir, imageSize: size, state, dedup, journal: null, tracker, limit: jobs * 2, onWritten: progress, reuse,
    onIssues: (list) => list.forEach((i) => audit.event('issue', { offset: i.offset, message: i.message })),
  });
  let digests: Digests | null = null;
  let fileSystems: FsSummary[] = [];
  try {
    const fsys = loadFileSystems(imagePath);
    for (const page of mergePages(shards)) for (const k of state.fold(page)) writer.enqueue(k.candidate);
    for (const k of state.end()) writer.enqueue(k.candidate);
    audit.event('replayed', { pages: state.pagesFolded, kept: state.kept.length, held: state.held.length, suppressed: state.totals.suppressed });
    if (state.held.length > 0) {
      audit.event('phase-start', { phase: 'reassembly', files: state.held.length });
      events.onReassembly?.({ files: state.held.length, budgetMs: settings.reassemblyMs ?? DEFAULT_REASSEMBLY_MS });
      const held = state.held.map((k) => k.candidate);
      const outcome = reassemblyPass(imagePath, settings, state.held, state.kept, carvers, reassemblyHints(fsys.volumes, fsys.space, held, state.kept));
      state.totals.reassembly = outcome.totals;
      audit.event('phase-end', { phase: 'reassembly', attempted: outcome.totals.attempted, rebuilt: outcome.totals.rebuilt, ms: Math.round(outcome.totals.ms) });
      for (const c of outcome.candidates) writer.enqueue(c);
    }
    await tracker.drain();
    if (tracker.fatal !== null) throw tracker.fatal;
    const files = dedup.files();
    fileSystems = matchFiles(fsys.volumes, fsys.space, files);
    audit.event('phase-end', { phase: 'write', files: files.length, copied_from_shards: counts.reused, written_from_image: counts.total - counts.reused, bytes: files.reduce((n, f) => n + f.size, 0) });
    if (opts.rehash && settings.hashAlgorithms.length > 0) {
      digests = await hashWholeImage(imagePath, size, settings.hashAlgorithms);
      audit.event('image-hashes', { offset: 0, length: size, ...digests });
    }
  } catch (err) {
    audit.event('error', { message: err instanceof Error ? err.message : String(err) });
    throw err;
  } finally {
    await pool.destroy();
    audit.close();
  }
  const source = mergedSource({ path: resolve(imagePath), size, kind, shards, coverage, ewf, digests, algorithms: settings.hashAlgorithms });
  state.totals.elapsedMs = performance.now() - started;
  return {
    files: dedup.files(),
    filtered: [...state.filtered].sort((a, b) => a.imgOffset - b.imgOffset),
    filter: settings.filter ?? null,
    reportOnly,
    issues: sortedIssues(state.issues),
    totals: state.totals, carvers, size, sourceKind: kind, jobs, align: settings.align, pageSize: settings.pageSize, margin: settings.margin,
    outDir: opts.outDir, source, range: null, hashAlgorithms: [...settings.hashAlgorithms],
    run: { startedAt, commandLine: [...tool.commandLine], resumes: [] },
    fileSystems,
    freeSpaceOnly: settings.freeSpaceOnly ?? false,
    limits: runLimits(carvers, settings),
  };
}

/**
 * The merge's reuse hook: a decided file whose bytes a shard wrote (same
 * runs, same status) is copied from a shard file with the recorded SHA-256
 * (the shard may have kept a lower duplicate under another name), and the
 * copy is checked against it.
 */
function shardReuse(
  shards: readonly ShardInput[],
  outDir: string,
  counts: { reused: number },
  onMismatch: (path: string, offset: number) => void,
): (c: Candidate, rel: string) => Promise<WriteOutcome | null> {
  const byKey = new Map<string, FileLine>();
  const bySha = new Map<string, string[]>();
  for (const s of shards) {
    for (const line of s.files) {
      const r = line.record;
      byKey.set(`${r.type}:${r.imgOffset}`, line);
      const path = join(s.dir, r.path);
      const list = bySha.get(r.sha256) ?? [];
      list.push(path);
      bySha.set(r.sha256, list);
    }
  }
  return async (c, rel) => {
    const line = byKey.get(`${c.carver}:${c.offset}`);
    if (!line || line.record.status !== c.status || !sameBytes(line.record, c)) return null;
    const r = line.record;
    for (const from of bySha.get(r.sha256) ?? []) {
      if (!existsSync(from)) continue;
      const copied = await copyVerified(from, join(outDir, rel));
      if (copied.sha256 === r.sha256 && copied.size === r.size) {
        counts.reused++;
        return { size: r.size, sha256: r.sha256, md5: r.md5, xxh64: r.xxh64, detected: r.typeCheck.detected, metadata: r.metadata, issues: line.issues, hashMs: line.hashMs, describeMs: line.describeMs };
      }
      onMismatch(from, c.offset); // a shard's file changed since the shard recorded it: not used
    }
    return null; // no intact copy in the shards: written from the image
  };
}

interface MergedSourceInput {
  path: string;
  size: number;
  kind: string;
  shards: readonly ShardInput[];
  coverage: ReturnType<typeof coverageOf>;
  ewf: ReturnType<typeof ewfReport> | null;
  digests: Digests | null;
  algorithms: readonly HashAlgorithm[];
}

/** The merged report's source: each shard's range hashes; whole-image hashes only from --rehash (MD5 states cannot be combined). */
function mergedSource(i: MergedSourceInput): ReportSource {
  const whole = { start: 0, length: i.size };
  const base = sourceFacts({ path: i.path, size: i.size, kind: i.kind, range: whole, algorithms: i.algorithms, digests: i.digests, ewf: i.ewf });
  const sha1 = i.algorithms.includes('sha1');
  return {
    ...base,
    hashNote: i.digests
      ? 'computed by rawcarve merge --rehash, reading the whole image once more; unreadable regions are hashed as zeros'
      : 'not computed for a merged run: hash states of the shards cannot be combined (MD5 has no combine); each shard hashed its range (source.shards), ' +
        'or run rawcarve verify IMAGE, or merge with --rehash',
    shards: i.shards.map((s) => ({
      outDir: resolve(s.dir),
      range: { ...s.checkpoint.settings.range },
      md5: s.checkpoint.rangeHashes?.md5 ?? null,
      sha256: s.checkpoint.rangeHashes?.sha256 ?? null,
      ...(sha1 ? { sha1: s.checkpoint.rangeHashes?.sha1 ?? null } : {}),
      startedAt: s.report?.startedAt ?? s.checkpoint.run.startedAt,
      finishedAt: s.report?.finishedAt ?? '',
      host: s.report?.host.hostname ?? '',
    })),
    coverage: i.coverage,
  };
}

/** --rehash: the whole image through the hash threads (a second read, asked for). */
async function hashWholeImage(imagePath: string, size: number, algorithms: readonly HashAlgorithm[]): Promise<Digests> {
  const hasher = new ImageHasher(algorithms);
  const source = openImageSource(imagePath);
  try {
    await rehashPrefix(source, 0, size, hasher, null);
    return await hasher.digest();
  } finally {
    source.close();
    await hasher.close();
  }
}
