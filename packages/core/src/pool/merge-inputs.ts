import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { UsageError } from '../errors.js';
import type { ScanReport } from '../report/types.js';
import { FILE_JOURNAL, PAGE_JOURNAL, isFileLine, readCheckpoint, readJournal, type Checkpoint, type FileLine, type JournalLine, type PageRecord, type RunSettings } from './checkpoint.js';
import type { ByteRange } from './range.js';

/** One shard's output folder, read back. */
export interface ShardInput {
  dir: string;
  checkpoint: Checkpoint;
  /** Its report.json (times and host for the merged report). */
  report: Pick<ScanReport, 'startedAt' | 'finishedAt' | 'host'> | null;
  pages: PageRecord[];
  files: FileLine[];
}

export interface Coverage {
  complete: boolean;
  gaps: ByteRange[];
  overlaps: ByteRange[];
}

/**
 * Reads every shard's checkpoint and journals. Refuses shards that did not
 * finish, that scanned another image, or whose settings differ (other than
 * the range): their pages would not fit together into one run.
 */
export function loadShards(dirs: readonly string[]): ShardInput[] {
  if (dirs.length === 0) throw new UsageError('merge needs at least one shard output folder');
  const shards = dirs.map((dir): ShardInput => {
    const cp = readCheckpoint(dir);
    if (cp === null) throw new UsageError(`${dir} is not the output of a rawcarve scan of this version (no checkpoint)`);
    if (cp.phase !== 'done') throw new UsageError(`the scan in ${dir} did not finish: continue it with rawcarve scan --resume first`);
    const reportPath = join(dir, 'report.json');
    const report = existsSync(reportPath) ? (JSON.parse(readFileSync(reportPath, 'utf8')) as ScanReport) : null;
    return {
      dir,
      checkpoint: cp,
      report: report ? { startedAt: report.startedAt, finishedAt: report.finishedAt, host: report.host } : null,
      pages: readJournal<PageRecord>(join(dir, PAGE_JOURNAL), cp.pageJournalBytes),
      // Filtered files are decided again by the merge's own writes (the same filter: settings must agree).
      files: readJournal<JournalLine>(join(dir, FILE_JOURNAL), cp.fileJournalBytes).filter(isFileLine),
    };
  });
  const first = shards[0]!.checkpoint;
  for (const s of shards.slice(1)) {
    const cp = s.checkpoint;
    if (cp.identity.size !== first.identity.size || cp.identity.kind !== first.identity.kind) {
      throw new UsageError(`${s.dir} scanned another image (${cp.identity.kind}, ${cp.identity.size} bytes) than ${shards[0]!.dir} (${first.identity.kind}, ${first.identity.size} bytes)`);
    }
    const a = comparable(first.settings);
    const b = comparable(cp.settings);
    if (a !== b) throw new UsageError(`${s.dir} was scanned with other settings than ${shards[0]!.dir}:\n  ${b}\n  ${a}`);
  }
  return shards.sort((x, y) => x.checkpoint.settings.range.start - y.checkpoint.settings.range.start);
}

/** The settings that must agree (module URLs differ from machine to machine: names and versions must not). */
function comparable(s: RunSettings): string {
  const { range: _range, carverModules: _modules, ...rest } = s;
  return JSON.stringify(rest);
}

/** Which bytes of an image of `size` bytes the ranges cover: holes and bytes covered twice. */
export function coverageOf(ranges: readonly ByteRange[], size: number): Coverage {
  const sorted = [...ranges].sort((a, b) => a.start - b.start);
  const gaps: ByteRange[] = [];
  const overlaps: ByteRange[] = [];
  let end = 0;
  for (const r of sorted) {
    if (r.start > end) gaps.push({ start: end, length: r.start - end });
    else if (r.start < end) overlaps.push({ start: r.start, length: Math.min(end, r.start + r.length) - r.start });
    end = Math.max(end, r.start + r.length);
  }
  if (end < size) gaps.push({ start: end, length: size - end });
  return { complete: gaps.length === 0 && overlaps.length === 0, gaps, overlaps };
}

/**
 * Every shard's pages in image order, as one run would have folded them.
 * Where shards overlap, a page already covered is dropped and the
 * candidates of a partly covered one are kept only past what came before
 * (deduplicated by image offset; its counters are then counted twice).
 */
export function mergePages(shards: readonly ShardInput[]): PageRecord[] {
  const all = shards.flatMap((s) => s.pages).sort((a, b) => a.pageStart - b.pageStart || b.pageLength - a.pageLength);
  const out: PageRecord[] = [];
  let covered = 0;
  for (const p of all) {
    const end = p.pageStart + p.pageLength;
    if (end <= covered) continue;
    out.push(p.pageStart >= covered ? p : { ...p, candidates: p.candidates.filter((c) => c.offset >= covered) });
    covered = end;
  }
  return out;
}
