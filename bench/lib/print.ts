/** The harness's console output: the run's metrics beside the previous run's, and rawcarve beside its peers. */
import type { HistoryEntry } from './history.js';
import { describeChange, type Metric } from './metrics.js';
import type { BenchResult } from './result.js';
import { fixed, renderTable } from './table.js';

function formatValue(value: number | undefined, unit: string): string {
  if (value === undefined) return '-';
  const digits = unit === 'GB/s' ? 3 : unit === 'ms' || unit === 'MiB' ? 0 : 2;
  return `${value.toFixed(digits)} ${unit}`;
}

function describePrevious(previous: HistoryEntry | undefined, historyPath: string): string {
  if (!previous) return `no previous run of this configuration in ${historyPath}`;
  const commit = previous.commit ? previous.commit.slice(0, 12) + (previous.dirty ? ' (dirty)' : '') : 'unknown commit';
  const m = previous.machine;
  return `compared with the run of ${previous.date} at ${commit} (${m.cpus} cpus, node ${m.node}, ${m.hostname}) in ${historyPath}`;
}

export function formatMetricsTable(metrics: readonly Metric[], previous: HistoryEntry | undefined, historyPath: string): string {
  const rows = metrics.map((m) => {
    const before = previous?.metrics[m.name];
    return [m.name, formatValue(m.value, m.unit), formatValue(before, m.unit), previous ? describeChange(m, before) : '-'];
  });
  return `${describePrevious(previous, historyPath)}\n\n${renderTable(['metric', 'now', 'previous', 'change'], rows)}`;
}

/** rawcarve and each peer on the same image; speedup above 1 means rawcarve was faster. */
export function formatToolsTable(r: BenchResult): string {
  const rc = r.rawcarve;
  const header = ['tool', 'wall s', 'GB/s', 'files', 'exact copies', 'junk', 'peak RSS MiB', 'CPU s', 'rawcarve speedup'];
  const rows: string[][] = [
    ['rawcarve', fixed(rc.wallSeconds, 2), fixed(rc.gbPerSecond, 3), String(rc.filesRecovered), `${rc.recall.exact}/${rc.recall.placed}`, '-',
      fixed(rc.peakRssMiB, 0), fixed(rc.cpuSeconds, 1), '1.00x'],
  ];
  for (const p of r.peers) {
    if (p.status !== 'ok') {
      rows.push([p.tool, fixed(p.wallSeconds, 2), '-', `${p.status}: ${p.error ?? ''}`, '', '', '', '', '']);
      continue;
    }
    rows.push([p.tool, fixed(p.wallSeconds, 2), fixed(p.gbPerSecond, 3), String(p.filesRecovered), `${p.exactCopies}/${rc.recall.placed}`,
      String(p.junk), fixed(p.peakRssMiB, 0), fixed(p.cpuSeconds, 1), `${fixed(p.rawcarveSpeedup, 2)}x`]);
  }
  return renderTable(header, rows);
}

export function formatSummary(r: BenchResult, layoutDescription: string): string {
  const rc = r.rawcarve;
  return [
    `rawcarve scan [${r.configKey}]`,
    `image ${r.image} (${r.config.sizeBytes} bytes: ${layoutDescription})`,
    `wall ${rc.wallSeconds.toFixed(2)} s, ${rc.gbPerSecond.toFixed(3)} GB/s, ${rc.filesPerSecond.toFixed(1)} files/s, ` +
      `peak RSS ${rc.peakRssMiB} MiB (${rc.peakRssSource}), recall ${rc.recall.exact}/${rc.recall.placed} exact`,
    `phases are summed worker ms (they overlap); write includes hashing (SHA-256, MD5, xxHash64); reassembly is wall ms`,
  ].join('\n');
}
