/**
 * Signature search speed (GB/s) on media-free data: zeros, 0xFF (erased
 * flash), random bytes, at sector alignment and at every byte.
 *   npx tsx bench/micro/signature-search.bench.ts
 */
import { Bench } from 'tinybench';
import { SignatureIndex, findCandidates, type Carver, type Hit } from '@rawcarve/core';

const sig = (name: string, signatures: Carver['signatures']): Carver => ({
  name, version: '0', description: '', extensions: [name], signatures, maxFileSize: 1, carve: () => null,
});
// The built-in carvers' signature shapes: JPEG SOI at 0, ISO BMFF box types at 4.
const index = new SignatureIndex([
  sig('jpeg', [{ bytes: [0xff, 0xd8, 0xff] }]),
  sig('bmff', ['ftyp', 'moov', 'mdat', 'wide'].map((t) => ({ bytes: [...Buffer.from(t)], offset: 4 }))),
]);

const SIZE = 64 * 1024 * 1024;
const data = {
  zeros: new Uint8Array(SIZE),
  erased: new Uint8Array(SIZE).fill(0xff),
  random: (() => {
    const b = new Uint8Array(SIZE);
    const w = new Uint32Array(b.buffer);
    let x = 0x12345678;
    for (let i = 0; i < w.length; i++) {
      x ^= x << 13; x ^= x >>> 17; x ^= x << 5;
      w[i] = x >>> 0;
    }
    return b;
  })(),
};

const bench = new Bench({ time: 1500 });
for (const align of [512, 1]) {
  for (const [name, buf] of Object.entries(data)) {
    bench.add(`${name} align=${align}`, () => {
      const hits: Hit[] = [];
      findCandidates(buf, 0, 0, SIZE - 16, align, index, hits);
    });
  }
}
await bench.run();
console.table(
  bench.tasks.map((t) => {
    const mean = t.result && 'latency' in t.result ? t.result.latency.mean : NaN;
    return { task: t.name, 'ms per 64 MiB': mean.toFixed(2), 'GB/s': (SIZE / 1e9 / (mean / 1000)).toFixed(2) };
  }),
);
