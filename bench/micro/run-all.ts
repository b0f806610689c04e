/**
 * Runs every tinybench micro-benchmark, one after the other, each in its own
 * process: bench/micro/*.bench.ts and the packages' src/**\/*.bench.ts (JPEG
 * entropy validation). Names given as arguments select benchmarks by substring.
 *   npm run bench:micro [-- hashing box-walk]
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';

const ROOT = resolve(import.meta.dirname, '../..');

function benchFiles(dir: string): string[] {
  if (!existsSync(dir)) return [];
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory() && e.name !== 'node_modules' && e.name !== 'dist') out.push(...benchFiles(p));
    else if (e.isFile() && e.name.endsWith('.bench.ts')) out.push(p);
  }
  return out.sort();
}

const packages = readdirSync(join(ROOT, 'packages')).map((p) => join(ROOT, 'packages', p, 'src'));
const all = [...benchFiles(join(ROOT, 'bench/micro')), ...packages.flatMap(benchFiles)];
const filters = process.argv.slice(2);
const selected = filters.length === 0 ? all : all.filter((f) => filters.some((s) => relative(ROOT, f).includes(s)));
if (selected.length === 0) throw new Error(`no micro-benchmark matches ${filters.join(' ')}`);

let failed = 0;
for (const file of selected) {
  console.log(`\n## ${relative(ROOT, file)}\n`);
  const t0 = performance.now();
  const r = spawnSync(process.execPath, ['--import', 'tsx', file], { cwd: ROOT, stdio: 'inherit' });
  console.log(`(${((performance.now() - t0) / 1000).toFixed(1)} s)`);
  if (r.status !== 0) failed++;
}
if (failed > 0) {
  console.error(`${failed} micro-benchmark(s) failed`);
  process.exit(1);
}
