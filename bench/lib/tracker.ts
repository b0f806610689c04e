/**
 * Result files for CI benchmark trackers: github-action-benchmark's
 * `customBiggerIsBetter` and `customSmallerIsBetter` tools each read a JSON
 * array of { name, unit, value, range?, extra? }.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { GitState, Machine } from './history.js';
import type { Metric } from './metrics.js';

export interface TrackerEntry {
  name: string;
  unit: string;
  value: number;
  range?: string;
  extra?: string;
}

export interface TrackerFiles {
  bigger: string;
  smaller: string;
}

/** Names carry the configuration, so runs of different sizes or densities are separate series. */
export function trackerEntries(configKey: string, metrics: readonly Metric[], git: GitState, machine: Machine): { bigger: TrackerEntry[]; smaller: TrackerEntry[] } {
  const extra = [
    `commit ${git.commit?.slice(0, 12) ?? 'unknown'}${git.dirty ? ' (dirty)' : ''}`,
    `${machine.cpus} cpus, ${machine.cpuModel}`,
    `node ${machine.node}`,
  ].join('\n');
  const entry = (m: Metric): TrackerEntry => ({ name: `rawcarve scan [${configKey}] ${m.name}`, unit: m.unit, value: m.value, extra });
  return {
    bigger: metrics.filter((m) => m.better === 'bigger').map(entry),
    smaller: metrics.filter((m) => m.better === 'smaller').map(entry),
  };
}

export function writeTrackerFiles(dir: string, entries: { bigger: TrackerEntry[]; smaller: TrackerEntry[] }): TrackerFiles {
  mkdirSync(dir, { recursive: true });
  const files = { bigger: join(dir, 'bigger.json'), smaller: join(dir, 'smaller.json') };
  writeFileSync(files.bigger, `${JSON.stringify(entries.bigger, null, 2)}\n`);
  writeFileSync(files.smaller, `${JSON.stringify(entries.smaller, null, 2)}\n`);
  return files;
}
