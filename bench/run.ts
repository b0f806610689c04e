/**
 * Throughput harness: `rawcarve scan` on a generated image (4 GiB of dense
 * phone media by default; kept and reused between runs), with wall time, GB/s,
 * files/s, peak RSS, per-phase times and recall against the image's layout;
 * optionally PhotoRec, foremost and scalpel on the same image, side by side.
 *
 *   npm run bench [-- --size 16G --density sparse --peers photorec,foremost]
 *   npx tsx bench/run.ts [--size 4G] [--density dense|sparse|none] [--types jpeg,heic,mov,mp4] [--seed 1]
 *                        [--media DIR] [--mix zero=35,ff=25,random=40] [--jobs N] [--align N]
 *                        [--peers photorec,foremost,scalpel] [--peer-timeout 3600]
 *                        [--dir bench/results] [--json-dir bench/results] [--keep] [--json]
 *                        [--history bench/history.jsonl] [--no-history]
 *
 * Writes <json-dir>/bigger.json and smaller.json (github-action-benchmark's
 * customBiggerIsBetter / customSmallerIsBetter) and result.json, appends the
 * run to the history file, and prints the metrics beside the last run of the
 * same configuration in that history. Build first (npx tsc -b; npm run bench does).
 */
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { DEFAULT_MEDIA_DIR, DEFAULT_MIX, GENERATOR_VERSION, describeLayout, formatMix, parseDensity, parseMix, parseSize } from './gen-image.js';
import { appendHistory, gitState, historyEntry, lastEntryFor, machineInfo, readHistory } from './lib/history.js';
import { ensureImage, imagePath } from './lib/image-cache.js';
import { warmCache } from './lib/measure.js';
import { benchMetrics } from './lib/metrics.js';
import { ROOT, parseTools, type PeerTool } from './lib/peer-tools.js';
import { formatMetricsTable, formatSummary, formatToolsTable } from './lib/print.js';
import { configKey, type BenchConfig, type BenchResult, type PeerResult } from './lib/result.js';
import { runPeer, runRawcarve } from './lib/run-tools.js';
import { trackerEntries, writeTrackerFiles } from './lib/tracker.js';

const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '4G' },
    density: { type: 'string', default: 'dense' },
    types: { type: 'string', default: 'jpeg,heic,mov,mp4' },
    seed: { type: 'string', default: '1' },
    media: { type: 'string', default: DEFAULT_MEDIA_DIR },
    mix: { type: 'string', default: formatMix(DEFAULT_MIX) },
    jobs: { type: 'string' },
    align: { type: 'string' },
    peers: { type: 'string', default: '' },
    'peer-timeout': { type: 'string', default: '3600' },
    dir: { type: 'string', default: join(ROOT, 'bench/results') },
    'json-dir': { type: 'string', default: join(ROOT, 'bench/results') },
    history: { type: 'string', default: join(ROOT, 'bench/history.jsonl') },
    'no-history': { type: 'boolean', default: false },
    keep: { type: 'boolean', default: false },
    json: { type: 'boolean', default: false },
  },
});

const optionalInt = (s: string | undefined): number | null => (s === undefined ? null : Number.parseInt(s, 10));
const peerTools = parseTools(values.peers!).filter((t): t is PeerTool => t !== 'rawcarve');
const mediaDir = resolve(values.media!);
const config: BenchConfig = {
  size: values.size!,
  sizeBytes: parseSize(values.size!),
  density: parseDensity(values.density!),
  types: values.types!.split(','),
  seed: Number(values.seed),
  mix: parseMix(values.mix!),
  media: basename(mediaDir),
  generator: GENERATOR_VERSION,
  jobs: optionalInt(values.jobs),
  align: optionalInt(values.align),
};
const key = configKey(config);

const dir = resolve(values.dir!);
mkdirSync(dir, { recursive: true });
const genOptions = { mediaDir, density: parseDensity(values.density!), seed: config.seed, types: config.types, mix: config.mix };
const image = imagePath(dir, config.size, genOptions, DEFAULT_MEDIA_DIR);
const layout = ensureImage({ ...genOptions, out: image, size: config.sizeBytes });
// Warm the page cache, as the comparison numbers assume: every tool reads the image from memory.
warmCache(image);

const out = join(dir, 'out');
console.error(`[rawcarve] scanning ${image}`);
const rawcarve = await runRawcarve({ image, layout, out, types: config.types, jobs: config.jobs, align: config.align });
const peers: PeerResult[] = [];
for (const tool of peerTools) {
  const peerOut = join(dir, 'peers', basename(image));
  peers.push(await runPeer(tool, {
    image, layout, out: peerOut, rawcarveWallSeconds: rawcarve.wallSeconds, timeoutSeconds: Number(values['peer-timeout']), keep: values.keep!,
  }));
}
if (!values.keep) rmSync(out, { recursive: true, force: true });

const result: BenchResult = { configKey: key, config, image, bytesByKind: layout.bytesByKind, rawcarve, peers };
const metrics = benchMetrics(result);
const git = gitState(ROOT);
const machine = machineInfo();
const historyPath = resolve(values.history!);
const previous = lastEntryFor(readHistory(historyPath), key);

const jsonDir = resolve(values['json-dir']!);
const trackerFiles = writeTrackerFiles(jsonDir, trackerEntries(key, metrics, git, machine));
writeFileSync(join(jsonDir, 'result.json'), `${JSON.stringify({ ...result, git, machine }, null, 2)}\n`);
if (!values['no-history']) appendHistory(historyPath, historyEntry(result, metrics, git, machine));

if (values.json) {
  console.log(JSON.stringify(result, null, 2));
} else {
  console.log(`${formatSummary(result, describeLayout(layout))}\n`);
  console.log(`${formatMetricsTable(metrics, previous, historyPath)}\n`);
  if (peers.length > 0) console.log(`${formatToolsTable(result)}\n`);
  console.log(`tracker files: ${trackerFiles.bigger}, ${trackerFiles.smaller}`);
  console.log(values['no-history'] ? 'history not written (--no-history)' : `history: appended to ${historyPath}`);
}
