/**
 * Signature search speed (GB/s, one core) on media-free data (zeros, 0xFF
 * erased flash, random bytes) and on 64 MiB images made by bench/gen-image.ts
 * at each density (sparse: 8% media, dense: 60%), at sector alignment and at
 * every byte. Media come from ../shared/media, else the committed samples.
 *   npx tsx bench/micro/signature-search.bench.ts
 */
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { Bench } from 'tinybench';
import { SignatureIndex, findCandidates, type Carver, type Hit } from '@rawcarve/core';
import { DEFAULT_MEDIA_DIR, generateImage, type Density } from '../gen-image.js';
import { printTable, randomBytes } from './tinybench-table.js';

const sig = (name: string, signatures: Carver['signatures']): Carver => ({
  name, version: '0', description: '', extensions: [name], signatures, maxFileSize: 1, carve: () => null,
});
// The built-in carvers' signature shapes: JPEG SOI at 0, ISO BMFF box types at 4.
const index = new SignatureIndex([
  sig('jpeg', [{ bytes: [0xff, 0xd8, 0xff] }]),
  sig('bmff', ['ftyp', 'moov', 'mdat', 'wide'].map((t) => ({ bytes: [...Buffer.from(t)], offset: 4 }))),
]);

const SIZE = 64 * 1024 * 1024;
const mediaDir = existsSync(DEFAULT_MEDIA_DIR) ? DEFAULT_MEDIA_DIR : resolve(import.meta.dirname, '../../test-images/samples');
function generated(density: Density): Uint8Array {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-sigbench-'));
  try {
    generateImage({ out: join(dir, 'i.img'), size: SIZE, mediaDir, density, seed: 1 });
    return new Uint8Array(readFileSync(join(dir, 'i.img')));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
const data: Record<string, Uint8Array> = {
  zeros: new Uint8Array(SIZE),
  erased: new Uint8Array(SIZE).fill(0xff),
  random: randomBytes(SIZE),
  'sparse image': generated('sparse'),
  'dense image': generated('dense'),
};

const bench = new Bench({ time: 500, iterations: 5, warmupIterations: 2 });
for (const align of [512, 1]) {
  for (const [name, buf] of Object.entries(data)) {
    bench.add(`${name} align=${align}`, () => {
      const hits: Hit[] = [];
      findCandidates(buf, 0, 0, SIZE - 16, align, index, hits);
    });
  }
}
await bench.run();
printTable(bench, (_name, ms) => ({
  'ms per 64 MiB': ms.toFixed(2),
  'ms per GB': ((ms * 1e9) / SIZE).toFixed(0),
  'GB/s': (SIZE / 1e9 / (ms / 1000)).toFixed(2),
}));
