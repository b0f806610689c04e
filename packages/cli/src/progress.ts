import cliProgress from 'cli-progress';
import type { ScanProgress } from '@rawcarve/core';
import { formatBytes, formatDuration } from './format.js';

export type ProgressMode = 'auto' | 'plain' | 'none';

/** Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise. */
export interface ProgressSink {
  update(p: ScanProgress): void;
  /** A line between phases (the reassembly pass runs without byte progress). */
  note(text: string): void;
  stop(): void;
}

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const effective = mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : mode;
  if (effective === 'none') return { update: () => undefined, note: () => undefined, stop: () => undefined };
  if (effective === 'bar') return barProgress(stream);
  return plainProgress(stream);
}

function rates(p: ScanProgress): { rate: number; eta: number } {
  const rate = p.elapsedMs > 0 ? p.bytesDone / (p.elapsedMs / 1000) : 0;
  const eta = rate > 0 ? (p.bytesTotal - p.bytesDone) / rate : Infinity;
  return { rate, eta };
}

function barProgress(stream: NodeJS.WriteStream): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: 'scanning [{bar}] {percentage}% | {done}/{total} | {rate}/s | ETA {etaText} | {files} files',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  return {
    update(p) {
      const { rate, eta } = rates(p);
      const payload = { done: formatBytes(p.bytesDone), total: formatBytes(p.bytesTotal), rate: formatBytes(rate), etaText: formatDuration(eta), files: p.filesWritten };
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        started = true;
      } else bar.update(p.bytesDone, payload);
    },
    note(text) {
      if (started) {
        bar.stop();
        started = false;
      }
      stream.write(`${text}\n`);
    },
    stop() {
      if (started) bar.stop();
    },
  };
}

function plainProgress(stream: NodeJS.WriteStream): ProgressSink {
  let last = -Infinity;
  let finished = false;
  return {
    update(p) {
      const now = p.elapsedMs;
      const done = p.bytesDone >= p.bytesTotal;
      // A line every 2 s, and one when the scan is through (writing may go on after).
      if (finished || (now - last < 2000 && !done)) return;
      finished = done;
      last = now;
      const { rate, eta } = rates(p);
      const pct = p.bytesTotal > 0 ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '100.0';
      stream.write(
        `progress ${pct}% ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${formatBytes(rate)}/s ETA ${formatDuration(eta)} files ${p.filesWritten}\n`,
      );
    },
    note: (text) => void stream.write(`${text}\n`),
    stop: () => undefined,
  };
}
