import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Carver } from '../carver.js';
import { UsageError } from '../errors.js';
import { filterActive } from '../output/filter.js';
import { prepareOutDir } from '../output/out-dir.js';
import { loadCarvers, selectCarvers } from '../registry.js';
import { ewfReport } from '../report/source-facts.js';
import type { EwfReport } from '../report/types.js';
import { SignatureIndex } from '../scan/signature-index.js';
import { EwfSource } from '../source/ewf/index.js';
import { openImageSource } from '../source/open.js';
import { CHECKPOINT_FORMAT, readCheckpoint, type Checkpoint, type RunLog, type RunSettings, type SourceIdentity } from './checkpoint.js';
import type { HashAlgorithm } from './image-hash.js';
import { effectiveMaxFileSizes } from './limits.js';
import { PageGrid, parseRange, shardRange, type ByteRange } from './range.js';
import type { ScanOptions } from './scan-types.js';

/** Scanner page: 16 MiB (bulk_extractor's default), the unit of work, hashing and checkpoints. */
export const DEFAULT_PAGE_SIZE = 16 * 1024 * 1024;
/** Bytes read past each page, so a signature or small file across its end is seen by the page it starts in. */
export const DEFAULT_MARGIN = 1024 * 1024;

/** Everything a run needs before its first page: settings, the evidence, carvers and where it starts. */
export interface RunSetup {
  settings: RunSettings;
  identity: SourceIdentity;
  ewf: EwfReport | null;
  carvers: Carver[];
  grid: PageGrid;
  run: RunLog;
  /** The checkpoint to continue from: a fresh one for a new run. */
  checkpoint: Checkpoint;
  resumed: boolean;
}

type Tool = NonNullable<ScanOptions['tool']>;

/** A new run: settings from the options, OUTDIR prepared (empty unless --force). */
export async function freshSetup(opts: ScanOptions, tool: Tool): Promise<RunSetup> {
  const { identity, ewf, storedSha1 } = inspectSource(opts.imagePath);
  const loaded = await loadCarvers(opts.carverModules);
  const carvers = selectCarvers(loaded, opts.types ?? null);
  if (carvers.length === 0) throw new Error('no carvers selected');
  const maxFileSizes = effectiveMaxFileSizes(carvers, opts.maxFileSize, loaded);
  const align = opts.align ?? 512;
  if (!Number.isInteger(align) || align < 1) throw new Error(`alignment must be a positive integer, not ${align}`);
  const pageSize = Math.max(align, Math.ceil((opts.pageSize ?? DEFAULT_PAGE_SIZE) / align) * align);
  const margin = Math.max(opts.margin ?? DEFAULT_MARGIN, new SignatureIndex(carvers).span);
  const range = chooseRange(opts, identity.size, pageSize);
  const algorithms: HashAlgorithm[] = opts.imageHash === false ? [] : ['md5', ...(opts.sha1 || storedSha1 ? (['sha1'] as const) : []), 'sha256'];
  const settings: RunSettings = {
    carverModules: [...opts.carverModules],
    types: carvers.map((c) => c.name),
    carverVersions: Object.fromEntries(carvers.map((c) => [c.name, c.version])),
    align,
    pageSize,
    margin,
    range,
    reassemble: opts.reassemble ?? true,
    blockSize: opts.blockSize ?? null,
    reassemblyMs: opts.reassemblyMs ?? null,
    verifyDecode: opts.verify?.includes('decode') ?? false,
    hashAlgorithms: algorithms,
    reportOnly: opts.reportOnly ?? false,
    filter: filterActive(opts.filter) ? { ...opts.filter } : null,
    freeSpaceOnly: opts.freeSpaceOnly ?? false,
    maxFileSizes,
  };
  prepareOutDir(opts.outDir, opts.imagePath, opts.force ?? false, false, !settings.reportOnly);
  if (!settings.reportOnly) for (const c of carvers) mkdirSync(join(opts.outDir, 'files', c.name), { recursive: true });
  const run: RunLog = { tool: { name: tool.name, version: tool.version }, startedAt: new Date().toISOString(), commandLine: [...tool.commandLine], ...(tool.plugins ? { plugins: [...tool.plugins] } : {}), resumes: [] };
  const checkpoint: Checkpoint = {
    format: CHECKPOINT_FORMAT, identity, settings, run, phase: 'scan', pagesDone: 0,
    pageJournalBytes: 0, fileJournalBytes: 0, prefixHashes: null, rangeHashes: null, reassembly: null,
  };
  return { settings, identity, ewf, carvers, grid: new PageGrid(range, pageSize), run, checkpoint, resumed: false };
}

/** Continues the interrupted run in OUTDIR: its checkpoint's settings, the same evidence, the same carver versions. */
export async function resumeSetup(opts: ScanOptions, tool: Tool): Promise<RunSetup> {
  const cp = readCheckpoint(opts.outDir);
  if (cp === null) throw new UsageError(`${opts.outDir} holds no checkpoint of an interrupted run: nothing to resume (start a new run in an empty folder)`);
  if (cp.phase === 'done') throw new UsageError(`the run in ${opts.outDir} already finished: nothing to resume`);
  prepareOutDir(opts.outDir, opts.imagePath, false, true);
  const { identity, ewf } = inspectSource(opts.imagePath);
  if (identity.size !== cp.identity.size || identity.kind !== cp.identity.kind) {
    throw new UsageError(
      `${opts.imagePath} is not the evidence of the interrupted run (${cp.identity.path}: ${cp.identity.kind}, ${cp.identity.size} bytes; ` +
        `this is ${identity.kind}, ${identity.size} bytes)`,
    );
  }
  if (cp.run.tool && (cp.run.tool.name !== tool.name || cp.run.tool.version !== tool.version)) {
    throw new UsageError(`the interrupted run was made by ${cp.run.tool.name} ${cp.run.tool.version}, this is ${tool.name} ${tool.version}: resume it with the same version, or start a new run`);
  }
  const s = cp.settings;
  const carvers = selectCarvers(await loadCarvers(s.carverModules), s.types);
  for (const c of carvers) {
    if (s.carverVersions[c.name] !== c.version) {
      throw new UsageError(`carver ${c.name} is version ${c.version} now but was ${s.carverVersions[c.name]} in the interrupted run: its files would differ; start a new run`);
    }
  }
  const grid = new PageGrid(s.range, s.pageSize);
  const run: RunLog = {
    ...cp.run,
    resumes: [...cp.run.resumes, { at: new Date().toISOString(), commandLine: [...tool.commandLine], fromOffset: s.range.start + grid.bytesBefore(cp.pagesDone) }],
  };
  // The checkpoint keeps the interrupted run's identity (path as first given): the image may have been mounted elsewhere since.
  return { settings: s, identity: cp.identity, ewf, carvers, grid, run, checkpoint: { ...cp, run }, resumed: true };
}

/** The part of the image to scan: --shard, --range, or all of it. */
function chooseRange(opts: ScanOptions, size: number, pageSize: number): ByteRange {
  if (opts.shard && opts.range !== undefined) throw new UsageError('give --range or --shard, not both');
  if (opts.shard) return shardRange(opts.shard.index, opts.shard.count, size, pageSize);
  if (typeof opts.range === 'string') return parseRange(opts.range, size);
  if (opts.range) {
    const { start, length } = opts.range;
    if (!Number.isSafeInteger(start) || !Number.isSafeInteger(length) || start < 0 || length <= 0 || (start >= size && size > 0)) {
      throw new UsageError(`range ${start}:${length} is not inside the image (${size} bytes)`);
    }
    return { start, length: Math.min(length, size - start) };
  }
  return { start: 0, length: size };
}

/** Size, kind and E01 facts of the evidence (opened read-only and closed again). */
function inspectSource(imagePath: string): { identity: SourceIdentity; ewf: EwfReport | null; storedSha1: boolean } {
  const source = openImageSource(imagePath);
  try {
    const ewf = source instanceof EwfSource ? ewfReport(source.info) : null;
    return { identity: { path: resolve(imagePath), size: source.size, kind: source.kind }, ewf, storedSha1: ewf?.storedHashes.sha1 !== undefined };
  } finally {
    source.close();
  }
}

/** Whether a range is the whole image. */
export function isWholeImage(range: ByteRange, size: number): boolean {
  return range.start === 0 && range.length === size;
}
