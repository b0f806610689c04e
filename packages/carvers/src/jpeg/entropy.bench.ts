/**
 * JPEG validation speed: MB of JPEG validated per second on one core, on
 * generated photos (baseline, progressive, restart markers) and on the real
 * camera files when ../shared/media is there.
 *   npx tsx packages/carvers/src/jpeg/entropy.bench.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { BufferReader } from '@rawcarve/core';
import { walkJpeg } from './walk.js';
import { MEDIA, generateJpegs, hasCjpeg } from './test-helpers.js';

const sets: Record<string, Uint8Array[]> = {};
if (hasCjpeg) {
  const g = generateJpegs();
  sets['generated baseline'] = [g[0]!, g[4]!, g[8]!];
  sets['generated progressive'] = [g[1]!, g[5]!, g[7]!];
  sets['generated restart'] = [g[2]!, g[3]!, g[9]!];
}
const dir = join(MEDIA, 'jpeg');
if (existsSync(dir)) {
  const all = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
  sets['camera baseline (../shared/media)'] = all.filter((b) => !b.includes(Buffer.from([0xff, 0xc2]))).slice(0, 12);
  sets['camera progressive (../shared/media)'] = all.filter((b) => b.includes(Buffer.from([0xff, 0xc2, 0x00])));
}

const bench = new Bench({ time: 2000 });
const bytes: Record<string, number> = {};
for (const [name, files] of Object.entries(sets)) {
  const readers = files.map((f) => new BufferReader(f));
  bytes[name] = files.reduce((n, f) => n + f.length, 0);
  bench.add(name, () => {
    for (const r of readers) if (walkJpeg(r, 0, r.size)?.status !== 'complete') throw new Error('benchmark input did not validate');
  });
}
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const ms = t.result && 'latency' in t.result ? t.result.latency.mean : NaN;
    return { set: t.name, files: sets[t.name]!.length, MB: (bytes[t.name]! / 1e6).toFixed(1), 'MB/s': (bytes[t.name]! / 1e6 / (ms / 1000)).toFixed(0) };
  }),
);
