/**
 * H.264 slice parsing: speed (MB of sample data parsed per second, one core)
 * and garbage detection (sector-aligned windows of random or foreign bytes
 * inside slice data: how often the sample fails, and how far past the
 * garbage start the failure is reported).
 *   npx tsx packages/carvers/src/codecs/h264/h264.bench.ts
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import { Bench } from 'tinybench';
import { parseAvcC, parseSample, type AvcConfig } from './index.js';
import { avcTracks, garble, hasX264, mediaMovies, x264Movies } from './test-helpers.js';

interface Set { name: string; cfg: AvcConfig; samples: Uint8Array[]; offsets: number[] }
const sets: Set[] = [];
const add = (name: string, file: Uint8Array): void => {
  for (const t of avcTracks(file)) {
    const cfg = parseAvcC(t.avcC);
    if (cfg) sets.push({ name, cfg, samples: t.samples, offsets: t.samples.map((s) => s.byteOffset - file.byteOffset) });
  }
};
for (const f of mediaMovies()) add(basename(f), readFileSync(f));
if (hasX264) for (const [name, file] of Object.entries(x264Movies())) add(`x264 ${name}`, file);

const bench = new Bench({ time: 1000, iterations: 3 });
for (const s of sets) {
  bench.add(s.name, () => {
    for (const x of s.samples) if (parseSample(s.cfg, x).ok !== true) throw new Error(`${s.name}: sample did not parse`);
  });
}
await bench.run();
const bytesOf = (s: Set): number => s.samples.reduce((n, x) => n + x.length, 0);
console.table(bench.tasks.map((t, i) => {
  const ms = t.result && 'latency' in t.result ? t.result.latency.mean : NaN;
  const s = sets[i]!;
  return { set: t.name, samples: s.samples.length, MB: (bytesOf(s) / 1e6).toFixed(2), 'MB/s': (bytesOf(s) / 1e6 / (ms / 1000)).toFixed(1) };
}));

// Garbage detection: deterministic xorshift so runs compare.
let seed = 0x9e3779b9;
const rnd = (): number => {
  seed ^= seed << 13;
  seed ^= seed >>> 17;
  seed ^= seed << 5;
  return (seed >>> 0) / 2 ** 32;
};
const TRIALS = 2500;
for (const kind of ['random', 'foreign'] as const) {
  let trials = 0;
  let detected = 0;
  const dist: number[] = [];
  const missed: string[] = [];
  while (trials < TRIALS) {
    const s = sets[Math.floor(rnd() * sets.length)]!;
    const i = Math.floor(rnd() * s.samples.length);
    const k = 1 + Math.floor(rnd() * 8);
    let fill: Uint8Array;
    if (kind === 'random') {
      fill = new Uint8Array(k * 512);
      for (let j = 0; j < fill.length; j++) fill[j] = Math.floor(rnd() * 256);
    } else {
      const o = sets[Math.floor(rnd() * sets.length)]!;
      const src = o.samples[Math.floor(rnd() * o.samples.length)]!;
      const at = Math.floor(rnd() * Math.max(1, src.length - k * 512));
      fill = src.subarray(at, at + k * 512);
      if (fill.length === 0) continue;
    }
    const g = garble(s.samples[i]!, s.offsets[i]!, s.cfg.lengthSize, Math.floor(rnd() * 1e9), k, fill);
    if (!g) continue;
    trials++;
    const r = parseSample(s.cfg, g.bytes);
    if (r.ok === false) {
      detected++;
      dist.push(r.bytePos - g.start);
    } else if (missed.length < 10) {
      missed.push(`${s.name}#${i} k=${k} at ${g.start}/${g.bytes.length}: ${r.ok === null ? r.reason : 'ok'}`);
    }
  }
  dist.sort((a, b) => a - b);
  const q = (f: number): number => dist[Math.min(dist.length - 1, Math.floor(f * dist.length))]!;
  console.log(`${kind}: ${detected}/${trials} detected (${((100 * detected) / trials).toFixed(2)}%); distance bytes min ${dist[0]} p10 ${q(0.1)} p50 ${q(0.5)} p90 ${q(0.9)} p99 ${q(0.99)} max ${dist[dist.length - 1]}`);
  const within = (n: number): string => `${((100 * dist.filter((d) => d <= n).length) / Math.max(1, dist.length)).toFixed(1)}%`;
  console.log(`  failures within 64 B: ${within(64)}, 512 B: ${within(512)}, 4096 B: ${within(4096)}`);
  for (const m of missed) console.log('  missed:', m);
}
