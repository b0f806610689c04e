/**
 * Hashing paths of the write phase (GB/s, one core): xxHash64 streaming
 * (xxhash-wasm create64().update, the deduplication key), node:crypto SHA-256
 * and MD5 (the report's hashes), and all three in one pass as copyRuns does,
 * each fed 1 MiB chunks of a 64 MiB random buffer.
 *   npx tsx bench/micro/hashing.bench.ts
 */
import { createHash } from 'node:crypto';
import { Bench } from 'tinybench';
import xxhash from 'xxhash-wasm';
import { printTable, randomBytes } from './tinybench-table.js';

const SIZE = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;
const data = randomBytes(SIZE);
const chunks: Uint8Array[] = [];
for (let at = 0; at < SIZE; at += CHUNK) chunks.push(data.subarray(at, at + CHUNK));
const { create64 } = await xxhash();

const bench = new Bench({ time: 1000, iterations: 5, warmupTime: 100, warmupIterations: 2 });
bench
  .add('xxh64 (xxhash-wasm create64, streaming)', () => {
    const h = create64();
    for (const c of chunks) h.update(c);
    h.digest();
  })
  .add('sha256 (node:crypto)', () => {
    const h = createHash('sha256');
    for (const c of chunks) h.update(c);
    h.digest('hex');
  })
  .add('md5 (node:crypto)', () => {
    const h = createHash('md5');
    for (const c of chunks) h.update(c);
    h.digest('hex');
  })
  .add('xxh64 + sha256 + md5 (the write path)', () => {
    const xx = create64();
    const sha = createHash('sha256');
    const md5 = createHash('md5');
    for (const c of chunks) {
      xx.update(c);
      sha.update(c);
      md5.update(c);
    }
    xx.digest();
    sha.digest('hex');
    md5.digest('hex');
  });
await bench.run();
printTable(bench, (_name, ms) => ({ 'ms per 64 MiB': ms.toFixed(1), 'GB/s': (SIZE / 1e9 / (ms / 1000)).toFixed(2) }));
