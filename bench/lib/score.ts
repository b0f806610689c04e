/**
 * Recall against the generated image's layout. rawcarve's report names each
 * file's offset, so its copies are matched by offset and SHA-256. Peers write
 * files without offsets in a common form, so their folders are matched by
 * SHA-256 alone, as a multiset: a source placed 12 times counts at most 12
 * recovered copies.
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { relative } from 'node:path';
import type { BenchLayout } from '../gen-image.js';
import { listFiles } from '../../test-images/src/evaluate-dir.js';

/** The fields of rawcarve's report.json the harness reads. */
export interface ScanReportSubset {
  files: { sha256: string; imgOffset: number; duplicates: number[] }[];
  summary: {
    filesWritten: number;
    duplicates: number;
    elapsedSeconds: number;
    peakRssBytes: number;
    phasesMs: Record<string, number>;
    reassembly: { attempted: number; rebuilt: number; trials: number; ms: number };
  };
}

export function readScanReport(path: string): ScanReportSubset {
  return JSON.parse(readFileSync(path, 'utf8')) as ScanReportSubset;
}

/** Placed media that rawcarve recovered byte-exact at their own offsets (identical copies included). */
export function reportRecall(report: ScanReportSubset, layout: BenchLayout): { placed: number; exact: number } {
  const found = new Set<string>();
  for (const f of report.files) {
    found.add(`${f.imgOffset}:${f.sha256}`);
    // Identical copies are written once; each listed offset is a recovered copy too.
    for (const d of f.duplicates) found.add(`${d}:${f.sha256}`);
  }
  const exact = layout.media.filter((m) => found.has(`${m.offset}:${m.sha256}`)).length;
  return { placed: layout.media.length, exact };
}

export interface FolderScore {
  filesRecovered: number;
  exactCopies: number;
  junk: number;
}

/** Scores a peer's output folder; `ignore` takes paths relative to `dir` (the tool's logs). */
export function scoreFolder(dir: string, layout: BenchLayout, ignore: (relPath: string) => boolean): FolderScore {
  const placed = new Map<string, number>();
  for (const m of layout.media) placed.set(m.sha256, (placed.get(m.sha256) ?? 0) + 1);
  const score: FolderScore = { filesRecovered: 0, exactCopies: 0, junk: 0 };
  const buf = Buffer.allocUnsafe(1 << 20);
  for (const path of listFiles(dir)) {
    if (ignore(relative(dir, path))) continue;
    score.filesRecovered++;
    const sha = sha256File(path, buf);
    const left = placed.get(sha) ?? 0;
    if (left > 0) {
      placed.set(sha, left - 1);
      score.exactCopies++;
    } else if (!placed.has(sha)) {
      score.junk++;
    }
  }
  return score;
}

/** Streamed, so multi-GB outputs never sit in memory. */
function sha256File(path: string, buf: Buffer): string {
  const h = createHash('sha256');
  const fd = openSync(path, 'r');
  try {
    for (let pos = 0; ; ) {
      const n = readSync(fd, buf, 0, buf.length, pos);
      if (n === 0) break;
      h.update(buf.subarray(0, n));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return h.digest('hex');
}
