import cliProgress from 'cli-progress';
import type { ScanProgress } from '@rawcarve/core';
import { formatBytes, formatDuration } from './format.js';
import { RateWindow, byTypeText } from './rate.js';

export type ProgressMode = 'auto' | 'plain' | 'none';

/** The phases of a run, in order: the page scan, fragment reassembly, the last writes, thumbnails, the reports. */
export type RunPhase = 'scan' | 'reassembly' | 'writing' | 'thumbnails' | 'reports';

/** Progress on stderr: a bar on a terminal, a plain line every few seconds otherwise. */
export interface ProgressSink {
  update(p: ScanProgress): void;
  /** A new phase starts (a line saying so; `detail` says how much there is to do). */
  phase(name: RunPhase, detail?: string): void;
  /** Progress within a phase counted in items (thumbnails made of all files). */
  items(done: number, total: number): void;
  /** A line between phases (the reassembly pass runs without byte progress). */
  note(text: string): void;
  stop(): void;
}

export function createProgress(mode: ProgressMode, stream: NodeJS.WriteStream = process.stderr): ProgressSink {
  const effective = mode === 'auto' ? (stream.isTTY ? 'bar' : 'plain') : mode;
  if (effective === 'none') return { update: () => undefined, phase: () => undefined, items: () => undefined, note: () => undefined, stop: () => undefined };
  if (effective === 'bar') return barProgress(stream);
  return plainProgress(stream);
}

/** Bytes/s and ETA over the last 30 s (RateWindow), not since the start: dense regions slow a scan down. */
function rates(p: ScanProgress, window: RateWindow): { rate: number; eta: number } {
  window.add(p.elapsedMs, p.bytesDone);
  return { rate: window.rate(), eta: window.eta(p.bytesTotal - p.bytesDone) };
}

/** "126 files (jpeg 120, heic 4, mov 2; 5 filtered)". */
function filesText(p: ScanProgress): string {
  const parts = [byTypeText(p.filesByType), p.filesFiltered ? `${p.filesFiltered} filtered` : ''].filter(Boolean).join('; ');
  return `${p.filesWritten} files${parts ? ` (${parts})` : ''}`;
}

function barProgress(stream: NodeJS.WriteStream): ProgressSink {
  const bar = new cliProgress.SingleBar(
    {
      stream,
      format: '{phase} [{bar}] {percentage}% | {done}/{totalText} | {rate} | ETA {etaText} | {files}',
      hideCursor: true,
      etaBuffer: 50,
    },
    cliProgress.Presets.shades_classic,
  );
  let started = false;
  let current: RunPhase = 'scan';
  const window = new RateWindow();
  return {
    update(p) {
      const { rate, eta } = rates(p, window);
      const payload = { phase: current, done: formatBytes(p.bytesDone), totalText: formatBytes(p.bytesTotal), rate: `${formatBytes(rate)}/s`, etaText: formatDuration(eta), files: filesText(p) };
      if (!started) {
        bar.start(Math.max(1, p.bytesTotal), p.bytesDone, payload);
        started = true;
      } else bar.update(p.bytesDone, payload);
    },
    phase(name, detail) {
      current = name;
      this.note(`${name}${detail ? `: ${detail}` : ''}`);
    },
    items(done, total) {
      const payload = { phase: current, done: String(done), totalText: String(total), rate: 'files', etaText: '--', files: `${done} of ${total} files` };
      if (!started) {
        bar.start(Math.max(1, total), done, payload);
        started = true;
      } else bar.update(done, payload);
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
  let lastItems = -Infinity;
  let current: RunPhase = 'scan';
  const window = new RateWindow();
  let latest: { p: ScanProgress; rate: number; eta: number } | null = null;
  let printed = '';
  const print = (): void => {
    if (!latest) return;
    const { p, rate, eta } = latest;
    const pct = p.bytesTotal > 0 ? ((100 * p.bytesDone) / p.bytesTotal).toFixed(1) : '100.0';
    const line = `progress scan ${pct}% ${formatBytes(p.bytesDone)}/${formatBytes(p.bytesTotal)} ${formatBytes(rate)}/s ETA ${formatDuration(eta)} ${filesText(p)}`;
    if (line !== printed) stream.write(`${line}\n`);
    printed = line;
  };
  return {
    update(p) {
      const now = p.elapsedMs;
      const done = p.bytesDone >= p.bytesTotal;
      latest = { p, ...rates(p, window) }; // every sample feeds the window, printed or not
      // A line every 2 s, and one when the scan is through (writing may go on after: the last counts come before the next phase).
      if (now - last < 2000 && !(done && !finished)) return;
      finished ||= done;
      last = now;
      print();
    },
    phase(name, detail) {
      print();
      current = name;
      stream.write(`phase ${name}${detail ? `: ${detail}` : ''}\n`);
    },
    items(done, total) {
      const now = performance.now();
      if (done < total && now - lastItems < 2000) return;
      lastItems = now;
      stream.write(`progress ${current} ${done}/${total} files\n`);
    },
    note: (text) => void stream.write(`${text}\n`),
    stop: () => print(),
  };
}
