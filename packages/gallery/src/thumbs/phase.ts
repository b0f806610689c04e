/**
 * The thumbnail phase of the reports: after the scan, every recovered file
 * gets a thumbnail under OUTDIR/report/thumbs (never under files/), made in a
 * worker pool with a time limit per file (the worker is ended when it is
 * exceeded) and one for the whole phase; whatever is not done in time gets a
 * placeholder. Deterministic names: report/thumbs/<type>/<file name>.
 */
import { accessSync, constants } from 'node:fs';
import { availableParallelism } from 'node:os';
import { delimiter, join } from 'node:path';
import { Piscina } from 'piscina';
import type { FileRecord, GallerySummary, ScanReport } from '@rawcarve/core';
import { placeholder, type ThumbResult, type ThumbTask } from './make-thumb.js';

export interface ThumbnailOptions {
  outDir: string;
  report: ScanReport;
  /** The evidence, to read files that were not written (--report-only); null: those get placeholders. */
  imagePath: string | null;
  /** Worker threads (default: the number of cores). */
  jobs?: number;
  /** Wall-clock budget of the whole phase in ms (default 600 000). */
  budgetMs?: number;
  /** Time one thumbnail may take in ms (default 20 000). */
  perFileMs?: number;
  /** Longest side of a thumbnail in pixels (default 240). */
  max?: number;
  /** ffmpeg for video poster frames: a path, null for none, 'auto' (default) for the one on PATH if any. */
  ffmpeg?: string | null | 'auto';
  onProgress?(done: number, total: number): void;
}

export interface ThumbnailRun {
  /** By report path. */
  thumbs: Map<string, ThumbResult>;
  summary: GallerySummary;
}

export const DEFAULT_THUMBNAIL_BUDGET_MS = 600_000;
const DEFAULT_PER_FILE_MS = 20_000;

/** Where a file's thumbnail goes: report/thumbs/<type>/<its file name without extension>. */
export function thumbBase(f: Pick<FileRecord, 'path' | 'type'>): string {
  const name = (f.path.split('/').pop() ?? f.path).replace(/\.[^.]*$/, '').replace(/[^A-Za-z0-9_-]/g, '_');
  return `report/thumbs/${f.type.replace(/[^A-Za-z0-9_-]/g, '_')}/${name}`;
}

/** ffmpeg on PATH, or null. */
export function findFfmpeg(): string | null {
  for (const dir of (process.env['PATH'] ?? '').split(delimiter)) {
    if (!dir) continue;
    const p = join(dir, 'ffmpeg');
    try {
      accessSync(p, constants.X_OK);
      return p;
    } catch {
      // not here
    }
  }
  return null;
}

const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function thumbTask(o: ThumbnailOptions, f: FileRecord, ffmpeg: string | null): ThumbTask {
  const md = f.metadata;
  return {
    outDir: o.outDir,
    imagePath: o.imagePath,
    file: {
      path: f.path, type: f.type, size: f.size, byteRuns: f.byteRuns,
      orientation: num(md['orientation']), width: num(md['width']), height: num(md['height']),
      duration: num(md['duration']), codec: typeof md['codec'] === 'string' ? md['codec'] : null,
    },
    thumbBase: thumbBase(f),
    max: o.max ?? 240,
    ffmpeg,
    posterMs: Math.min(o.perFileMs ?? DEFAULT_PER_FILE_MS, 15_000),
  };
}

export async function makeThumbnails(o: ThumbnailOptions): Promise<ThumbnailRun> {
  const started = performance.now();
  const files = o.report.files;
  const budgetMs = o.budgetMs ?? DEFAULT_THUMBNAIL_BUDGET_MS;
  const perFileMs = o.perFileMs ?? DEFAULT_PER_FILE_MS;
  const ffmpeg = o.ffmpeg === 'auto' || o.ffmpeg === undefined ? findFfmpeg() : o.ffmpeg;
  const jobs = Math.max(1, Math.min(o.jobs ?? availableParallelism(), files.length || 1));
  const thumbs = new Map<string, ThumbResult>();
  let done = 0;
  const finish = (f: FileRecord, r: ThumbResult): void => {
    thumbs.set(f.path, r);
    o.onProgress?.(++done, files.length);
  };
  if (files.length > 0) {
    const pool = new Piscina({ filename: workerUrl(), minThreads: 1, maxThreads: jobs, idleTimeout: 1000, maxQueue: jobs * 4 });
    try {
      let next = 0;
      const lane = async (): Promise<void> => {
        while (next < files.length) {
          const f = files[next++]!;
          const task = thumbTask(o, f, ffmpeg);
          const left = budgetMs - (performance.now() - started);
          if (left <= 0) {
            finish(f, placeholder(task, task.file.duration !== null, 'no preview', [`not made: the ${Math.round(budgetMs / 1000)} s thumbnail budget ran out`], true));
            continue;
          }
          try {
            finish(f, (await pool.run(task, { signal: AbortSignal.timeout(Math.min(perFileMs, left)) })) as ThumbResult);
          } catch (err) {
            const aborted = err instanceof Error && (err.name === 'AbortError' || /abort/i.test(err.message));
            const msg = aborted ? `took longer than ${Math.round(Math.min(perFileMs, left) / 1000)} s` : err instanceof Error ? err.message : String(err);
            finish(f, placeholder(task, task.file.duration !== null, 'no preview', [msg], true));
          }
        }
      };
      await Promise.all(Array.from({ length: jobs }, lane));
    } finally {
      await pool.destroy();
    }
  }
  const count = (k: string): number => [...thumbs.values()].filter((t) => t.kind === k).length;
  return {
    thumbs,
    summary: {
      files: files.length,
      embedded: count('embedded'),
      decoded: count('decoded'),
      posterFrames: count('poster'),
      placeholders: count('placeholder'),
      failed: [...thumbs.values()].filter((t) => t.error !== undefined).length,
      ms: Math.round(performance.now() - started),
    },
  };
}

/** The compiled worker (tests under vitest run from src/: the built copy in dist/). */
function workerUrl(): string {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL('../../dist/thumbs/worker-entry.cjs', here).href;
  return new URL('./worker-entry.cjs', here).href;
}
