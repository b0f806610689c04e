import { closeSync, existsSync, fdatasyncSync, fsyncSync, ftruncateSync, openSync, readFileSync, renameSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import type { FileFilter } from '../output/filter.js';
import type { FileRecord, FilteredRecord } from '../report/types.js';
import type { Candidate, ScanIssue } from '../scan/carve-page.js';
import type { Digests, HashAlgorithm, PrefixDigests } from './image-hash.js';
import type { ByteRange } from './range.js';
import type { ReassemblyTotals } from './totals.js';

/** The commit point of a run: small, replaced atomically. */
export const CHECKPOINT_FILE = '.rawcarve-checkpoint.json';
/** One line per scanned page, in image order: what the page's carving found. */
export const PAGE_JOURNAL = '.rawcarve-pages.jsonl';
/** One line per written file (before deduplication), in the order writes finished. */
export const FILE_JOURNAL = '.rawcarve-files.jsonl';
export const CHECKPOINT_FORMAT = 'rawcarve-checkpoint/1';

/** Everything that shapes a run's files: a resumed run and merged shards must agree on all of it. */
export interface RunSettings {
  /** Module URLs the carvers were loaded from. */
  carverModules: string[];
  /** Carver names, in order, and their versions. */
  types: string[];
  /** Version of each carver, by name. */
  carverVersions: Record<string, string>;
  /** Signature alignment in bytes. */
  align: number;
  /** Scanner page size in bytes. */
  pageSize: number;
  /** Bytes read past each page. */
  margin: number;
  /** The part of the image scanned (the whole image when no --range). */
  range: ByteRange;
  /** Rebuild fragmented files (in shard runs this waits for `rawcarve merge`). */
  reassemble: boolean;
  /** --block-size, or null to infer it. */
  blockSize: number | null;
  /** --reassembly-time in ms, or null for the default. */
  reassemblyMs: number | null;
  /** --verify decode. */
  verifyDecode: boolean;
  /** Image hashes computed during the scan (empty with --no-image-hash). */
  hashAlgorithms: HashAlgorithm[];
  /** --report-only: nothing written under files/ (absent in checkpoints of earlier versions: false). */
  reportOnly?: boolean;
  /** Filters before writing (absent or null: none). */
  filter?: FileFilter | null;
  /** --free-space-only: only free clusters searched (absent in earlier checkpoints: false). */
  freeSpaceOnly?: boolean;
  /** Largest file carved, bytes by carver name (absent in earlier checkpoints: each carver's own). */
  maxFileSizes?: Record<string, number>;
}

/** Which evidence a run read. */
export interface SourceIdentity {
  path: string;
  size: number;
  kind: string;
}

export interface RunLog {
  /** The tool that started the run: a resume by another version is refused (its decisions could differ). */
  tool?: { name: string; version: string };
  startedAt: string;
  commandLine: string[];
  /** --plugin values as typed. */
  plugins?: string[];
  /** Each time an interrupted run was continued: when, how, and from which image offset. */
  resumes: { at: string; commandLine: string[]; fromOffset: number }[];
}

/** A page's result as the journal keeps it (the scan task's result without its bytes). */
export interface PageRecord {
  pageStart: number;
  pageLength: number;
  hits: number;
  rejected: number;
  suppressed: number;
  uniformBytes: number;
  candidates: Candidate[];
  issues: ScanIssue[];
  readMs: number;
  searchMs: number;
  carveMs: number;
  /** Bytes searched for signatures when less than the page (--free-space-only). */
  searchedBytes?: number;
}

/** A finished write as the journal keeps it. */
export interface FileLine {
  record: FileRecord;
  issues: ScanIssue[];
  hashMs: number;
  describeMs: number;
}

/** A file a filter kept from being written, as the file journal keeps it (a resumed run does not decide it again). */
export interface FilteredLine {
  filtered: FilteredRecord;
  issues: ScanIssue[];
  describeMs: number;
}

/** A line of the file journal. */
export type JournalLine = FileLine | FilteredLine;

/** Whether a journal line is a written file. */
export function isFileLine(line: JournalLine): line is FileLine {
  return 'record' in line;
}

/** The reassembly pass's outcome, kept so a run interrupted after it does not run it again (it has time budgets). */
export interface ReassemblyOutcome {
  /** The held (incomplete) files after reassembly, in the order they were held. */
  candidates: Candidate[];
  totals: ReassemblyTotals;
}

/** The commit point of a run (OUTDIR/.rawcarve-checkpoint.json): what --resume continues from and merge reads. */
export interface Checkpoint {
  /** Version of this layout. */
  format: typeof CHECKPOINT_FORMAT;
  /** The evidence the run read. */
  identity: SourceIdentity;
  /** Everything that shapes the run's files. */
  settings: RunSettings;
  /** When and how the run was started and resumed. */
  run: RunLog;
  /** scan: pages are being read; reassembled: every page read, reassembly done; done: reports written. */
  phase: 'scan' | 'reassembled' | 'done';
  /** Pages of the range scanned and folded: a contiguous prefix. */
  pagesDone: number;
  /** Committed lengths of the journals: anything after is from after the commit and is discarded. */
  pageJournalBytes: number;
  /** Committed length of the file journal. */
  fileJournalBytes: number;
  /** Digests of a prefix of the range, to check a resumed run re-reads the same bytes. */
  prefixHashes: PrefixDigests | null;
  /** Digests of the whole range, once every page was read. */
  rangeHashes: Digests | null;
  /** The reassembly pass's outcome, once it ran. */
  reassembly: ReassemblyOutcome | null;
}

/** Writes the checkpoint atomically: a temporary file, flushed, renamed over the old one. */
export function writeCheckpoint(outDir: string, cp: Checkpoint): void {
  const path = join(outDir, CHECKPOINT_FILE);
  const tmp = `${path}.tmp`;
  const fd = openSync(tmp, 'w');
  try {
    const bytes = Buffer.from(JSON.stringify(cp) + '\n');
    for (let w = 0; w < bytes.length; ) w += writeSync(fd, bytes, w, bytes.length - w);
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  renameSync(tmp, path);
  syncDir(outDir);
}

/** The checkpoint in OUTDIR, or null when there is none. Throws when it is not one of ours. */
export function readCheckpoint(outDir: string): Checkpoint | null {
  const path = join(outDir, CHECKPOINT_FILE);
  if (!existsSync(path)) return null;
  const cp = JSON.parse(readFileSync(path, 'utf8')) as Partial<Checkpoint>;
  if (cp.format !== CHECKPOINT_FORMAT || !cp.settings || !cp.identity || !Number.isSafeInteger(cp.pagesDone)) {
    throw new Error(`${path} is not a rawcarve checkpoint of this version (${CHECKPOINT_FORMAT})`);
  }
  return cp as Checkpoint;
}

/**
 * An append-only JSON-lines file. Lines after the last checkpoint are cut
 * when a run resumes, so a line torn by a crash is never read.
 */
export class Journal {
  private fd: number;
  private size: number;

  /** Opens `path` for appending, first cutting it to `keep` bytes (0: a new journal). */
  constructor(readonly path: string, keep: number) {
    this.fd = openSync(path, existsSync(path) ? 'r+' : 'w');
    ftruncateSync(this.fd, keep);
    this.size = keep;
  }

  get bytes(): number {
    return this.size;
  }

  append(value: unknown): void {
    const line = Buffer.from(JSON.stringify(value) + '\n');
    for (let w = 0; w < line.length; ) w += writeSync(this.fd, line, w, line.length - w, this.size + w);
    this.size += line.length;
  }

  /** Flushes to the device, so a checkpoint never names bytes a power cut could lose. */
  sync(): void {
    fdatasyncSync(this.fd);
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** The first `bytes` bytes of a journal as values (a shard or resumed run's committed lines). */
export function readJournal<T>(path: string, bytes: number): T[] {
  if (bytes === 0) return [];
  if (!existsSync(path) || statSync(path).size < bytes) throw new Error(`journal ${path} is shorter than its checkpoint says (${bytes} bytes)`);
  const text = readFileSync(path).subarray(0, bytes).toString('utf8');
  return text
    .split('\n')
    .filter((l) => l.length > 0)
    .map((l) => JSON.parse(l) as T);
}


function syncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some file systems cannot fsync a folder; the rename is still atomic.
  }
}
