import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import {
  UsageError, readCheckpoint, resolvePluginUrl, scanImage, type ByteRange, type FileFilter, type ScanEvents, type ScanReport,
} from '@rawcarve/core';
import { builtinCarverModule } from './builtins.js';
import { createProgress, type ProgressMode, type ProgressSink } from './progress.js';
import { finishRun } from './report-phase.js';
import { TOOL_NAME, VERSION } from './version.js';

export interface ScanCommandOptions {
  output: string;
  types?: string[];
  jobs?: number;
  align?: number;
  plugin?: string[];
  progress?: ProgressMode;
  force?: boolean;
  quiet?: boolean;
  verify?: 'decode';
  blockSize?: number;
  reassemble?: boolean;
  reassemblyTime?: number;
  resume?: boolean;
  range?: string | ByteRange;
  shard?: { index: number; count: number };
  sha1?: boolean;
  imageHash?: boolean;
  freeSpaceOnly?: boolean;
  pageSize?: number;
  checkpointInterval?: number;
  /** Filters before writing (parsed by the option parsers: bytes, pixels, wall-clock bounds). */
  minSize?: number;
  minPixels?: number;
  since?: string;
  until?: string;
  reportOnly?: boolean;
  /** --max-file-size: the largest file to carve, bytes by carver name. */
  maxFileSize?: Record<string, number>;
  /** The final summary as JSON on stdout. */
  json?: boolean;
  /** report.html and thumbnails (--no-gallery: false). */
  gallery?: boolean;
  thumbnailTime?: number;
}

/** Options that shape a run's output: a resumed run takes them from its checkpoint, so typing them again is a mistake. */
export const RUN_SHAPING_OPTIONS = ['types', 'align', 'plugin', 'force', 'verify', 'blockSize', 'reassemble', 'reassemblyTime', 'range', 'shard', 'sha1', 'imageHash', 'pageSize', 'freeSpaceOnly',
  'minSize', 'minPixels', 'since', 'until', 'reportOnly', 'maxFileSize'];

/**
 * Test hook: `RAWCARVE_TEST_KILL_AFTER_PAGES=N` makes the process kill itself
 * (SIGKILL, no clean-up) once N pages are folded, so the resume tests can
 * crash a real run at chosen points. Unset in normal use.
 */
const KILL_AFTER_PAGES = Number(process.env['RAWCARVE_TEST_KILL_AFTER_PAGES'] ?? NaN);

/** `rawcarve scan`: carve an image into OUTDIR and write both reports (and continue an interrupted scan with --resume). */
export async function runScan(image: string, o: ScanCommandOptions, argv: string[]): Promise<ScanReport> {
  if (!existsSync(image)) throw new UsageError(`image ${image} not found; give the path of a raw image file or a block device`);
  if (o.resume && existsSync(o.output) && readCheckpoint(o.output)?.phase === 'done' && existsSync(join(o.output, 'report.json'))) {
    // Finished already: nothing to do, and not an error, so batch systems may simply run --resume again.
    if (!o.quiet) process.stdout.write(`rawcarve: the run in ${o.output} already finished; nothing to resume\n`);
    return JSON.parse(readFileSync(join(o.output, 'report.json'), 'utf8')) as ScanReport;
  }
  const filter = fileFilter(o);
  const plugins = o.plugin ?? [];
  const startedAt = new Date();
  const progress = createProgress(o.quiet ? 'none' : (o.progress ?? 'auto'));
  const abort = new AbortController();
  const onSignal = (): void => {
    if (abort.signal.aborted) process.exit(130); // a second Ctrl-C: stop at once; the last checkpoint still holds
    progress.note('interrupted: finishing the pages in flight and saving a checkpoint (Ctrl-C again to stop at once); continue with --resume');
    abort.abort();
  };
  const restoreSignals = (): void => {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  let result;
  try {
    result = await scanImage(
      {
        imagePath: image,
        outDir: o.output,
        carverModules: [builtinCarverModule(), ...plugins.map((p) => resolvePluginUrl(p))],
        ...(o.types ? { types: o.types } : {}),
        ...(o.jobs ? { jobs: o.jobs } : {}),
        ...(o.align ? { align: o.align } : {}),
        force: o.force ?? false,
        ...(o.verify ? { verify: [o.verify] } : {}),
        ...(o.blockSize ? { blockSize: o.blockSize } : {}),
        reassemble: o.reassemble ?? true,
        ...(o.reassemblyTime ? { reassemblyMs: o.reassemblyTime * 1000 } : {}),
        ...(o.range !== undefined ? { range: o.range } : {}),
        ...(o.shard ? { shard: o.shard } : {}),
        sha1: o.sha1 ?? false,
        freeSpaceOnly: o.freeSpaceOnly ?? false,
        imageHash: o.imageHash ?? true,
        ...(o.pageSize ? { pageSize: o.pageSize } : {}),
        ...(o.checkpointInterval !== undefined ? { checkpointMs: o.checkpointInterval * 1000 } : {}),
        reportOnly: o.reportOnly ?? false,
        ...(filter ? { filter } : {}),
        ...(o.maxFileSize ? { maxFileSize: o.maxFileSize } : {}),
        resume: o.resume ?? false,
        signal: abort.signal,
        tool: { name: TOOL_NAME, version: VERSION, commandLine: argv, plugins },
      },
      // After the page scan the reassembly pass holds the thread for up to minutes: Ctrl-C must
      // stop the process at once then (the default), and --resume continues from the scan's checkpoint.
      { ...scanEvents(progress), onScanEnd: restoreSignals },
    );
  } finally {
    progress.stop();
    restoreSignals();
  }
  return finishRun(
    result,
    { toolName: TOOL_NAME, toolVersion: VERSION, commandLine: argv, imagePath: resolve(image), plugins, startedAt },
    { outDir: o.output, imagePath: image, ...(o.jobs ? { jobs: o.jobs } : {}), gallery: o.gallery ?? true, ...(o.thumbnailTime ? { thumbnailSeconds: o.thumbnailTime } : {}), quiet: o.quiet ?? false, json: o.json ?? false },
    progress,
  );
}

/** --min-size, --min-pixels, --since, --until as one filter (null: none given). */
function fileFilter(o: ScanCommandOptions): FileFilter | null {
  if (o.since !== undefined && o.until !== undefined && o.since > o.until) throw new UsageError(`--since ${o.since} is after --until ${o.until}`);
  const f: FileFilter = {
    ...(o.minSize !== undefined ? { minSize: o.minSize } : {}),
    ...(o.minPixels !== undefined ? { minPixels: o.minPixels } : {}),
    ...(o.since !== undefined ? { since: o.since } : {}),
    ...(o.until !== undefined ? { until: o.until } : {}),
  };
  return Object.keys(f).length > 0 ? f : null;
}

function scanEvents(progress: ProgressSink): ScanEvents {
  return {
    onProgress: (p) => progress.update(p),
    onReassembly: (r) => progress.phase('reassembly', `reassembling ${r.files} incomplete file(s) from their fragments (at most ${Math.round(r.budgetMs / 1000)} s)`),
    onResume: (r) =>
      progress.note(`resuming at image offset ${r.fromOffset} (${r.filesDone} file(s) already written${r.rehashBytes > 0 ? `; re-hashing the ${r.rehashBytes} bytes scanned before` : ''})`),
    ...(Number.isInteger(KILL_AFTER_PAGES) && KILL_AFTER_PAGES > 0
      ? { onPageFolded: (done: number) => void (done >= KILL_AFTER_PAGES && process.kill(process.pid, 'SIGKILL')) }
      : {}),
  };
}
