/** rawcarve and its peers on one generated image, each timed under GNU time and scored against the layout. */
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import type { BenchLayout } from '../gen-image.js';
import { logTail, onPath, runMeasured } from './measure.js';
import { CLI_MAIN, ROOT, binaryFor, commandLine, invocationFor, type PeerTool } from './peer-tools.js';
import type { PeerResult, RawcarveResult } from './result.js';
import { readScanReport, reportRecall, scoreFolder } from './score.js';

export interface RawcarveRunOptions {
  image: string;
  layout: BenchLayout;
  /** rawcarve's output folder (emptied first). */
  out: string;
  types: string[];
  jobs: number | null;
  align: number | null;
}

/** Media folders are named by type (mp4 too); the MOV carver handles mov and mp4. */
export function carverTypes(types: readonly string[]): string[] {
  return [...new Set(types.map((t) => (t === 'mp4' ? 'mov' : t)))];
}

export async function runRawcarve(opts: RawcarveRunOptions): Promise<RawcarveResult> {
  if (!existsSync(CLI_MAIN)) throw new Error('build rawcarve first: npx tsc -b');
  rmSync(opts.out, { recursive: true, force: true });
  mkdirSync(opts.out, { recursive: true });
  const args = [CLI_MAIN, 'scan', opts.image, '-o', join(opts.out, 'scan'), '--quiet', '--no-gallery', '--types', carverTypes(opts.types).join(',')];
  if (opts.jobs !== null) args.push('--jobs', String(opts.jobs));
  if (opts.align !== null) args.push('--align', String(opts.align));
  const log = join(opts.out, 'rawcarve.console.log');
  const m = await runMeasured({ cmd: process.execPath, args, cwd: ROOT }, log, 24 * 3600);
  if (m.exitCode !== 0) throw new Error(`rawcarve exited with ${m.exitCode}:\n${logTail(log)}`);
  const report = readScanReport(join(opts.out, 'scan', 'report.json'));
  const s = report.summary;
  const filesRecovered = s.filesWritten + s.duplicates;
  return {
    wallSeconds: +m.wallSeconds.toFixed(3),
    gbPerSecond: +(opts.layout.size / 1e9 / m.wallSeconds).toFixed(4),
    filesPerSecond: +(filesRecovered / m.wallSeconds).toFixed(2),
    filesWritten: s.filesWritten,
    filesRecovered,
    peakRssMiB: m.peakRssMiB ?? Math.round(s.peakRssBytes / 2 ** 20),
    peakRssSource: m.peakRssMiB !== null ? 'time -v' : 'report',
    cpuSeconds: m.cpuSeconds,
    scanSeconds: s.elapsedSeconds,
    phasesMs: { ...s.phasesMs, reassembly: s.reassembly.ms },
    reassembly: { attempted: s.reassembly.attempted, rebuilt: s.reassembly.rebuilt, trials: s.reassembly.trials, ms: s.reassembly.ms },
    recall: reportRecall(report, opts.layout),
  };
}

export interface PeerRunOptions {
  image: string;
  layout: BenchLayout;
  /** Per-image folder; the peer writes into `<out>/<tool>`. */
  out: string;
  rawcarveWallSeconds: number;
  timeoutSeconds: number;
  /** Keep the peer's recovered files after scoring. */
  keep: boolean;
}

export async function runPeer(tool: PeerTool, opts: PeerRunOptions): Promise<PeerResult> {
  if (!onPath(binaryFor(tool))) return { tool, status: 'missing', error: 'not installed (scripts/install-bench-tools.sh)' };
  mkdirSync(opts.out, { recursive: true });
  const dir = join(opts.out, tool);
  // foremost and scalpel refuse a non-empty output folder; PhotoRec would add recup.2.
  rmSync(dir, { recursive: true, force: true });
  const inv = invocationFor(tool, opts.image, opts.out);
  const command = commandLine(inv);
  console.error(`[${tool}] ${command}`);
  const log = join(opts.out, `${tool}.console.log`);
  const m = await runMeasured(inv, log, opts.timeoutSeconds);
  const base = { tool, command, wallSeconds: +m.wallSeconds.toFixed(3), peakRssMiB: m.peakRssMiB, cpuSeconds: m.cpuSeconds };
  try {
    if (m.timedOut) return { ...base, status: 'timeout', error: `killed after ${opts.timeoutSeconds} s` };
    const failure = m.exitCode !== 0 ? `exit code ${m.exitCode} (see ${log})` : inv.failure?.();
    if (failure) return { ...base, status: 'failed', error: failure };
    const score = existsSync(inv.resultDir) ? scoreFolder(inv.resultDir, opts.layout, inv.ignore) : { filesRecovered: 0, exactCopies: 0, junk: 0 };
    return {
      ...base,
      status: 'ok',
      gbPerSecond: +(opts.layout.size / 1e9 / m.wallSeconds).toFixed(4),
      ...score,
      rawcarveSpeedup: +(m.wallSeconds / opts.rawcarveWallSeconds).toFixed(3),
    };
  } finally {
    if (!opts.keep) rmSync(dir, { recursive: true, force: true });
  }
}
