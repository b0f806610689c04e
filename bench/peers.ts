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
import { existsSync, mkdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { evaluateDir, type DirEvaluation } from '../test-images/src/evaluate-dir.js';
import { loadTruth } from '../test-images/src/truth.js';
import { onPath, runMeasured, warmCache } from './lib/measure.js';
import { CLI_MAIN, TOOLS, binaryFor, commandLine, invocationFor, parseTools, type Tool } from './lib/peer-tools.js';
import { fixed, renderTable } from './lib/table.js';

interface Options {
  image: string;
  truth: string;
  out: string;
  tools: Tool[];
  timeoutSeconds: number;
}

interface ToolResult {
  tool: Tool;
  command: string;
  status: 'ok' | 'failed' | 'timeout' | 'missing';
  error?: string;
  wallSeconds?: number;
  gbPerSecond?: number;
  peakRssMiB?: number | null;
  cpuSeconds?: number | null;
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
  const tools = parseTools(values.tools!);
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

async function runTool(tool: Tool, opts: Options, imageBytes: number): Promise<ToolResult> {
  if (!onPath(binaryFor(tool))) return { tool, command: tool, status: 'missing', error: 'not installed (scripts/install-bench-tools.sh)' };
  const dir = join(opts.out, tool);
  // foremost and scalpel refuse a non-empty output folder; PhotoRec would add recup.2.
  rmSync(dir, { recursive: true, force: true });
  const inv = invocationFor(tool, opts.image, opts.out);
  const command = commandLine(inv);
  console.error(`[${tool}] ${command}`);
  const m = await runMeasured(inv, join(opts.out, `${tool}.console.log`), opts.timeoutSeconds);
  const base = { tool, command, wallSeconds: +m.wallSeconds.toFixed(2), peakRssMiB: m.peakRssMiB, cpuSeconds: m.cpuSeconds };
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
      fixed(r.peakRssMiB, 0),
      // Above 1 means faster than PhotoRec.
      ref ? `${(ref / r.wallSeconds!).toFixed(2)}x` : '-',
    ];
  });
  return renderTable(header, rows);
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
  if (opts.tools.includes('rawcarve') && !existsSync(CLI_MAIN)) throw new Error('build rawcarve first: npx tsc -b');
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
