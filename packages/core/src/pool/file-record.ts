import type { Carver } from '../carver.js';
import type { FileRecord } from '../report/types.js';
import type { Candidate } from '../scan/carve-page.js';
import type { WriteTaskResult } from './tasks.js';

/** What the bytes of a written file are: from the write task, or reused from a shard that wrote the same bytes. */
export type WrittenBytes = Pick<WriteTaskResult, 'size' | 'sha256' | 'md5' | 'xxh64' | 'detected' | 'metadata'>;

/** The report's record of a written file: the carve decision plus the facts of the written bytes. */
export function fileRecord(c: Candidate, carver: Carver, path: string, ext: string, w: WrittenBytes): FileRecord {
  return {
    path,
    type: carver.name,
    status: c.status,
    size: w.size,
    imgOffset: c.offset,
    byteRuns: c.byteRuns.map((b) => ({ ...b })),
    sha256: w.sha256,
    md5: w.md5,
    xxh64: w.xxh64,
    duplicates: [],
    metadata: { ...(c.metadata ?? {}), ...w.metadata },
    layout: c.byteRuns.length === 1 ? 'contiguous' : `${c.byteRuns.length} fragments`,
    gaps: c.byteRuns.slice(1).map((r, i) => r.imgOffset - (c.byteRuns[i]!.imgOffset + c.byteRuns[i]!.length)),
    validFraction: c.validFraction ?? (c.status === 'complete' ? 1 : 0),
    notes: [...c.notes],
    carver: { name: carver.name, version: carver.version },
    typeCheck: { detected: w.detected, matches: w.detected !== null && [...carver.extensions, ext].includes(w.detected.ext) },
  };
}

/** Same bytes in the same order: a file written for one can stand for the other. */
export function sameBytes(a: Pick<Candidate, 'byteRuns'>, b: Pick<Candidate, 'byteRuns'>): boolean {
  return (
    a.byteRuns.length === b.byteRuns.length &&
    a.byteRuns.every((r, i) => r.imgOffset === b.byteRuns[i]!.imgOffset && r.length === b.byteRuns[i]!.length && r.fileOffset === b.byteRuns[i]!.fileOffset)
  );
}
