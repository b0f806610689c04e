/**
 * Worker hand-off cost (µs per task): a piscina round trip to an idle worker
 * that answers at once, with a small message, and with a 1 MiB buffer either
 * transferred both ways or copied (structured clone). "64 in flight" keeps the
 * pool's two workers busy, as the scanner does, and divides by 64.
 *   npx tsx bench/micro/worker-handoff.bench.ts
 */
import { Piscina } from 'piscina';
import { Bench } from 'tinybench';
import type { HandoffMessage } from './handoff-worker.js';
import { printTable } from './tinybench-table.js';

const MIB = 1024 * 1024;
const IN_FLIGHT = 64;
const pool = new Piscina({ filename: new URL('./handoff-worker.ts', import.meta.url).href, minThreads: 2, maxThreads: 2 });
const small = (i: number): Promise<unknown> => pool.run({ kind: 'small', page: i, offset: i * 4096 } satisfies HandoffMessage);

let transferred: Uint8Array<ArrayBuffer> = new Uint8Array(MIB);
const copied = new Uint8Array(MIB);
const bench = new Bench({ time: 1000, warmupTime: 300 });
const tasksPerIteration = new Map<string, number>();
const add = (name: string, tasks: number, fn: () => Promise<unknown>): void => {
  tasksPerIteration.set(name, tasks);
  bench.add(name, fn);
};
add('small message, one at a time', 1, () => small(0));
add(`small message, ${IN_FLIGHT} in flight`, IN_FLIGHT, () => Promise.all(Array.from({ length: IN_FLIGHT }, (_, i) => small(i))));
add('1 MiB ArrayBuffer transferred both ways', 1, async () => {
  const bytes = transferred;
  transferred = (await pool.run({ kind: 'buffer', bytes, transfer: true } satisfies HandoffMessage, { transferList: [bytes.buffer] })) as Uint8Array<ArrayBuffer>;
  if (bytes.byteLength !== 0 || transferred.byteLength !== MIB) throw new Error('the buffer was copied, not transferred');
});
add('1 MiB copied both ways (structured clone)', 1, () => pool.run({ kind: 'buffer', bytes: copied, transfer: false } satisfies HandoffMessage));
await bench.run();
await pool.destroy();
printTable(bench, (name, ms) => {
  const perTask = (ms * 1000) / (tasksPerIteration.get(name) ?? NaN);
  return { 'µs per task': perTask.toFixed(1), 'tasks/s': Math.round(1e6 / perTask).toLocaleString('en-US') };
});
