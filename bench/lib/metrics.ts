/**
 * A run's numbers as named metrics with a direction, the form both the CI
 * benchmark tracker files and the comparison with the previous run use.
 */
import type { BenchResult } from './result.js';

export type Direction = 'bigger' | 'smaller';

export interface Metric {
  /** Short name, unique within a run, e.g. "throughput" or "phase carve". */
  name: string;
  unit: string;
  value: number;
  better: Direction;
}

export function benchMetrics(r: BenchResult): Metric[] {
  const rc = r.rawcarve;
  const out: Metric[] = [
    { name: 'throughput', unit: 'GB/s', value: rc.gbPerSecond, better: 'bigger' },
    { name: 'files per second', unit: 'files/s', value: rc.filesPerSecond, better: 'bigger' },
    { name: 'recall exact', unit: '%', value: rc.recall.placed ? +((100 * rc.recall.exact) / rc.recall.placed).toFixed(2) : 100, better: 'bigger' },
    { name: 'wall time', unit: 's', value: rc.wallSeconds, better: 'smaller' },
    { name: 'peak RSS', unit: 'MiB', value: rc.peakRssMiB, better: 'smaller' },
  ];
  if (rc.cpuSeconds !== null) out.push({ name: 'CPU time', unit: 's', value: rc.cpuSeconds, better: 'smaller' });
  for (const [phase, ms] of Object.entries(rc.phasesMs)) out.push({ name: `phase ${phase}`, unit: 'ms', value: ms, better: 'smaller' });
  for (const p of r.peers) {
    if (p.status !== 'ok' || p.rawcarveSpeedup === undefined) continue;
    out.push({ name: `speedup vs ${p.tool}`, unit: 'x', value: p.rawcarveSpeedup, better: 'bigger' });
  }
  return out;
}

/** Signed percent change from `before` to `now`, or null when there is no base. */
export function percentChange(before: number | undefined, now: number): number | null {
  if (before === undefined || !Number.isFinite(before) || before === 0) return null;
  return (100 * (now - before)) / before;
}

/** "+4.2% better", "-0.3% same" (changes under 1% are noise at this scale). */
export function describeChange(m: Metric, before: number | undefined): string {
  const pct = percentChange(before, m.value);
  if (pct === null) return before === 0 && m.value === 0 ? 'same' : '-';
  const sign = pct >= 0 ? '+' : '';
  if (Math.abs(pct) < 1) return `${sign}${pct.toFixed(1)}% same`;
  const improved = m.better === 'bigger' ? pct > 0 : pct < 0;
  return `${sign}${pct.toFixed(1)}% ${improved ? 'better' : 'worse'}`;
}
