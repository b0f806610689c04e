import { existsSync, readdirSync, rmSync, statSync } from 'node:fs';
import { join } from 'node:path';
import type { Deduplicator } from '../output/dedup.js';
import type { FileRecord } from '../report/types.js';
import type { Candidate } from '../scan/carve-page.js';
import { FILE_JOURNAL, PAGE_JOURNAL, readJournal, type Checkpoint, type JournalLine, type PageRecord } from './checkpoint.js';
import type { FileWriter } from './file-writer.js';
import type { RunState } from './run-state.js';

export interface Restored {
  /** Candidates the replayed pages released, in release order (the writer skips those already written). */
  released: Candidate[];
  /** Files the committed records keep that are missing on disk (removed after the commit as duplicates): written again at the end if still kept. */
  missing: FileRecord[];
  filesDone: number;
}

/**
 * Rebuilds an interrupted run from what its last checkpoint committed: the
 * page journal replayed through the state (the same decisions, in the same
 * order), the file journal through the writer (those files are not written
 * again). Then files/ is made to agree with the records: partial files and
 * files written after the commit are removed (they are written again).
 */
export function restoreRun(outDir: string, cp: Checkpoint, state: RunState, writer: FileWriter, dedup: Deduplicator): Restored {
  const pages = readJournal<PageRecord>(join(outDir, PAGE_JOURNAL), cp.pageJournalBytes);
  if (pages.length !== cp.pagesDone) throw new Error(`the page journal holds ${pages.length} pages, the checkpoint says ${cp.pagesDone}`);
  const released: Candidate[] = [];
  for (const p of pages) for (const k of state.fold(p)) released.push(k.candidate);
  const lines = readJournal<JournalLine>(join(outDir, FILE_JOURNAL), cp.fileJournalBytes);
  for (const line of lines) writer.restore(line);
  // --report-only: no record has a file, and none is written again.
  const missing = cp.settings.reportOnly ? [] : reconcileOutputs(outDir, cp.settings.types, dedup.files());
  return { released, missing, filesDone: lines.length };
}

/**
 * Removes from files/<type>/ everything no committed record keeps (partial
 * files, files written after the last commit, duplicates not yet removed)
 * and returns the kept records whose file is missing or has the wrong size.
 */
export function reconcileOutputs(outDir: string, types: readonly string[], owners: readonly FileRecord[]): FileRecord[] {
  const keep = new Map(owners.map((r) => [r.path, r]));
  for (const type of types) {
    const dir = join(outDir, 'files', type);
    if (!existsSync(dir)) continue;
    for (const name of readdirSync(dir)) {
      const rel = `files/${type}/${name}`;
      if (!keep.has(rel)) rmSync(join(dir, name), { force: true, recursive: true });
    }
  }
  return owners.filter((r) => {
    const path = join(outDir, r.path);
    return !existsSync(path) || statSync(path).size !== r.size;
  });
}
