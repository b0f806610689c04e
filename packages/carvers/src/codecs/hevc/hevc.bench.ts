/**
 * HEVC slice parsing speed: MB of item or sample data parsed per second on
 * one core: intra pictures of the real camera files (or heif-enc output),
 * and the I/P/B video samples of the real HEVC movies (or libx265 output).
 *   npx tsx packages/carvers/src/codecs/hevc/hevc.bench.ts
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Bench } from 'tinybench';
import { parseIntraItem, parseSample, type ParameterSets } from './index.js';
import { HEVC_MOVIES, MOV_DIR, generateHevcMovies, hasX265, hevcSamples, type HevcSample } from './movie-helpers.js';
import { HEIC_DIR, generateHeics, hasHeifEnc, hvcItems, mediaFiles, type HvcItem } from './test-helpers.js';

const sets: Record<string, HvcItem[]> = {};
const usable = (items: HvcItem[]): HvcItem[] => items.filter((it) => it.params.ok === true);
for (const name of mediaFiles) {
  // Up to 48 items per file, so the 817-tile Samsung photo does not dominate the run time.
  sets[name] = usable(hvcItems(name, readFileSync(join(HEIC_DIR, name)))).slice(0, 48);
}
if (hasHeifEnc) sets['heif-enc variants'] = usable(generateHeics().flatMap((f) => hvcItems(f.name, f.bytes)));

const bench = new Bench({ time: 500, iterations: 3, warmupIterations: 1, warmupTime: 0 });
const bytes: Record<string, number> = {};
for (const [name, items] of Object.entries(sets)) {
  bytes[name] = items.reduce((n, it) => n + it.data.length, 0);
  bench.add(name, () => {
    for (const it of items) {
      if (parseIntraItem((it.params as { params: ParameterSets }).params, it.data).ok !== true) throw new Error('benchmark input did not parse');
    }
  });
}
const movies: Record<string, HevcSample[]> = {};
for (const name of HEVC_MOVIES) movies[name] = hevcSamples(new Uint8Array(readFileSync(join(MOV_DIR, name)))).filter((s) => s.params.ok === true);
if (hasX265) for (const [name, bytes] of Object.entries(generateHevcMovies())) movies[`x265 ${name}`] = hevcSamples(bytes);
for (const [name, samples] of Object.entries(movies)) {
  if (samples.length === 0) continue;
  sets[name] = [];
  bytes[name] = samples.reduce((n, s) => n + s.data.length, 0);
  bench.add(name, () => {
    for (const s of samples) {
      if (parseSample((s.params as { params: ParameterSets }).params, s.data).ok !== true) throw new Error('benchmark input did not parse');
    }
  });
}
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const ms = t.result && 'latency' in t.result ? t.result.latency.mean : NaN;
    return { set: t.name, items: movies[t.name]?.length ?? sets[t.name]!.length, MB: (bytes[t.name]! / 1e6).toFixed(2), 'MB/s': (bytes[t.name]! / 1e6 / (ms / 1000)).toFixed(1) };
  }),
);
