/**
 * Generators and the evaluator from the command line:
 *   npx tsx test-images/src/cli.ts raw-lab --out test-images/build/lab.img [--fragmented] [--types jpeg,heic] [--seed 7] [--max 20]
 *   npx tsx test-images/src/cli.ts fat-card --out test-images/build/card.img [--fragment] [--types jpeg]
 *   npx tsx test-images/src/cli.ts demo-card --out test-images/build/demo.img
 *   npx tsx test-images/src/cli.ts evaluate --truth test-images/build/lab.img.truth.json --out OUTDIR
 */
import { mkdirSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { buildDemoCard } from './demo-card.js';
import { evaluate, formatEvaluation } from './evaluate.js';
import { buildFatCard } from './fat-card.js';
import { buildRawLab, listMedia } from './raw-lab.js';
import { loadTruth } from './truth.js';

const { positionals, values } = parseArgs({
  allowPositionals: true,
  options: {
    out: { type: 'string' },
    media: { type: 'string', default: resolve(import.meta.dirname, '../../../shared/media') },
    types: { type: 'string' },
    seed: { type: 'string', default: '7' },
    max: { type: 'string' },
    fragmented: { type: 'boolean', default: false },
    fragment: { type: 'boolean', default: false },
    truth: { type: 'string' },
    json: { type: 'boolean', default: false },
  },
});
const cmd = positionals[0];
const types = values.types?.split(',');
const t0 = performance.now();
if (values.out && cmd !== 'evaluate') mkdirSync(dirname(resolve(values.out)), { recursive: true });
if (cmd === 'raw-lab') {
  const truth = buildRawLab({
    mediaDir: values.media!, outFile: values.out!, seed: Number(values.seed), fragmented: values.fragmented!,
    ...(types ? { types } : {}), ...(values.max ? { maxFiles: Number(values.max) } : {}),
  });
  console.log(`${truth.image}: ${truth.size} bytes, ${truth.files.length} files, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} else if (cmd === 'fat-card') {
  let files = listMedia(values.media!, types);
  if (values.max) files = files.slice(0, Number(values.max));
  const truth = buildFatCard({ files, outFile: values.out!, seed: Number(values.seed), fragment: values.fragment! });
  console.log(`${truth.image}: ${truth.size} bytes, ${truth.files.length} files (${truth.files.filter((f) => f.deleted).length} deleted, ${truth.files.filter((f) => f.fragments.length > 1).length} fragmented), ${((performance.now() - t0) / 1000).toFixed(1)} s`);
} else if (cmd === 'demo-card') {
  const truth = await buildDemoCard({ outFile: values.out! });
  console.log(`${truth.image}: ${truth.size} bytes, ${truth.files.length} files`);
} else if (cmd === 'evaluate') {
  const ev = evaluate({ truth: loadTruth(values.truth!), outDir: values.out! });
  console.log(values.json ? JSON.stringify(ev, null, 1) : formatEvaluation(ev));
} else {
  console.error('usage: cli.ts raw-lab|fat-card|demo-card|evaluate [options] (see the header of test-images/src/cli.ts)');
  process.exitCode = 2;
}
