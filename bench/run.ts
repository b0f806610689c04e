/**
 * Throughput run: `rawcarve scan` on a generated image, with wall time, GB/s,
 * peak RSS and recall against the image's layout.
 *
 *   npx tsx bench/run.ts [--size 1G] [--density dense] [--types jpeg,heic,mov,mp4] [--jobs N] [--dir DIR] [--keep]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateImage, parseSize, type BenchLayout } from './gen-image.js';

const ROOT = resolve(import.meta.dirname, '..');
const { values } = parseArgs({
  options: {
    size: { type: 'string', default: '1G' },
    density: { type: 'string', default: 'dense' },
    jobs: { type: 'string' },
    align: { type: 'string' },
    seed: { type: 'string', default: '1' },
    types: { type: 'string', default: 'jpeg' },
    keep: { type: 'boolean', default: false },
    dir: { type: 'string' },
  },
});

const dir = resolve(values.dir ?? join(ROOT, 'bench/results'));
mkdirSync(dir, { recursive: true });
const image = join(dir, `bench-${values.size}-${values.density}-${values.types!.replace(/,/g, '+')}-s${values.seed}.img`);
let layout: BenchLayout;
if (existsSync(image) && existsSync(`${image}.layout.json`)) {
  layout = JSON.parse(readFileSync(`${image}.layout.json`, 'utf8')) as BenchLayout;
} else {
  const t0 = performance.now();
  layout = generateImage({
    out: image,
    size: parseSize(values.size!),
    mediaDir: resolve(ROOT, '../shared/media'),
    density: values.density as 'dense' | 'sparse' | 'none',
    seed: Number(values.seed),
    types: values.types!.split(','),
  });
  console.log(`generated ${image} in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
// Warm the page cache, as the comparison numbers assume.
spawnSync('cat', [image], { stdio: ['ignore', 'ignore', 'inherit'] });

const out = join(dir, 'out');
rmSync(out, { recursive: true, force: true });
// Media folders are named by type (mp4 too); the MOV carver handles mov and mp4.
const carverTypes = [...new Set(values.types!.split(',').map((t) => (t === 'mp4' ? 'mov' : t)))].join(',');
const args = [join(ROOT, 'packages/cli/dist/main.js'), 'scan', image, '-o', out, '--quiet', '--types', carverTypes];
if (values.jobs) args.push('--jobs', values.jobs);
if (values.align) args.push('--align', values.align);
const t0 = performance.now();
const run = spawnSync(process.execPath, args, { stdio: 'inherit' });
const wall = (performance.now() - t0) / 1000;
if (run.status !== 0) throw new Error(`rawcarve exited with ${run.status}`);

interface Report {
  files: { sha256: string; imgOffset: number; status: string; duplicates: number[] }[];
  summary: {
    elapsedSeconds: number;
    bytesPerSecond: number;
    peakRssBytes: number;
    phasesMs: Record<string, number>;
    reassembly: { attempted: number; rebuilt: number; trials: number; ms: number };
  };
}
const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
const found = new Set<string>();
for (const f of report.files) {
  found.add(`${f.imgOffset}:${f.sha256}`);
  // Identical copies are written once; each listed offset is a recovered copy too.
  for (const d of f.duplicates) found.add(`${d}:${f.sha256}`);
}
const placed = layout.media.length;
const exact = layout.media.filter((m) => found.has(`${m.offset}:${m.sha256}`)).length;
const gb = layout.size / 1e9;
console.log(
  JSON.stringify(
    {
      image,
      sizeBytes: layout.size,
      wallSeconds: +wall.toFixed(2),
      gbPerSecond: +(gb / wall).toFixed(3),
      scanSeconds: report.summary.elapsedSeconds,
      peakRssMiB: Math.round(report.summary.peakRssBytes / 2 ** 20),
      mediaPlaced: placed,
      mediaRecoveredExact: exact,
      filesWritten: report.files.length,
      phasesMs: { ...report.summary.phasesMs, reassembly: report.summary.reassembly.ms },
      reassembly: report.summary.reassembly,
    },
    null,
    2,
  ),
);
if (!values.keep) rmSync(out, { recursive: true, force: true });
