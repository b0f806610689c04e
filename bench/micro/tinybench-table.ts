/** Shared by the micro-benchmarks: a task's mean time and a printed table of derived rates. */
import type { Bench, Task } from 'tinybench';

/** Mean milliseconds per iteration, NaN when the task did not complete. */
export function meanMs(task: Task): number {
  const r = task.result;
  return r && 'latency' in r ? r.latency.mean : NaN;
}

/** Relative margin of error of the mean, percent. */
export function rmePercent(task: Task): number {
  const r = task.result;
  return r && 'latency' in r ? r.latency.rme : NaN;
}

/** One row per task: its name, the columns `row` derives from the mean, and ± margin. */
export function printTable(bench: Bench, row: (name: string, meanMs: number) => Record<string, string>): void {
  console.table(
    bench.tasks.map((t) => ({ task: t.name, ...row(t.name, meanMs(t)), '±': `${rmePercent(t).toFixed(1)}%` })),
  );
}

/** Deterministic pseudo-random bytes (xorshift32), for inputs that must not compress or repeat. */
export function randomBytes(size: number, seed = 0x12345678): Uint8Array {
  const b = new Uint8Array(size);
  const w = new Uint32Array(b.buffer, 0, size >>> 2);
  let x = seed;
  for (let i = 0; i < w.length; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    w[i] = x >>> 0;
  }
  return b;
}
