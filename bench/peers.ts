/**
 * rawcarve against its open-source peers on one generated image: each tool
 * carves the same image, is timed, and its output folder is scored against the
 * image's ground truth with the same rules (test-images/src/evaluate-dir.ts).
 *
 *   npx tsx bench/peers.ts --image IMG [--tools rawcarve,photorec,foremost,scalpel]
 *                          [--out /tmp/rawcarve-peers] [--truth IMG.truth.json] [--timeout 600]
 *
 * Peers come from Debian packages: scripts/install-bench-tools.sh. Build rawcarve
 * first (npx tsc -b).
 */
import { spawn, spawnSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateDir, type DirEvaluation } from '../test-images/src/evaluate-dir.js';
import { loadTruth } from '../test-images/src/truth.js';

const ROOT = resolve(import.meta.dirname, '..');
const TOOLS = ['rawcarve', 'photorec', 'foremost', 'scalpel'] as const;
type Tool = (typeof TOOLS)[number];

interface Options {
  image: string;
  truth: string;
  out: string;
  tools: Tool[];
  timeoutSeconds: number;
}

/** How one tool is run and where its recovered files end up. */
interface Invocation {
  cmd: string;
  args: string[];
  cwd: string;
  /** Folder scored by evaluate-dir. */
  resultDir: string;
  /** The tool's own logs and reports inside resultDir, which are not recovered files. */
  ignore: (relPath: string) => boolean;
  /** Explains a failure the exit code hides (PhotoRec exits 0 on a /cmd syntax error). */
  failure?: () => string | undefined;
  /** Embedded previews the tool writes as files of their own: junk to the scorer, but not false hits. */
  thumbnails?: RegExp;
}

interface Measured {
  wallSeconds: number;
  peakRssMiB: number | null;
  exitCode: number | null;
  timedOut: boolean;
}

interface ToolResult {
  tool: Tool;
  command: string;
  status: 'ok' | 'failed' | 'timeout' | 'missing';
  error?: string;
  wallSeconds?: number;
  gbPerSecond?: number;
  peakRssMiB?: number | null;
  /** How many of the junk files are extracted thumbnails (see Invocation.thumbnails). */
  junkThumbnails?: number;
  evaluation?: DirEvaluation;
}

function parseOptions(): Options {
  const { values } = parseArgs({
    options: {
      image: { type: 'string' },
      truth: { type: 'string' },
      tools: { type: 'string', default: TOOLS.join(',') },
      out: { type: 'string', default: '/tmp/rawcarve-peers' },
      timeout: { type: 'string', default: '600' },
    },
  });
  if (!values.image) throw new Error('usage: npx tsx bench/peers.ts --image IMG [--tools ...] [--out DIR]');
  const tools = values.tools!.split(',').map((t) => {
    if (!(TOOLS as readonly string[]).includes(t)) throw new Error(`unknown tool ${t} (known: ${TOOLS.join(', ')})`);
    return t as Tool;
  });
  const image = resolve(values.image);
  return {
    image,
    truth: resolve(values.truth ?? `${image}.truth.json`),
    // Per image, so runs on two images do not overwrite each other's outputs.
    out: join(resolve(values.out!), basename(image)),
    tools,
    timeoutSeconds: Number(values.timeout),
  };
}

function binaryFor(tool: Tool): string {
  return tool === 'rawcarve' ? process.execPath : tool;
}

function onPath(cmd: string): boolean {
  return spawnSync('sh', ['-c', `command -v "$1"`, 'sh', cmd], { stdio: 'ignore' }).status === 0;
}

/** Same page-cache state for every tool: the image is read once before any of them. */
function warmCache(image: string): void {
  spawnSync('cat', [image], { stdio: ['ignore', 'ignore', 'inherit'] });
}

/** Scalpel ships with every rule commented out; these are its stock JPEG rules. */
function writeScalpelConf(path: string): void {
  // No MOV/MP4 rules: scalpel's are header-only with a fixed carve size, so
  // every video would come back as a max-size chunk, never exact.
  writeFileSync(
    path,
    [
      '# stock /etc/scalpel/scalpel.conf JPEG rules, uncommented',
      'jpg\ty\t5242880\t\\xff\\xd8\\xff???Exif\t\\xff\\xd9\tREVERSE',
      'jpg\ty\t5242880\t\\xff\\xd8\\xff???JFIF\t\\xff\\xd9\tREVERSE',
      '',
    ].join('\n'),
  );
}

function invocationFor(tool: Tool, image: string, out: string): Invocation {
  const dir = join(out, tool);
  const none = (): boolean => false;
  switch (tool) {
    case 'rawcarve':
      return {
        cmd: process.execPath,
        args: [join(ROOT, 'packages/cli/dist/main.js'), 'scan', image, '-o', dir, '--quiet', '--force'],
        cwd: ROOT,
        resultDir: join(dir, 'files'),
        ignore: none,
      };
    case 'photorec': {
      mkdirSync(dir, { recursive: true });
      const log = join(dir, 'photorec.log');
      return {
        cmd: 'photorec',
        // "mov" is PhotoRec's whole ISO-BMFF family (mov/mp4/3gp/heic); "mp4" and "heic" are rejected as names.
        args: ['/log', '/d', join(dir, 'recup'), '/cmd', image,
          'partition_none,options,paranoid,keep_corrupted_file_no,fileopt,everything,disable,jpg,enable,mov,enable,search'],
        // photorec.log is written to the working directory.
        cwd: dir,
        resultDir: dir,
        ignore: (p) => p === 'photorec.log' || /^recup\.\d+\/report\.xml$/.test(p),
        // PhotoRec saves each JPEG's EXIF thumbnail as t<sector>.jpg beside f<sector>.jpg.
        thumbnails: /^recup\.\d+\/t\d+\.jpg$/,
        failure: () => {
          const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
          return /syntax error/i.exec(text) ? text.split('\n').find((l) => /syntax error/i.test(l)) : undefined;
        },
      };
    }
    case 'foremost':
      return {
        cmd: 'foremost',
        args: ['-Q', '-i', image, '-o', dir, '-t', 'jpg,mov,mp4'],
        cwd: out,
        resultDir: dir,
        ignore: (p) => p === 'audit.txt',
      };
    case 'scalpel': {
      const conf = join(out, 'scalpel.conf');
      writeScalpelConf(conf);
      return { cmd: 'scalpel', args: ['-c', conf, '-o', dir, image], cwd: out, resultDir: dir, ignore: (p) => p === 'audit.txt' };
    }
  }
}

/**
 * Runs under /usr/bin/time for the peak RSS of the tool itself (node cannot see
 * a child's), in its own process group so a timeout kills the whole tree.
 */
async function runMeasured(inv: Invocation, logPath: string, timeoutSeconds: number): Promise<Measured> {
  const timeFile = `${logPath}.time`;
  rmSync(timeFile, { force: true });
  const log = openSync(logPath, 'w');
  const t0 = performance.now();
  const child = spawn('/usr/bin/time', ['-o', timeFile, '-f', '%e %M', inv.cmd, ...inv.args], {
    cwd: inv.cwd,
    stdio: ['ignore', log, log],
    detached: true,
  });
  let timedOut = false;
  const killGroup = (): void => {
    if (child.pid !== undefined) process.kill(-child.pid, 'SIGKILL');
  };
  const timer = setTimeout(() => {
    timedOut = true;
    killGroup();
  }, timeoutSeconds * 1000);
  // A detached group would outlive ^C of this script.
  const onInt = (): void => {
    killGroup();
    process.exit(130);
  };
  process.once('SIGINT', onInt);
  const exitCode = await new Promise<number | null>((res, rej) => {
    child.once('error', rej);
    child.once('exit', (code) => res(code));
  });
  const wallSeconds = (performance.now() - t0) / 1000;
  clearTimeout(timer);
  process.removeListener('SIGINT', onInt);
  closeSync(log);
  return { wallSeconds, peakRssMiB: readPeakRss(timeFile), exitCode, timedOut };
}

/** %M of GNU time is in KiB; the file's last line holds it (earlier lines are time's own notes). */
function readPeakRss(timeFile: string): number | null {
  if (!existsSync(timeFile)) return null;
  const last = readFileSync(timeFile, 'utf8').trim().split('\n').pop() ?? '';
  const kib = Number(last.split(' ')[1]);
  return Number.isFinite(kib) ? +(kib / 1024).toFixed(1) : null;
}

async function runTool(tool: Tool, opts: Options, imageBytes: number): Promise<ToolResult> {
  if (!onPath(binaryFor(tool))) return { tool, command: tool, status: 'missing', error: 'not installed (scripts/install-bench-tools.sh)' };
  const dir = join(opts.out, tool);
  // foremost and scalpel refuse a non-empty output folder; PhotoRec would add recup.2.
  rmSync(dir, { recursive: true, force: true });
  const inv = invocationFor(tool, opts.image, opts.out);
  const command = [inv.cmd === process.execPath ? 'node' : inv.cmd, ...inv.args].join(' ');
  console.error(`[${tool}] ${command}`);
  const m = await runMeasured(inv, join(opts.out, `${tool}.console.log`), opts.timeoutSeconds);
  const base = { tool, command, wallSeconds: +m.wallSeconds.toFixed(2), peakRssMiB: m.peakRssMiB };
  if (m.timedOut) return { ...base, status: 'timeout', error: `killed after ${opts.timeoutSeconds} s` };
  const failure = m.exitCode !== 0 ? `exit code ${m.exitCode} (see ${opts.out}/${tool}.console.log)` : inv.failure?.();
  if (failure) return { ...base, status: 'failed', error: failure };
  if (!existsSync(inv.resultDir)) mkdirSync(inv.resultDir, { recursive: true });
  const evaluation = evaluateDir({ truth: loadTruth(opts.truth), dir: inv.resultDir, ignore: inv.ignore });
  const junkThumbnails = inv.thumbnails ? evaluation.junk.filter((p) => inv.thumbnails!.test(p)).length : 0;
  return { ...base, status: 'ok', gbPerSecond: +(imageBytes / 1e9 / m.wallSeconds).toFixed(3), junkThumbnails, evaluation };
}

function formatTable(results: ToolResult[]): string {
  const ref = results.find((r) => r.tool === 'photorec' && r.status === 'ok')?.wallSeconds;
  const header = ['tool', 'wall s', 'GB/s', 'exact/intact', 'partial', 'junk', 'files', 'peak RSS MiB', 'speed vs photorec'];
  const rows = results.map((r) => {
    const ev = r.evaluation;
    if (!ev) return [r.tool, r.wallSeconds?.toFixed(2) ?? '-', '-', `${r.status}: ${r.error ?? ''}`, '', '', '', '', ''];
    return [
      r.tool,
      r.wallSeconds!.toFixed(2),
      r.gbPerSecond!.toFixed(3),
      `${ev.exact.length}/${ev.intact}`,
      String(ev.partial.length),
      r.junkThumbnails ? `${ev.junk.length} (${r.junkThumbnails} thumbs)` : String(ev.junk.length),
      String(ev.recoveredFiles),
      r.peakRssMiB?.toFixed(0) ?? '-',
      // Above 1 means faster than PhotoRec.
      ref ? `${(ref / r.wallSeconds!).toFixed(2)}x` : '-',
    ];
  });
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => (row[i] ?? '').length)));
  const line = (cells: string[]): string => cells.map((c, i) => c.padEnd(widths[i]!)).join(' | ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('-|-'), ...rows.map(line)].join('\n');
}

/** Per-type exact counts, the breakdown that explains most differences between tools. */
function formatByType(results: ToolResult[]): string {
  return results
    .filter((r) => r.evaluation)
    .map((r) => {
      const parts = Object.entries(r.evaluation!.byType).map(([k, v]) => `${k} ${v.exact}/${v.intact}`);
      return `  ${r.tool.padEnd(9)} ${parts.join(', ')}`;
    })
    .join('\n');
}

/** Counts only; the id lists go to results.json. */
function summarize(r: ToolResult): Record<string, unknown> {
  const { evaluation: ev, ...rest } = r;
  if (!ev) return rest;
  return {
    ...rest,
    exact: ev.exact.length, intact: ev.intact, truthFiles: ev.truthFiles, partial: ev.partial.length,
    missing: ev.missing.length, junk: ev.junk.length, recoveredFiles: ev.recoveredFiles, recoveredBytes: ev.recoveredBytes,
    byType: ev.byType, byLayout: ev.byLayout,
  };
}

async function main(): Promise<void> {
  const opts = parseOptions();
  if (!existsSync(opts.truth)) throw new Error(`no ground truth at ${opts.truth}`);
  if (opts.tools.includes('rawcarve') && !existsSync(join(ROOT, 'packages/cli/dist/main.js'))) throw new Error('build rawcarve first: npx tsc -b');
  mkdirSync(opts.out, { recursive: true });
  const imageBytes = statSync(opts.image).size;
  warmCache(opts.image);
  const results: ToolResult[] = [];
  for (const tool of opts.tools) results.push(await runTool(tool, opts, imageBytes));
  const report = { image: opts.image, imageBytes, cores: availableParallelism(), results };
  writeFileSync(join(opts.out, 'results.json'), JSON.stringify(report, null, 1));
  console.log(`${opts.image} (${(imageBytes / 2 ** 20).toFixed(0)} MiB), outputs in ${opts.out}\n`);
  console.log(formatTable(results));
  console.log(`\nexact by type:\n${formatByType(results)}\n`);
  console.log(JSON.stringify({ ...report, results: results.map(summarize) }, null, 2));
}

await main();
