/**
 * bench/history.jsonl: one JSON line per harness run, with the commit, the
 * machine and the metrics, so a run can be compared with the previous run of
 * the same configuration.
 */
import { spawnSync } from 'node:child_process';
import { appendFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { availableParallelism, cpus, hostname, totalmem } from 'node:os';
import { dirname } from 'node:path';
import type { BenchConfig, BenchResult } from './result.js';
import type { Metric } from './metrics.js';

export interface Machine {
  hostname: string;
  cpus: number;
  cpuModel: string;
  memGiB: number;
  node: string;
  platform: string;
  arch: string;
}

export interface GitState {
  /** `git rev-parse HEAD`, or null outside a git checkout. */
  commit: string | null;
  /** Tracked files differ from the commit (untracked files are ignored). */
  dirty: boolean;
}

export interface HistoryEntry {
  date: string;
  commit: string | null;
  dirty: boolean;
  machine: Machine;
  configKey: string;
  config: BenchConfig;
  /** Metric name → value (units and directions are in the tracker files). */
  metrics: Record<string, number>;
  result: BenchResult;
}

export function machineInfo(): Machine {
  return {
    hostname: hostname(),
    cpus: availableParallelism(),
    cpuModel: cpus()[0]?.model.trim() ?? 'unknown',
    memGiB: +(totalmem() / 2 ** 30).toFixed(1),
    node: process.version,
    platform: process.platform,
    arch: process.arch,
  };
}

export function gitState(cwd: string): GitState {
  const head = spawnSync('git', ['rev-parse', 'HEAD'], { cwd, encoding: 'utf8' });
  if (head.status !== 0) return { commit: null, dirty: false };
  const status = spawnSync('git', ['status', '--porcelain', '--untracked-files=no'], { cwd, encoding: 'utf8' });
  return { commit: head.stdout.trim(), dirty: status.status !== 0 || status.stdout.trim() !== '' };
}

export function historyEntry(result: BenchResult, metrics: Metric[], git: GitState, machine: Machine, date = new Date()): HistoryEntry {
  return {
    date: date.toISOString(),
    commit: git.commit,
    dirty: git.dirty,
    machine,
    configKey: result.configKey,
    config: result.config,
    metrics: Object.fromEntries(metrics.map((m) => [m.name, m.value])),
    result,
  };
}

/** Every parseable entry of a history file, oldest first (a torn last line is skipped). */
export function readHistory(path: string): HistoryEntry[] {
  if (!existsSync(path)) return [];
  const entries: HistoryEntry[] = [];
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    if (line.trim() === '') continue;
    try {
      entries.push(JSON.parse(line) as HistoryEntry);
    } catch {
      // Skipped: a line cut short by an interrupted run.
    }
  }
  return entries;
}

/** The newest entry of the same configuration, or undefined. */
export function lastEntryFor(entries: readonly HistoryEntry[], configKey: string): HistoryEntry | undefined {
  for (let i = entries.length - 1; i >= 0; i--) if (entries[i]!.configKey === configKey) return entries[i];
  return undefined;
}

export function appendHistory(path: string, entry: HistoryEntry): void {
  mkdirSync(dirname(path), { recursive: true });
  appendFileSync(path, `${JSON.stringify(entry)}\n`);
}
