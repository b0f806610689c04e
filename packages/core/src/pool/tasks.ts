import type { ByteRun, CarveResult, Metadata } from '../carver.js';
import type { FileFilter, FilterVerdict } from '../output/filter.js';
import type { Candidate, ScanIssue } from '../scan/carve-page.js';
import type { FaultPlan } from '../source/fault-source.js';
import type { Unreadable } from './read-salvaging.js';

/** What every worker needs to know about the run; sent with each task (small) and cached per worker. */
export interface WorkerConfig {
  /** Identifies the run, so a worker reuses its open image and loaded carvers. */
  readonly runId: string;
  readonly imagePath: string;
  /** Module URLs exporting carvers (built-ins and --plugin). */
  readonly carverModules: readonly string[];
  /** Names of the carvers to run, in order. */
  readonly carverNames: readonly string[];
  /** Per-carver maximum file size, same order. */
  readonly maxFileSizes: readonly number[];
  readonly align: number;
  /** Bytes read past each page so signatures (and small files) straddling the page end are seen. */
  readonly margin: number;
  /** `--verify decode`: carvers decode what they can in describe(). */
  readonly verifyDecode: boolean;
  /** --report-only: files are read and hashed, not written. */
  readonly reportOnly: boolean;
  /** Filters before writing; null for none. */
  readonly filter: FileFilter | null;
  /** TESTS ONLY: read faults injected into the worker's image source (ScanOptions.faults). */
  readonly faults?: FaultPlan;
}

export interface ScanTask {
  readonly config: WorkerConfig;
  readonly pageStart: number;
  readonly pageLength: number;
  /** For the image hashes: a shared buffer (at least pageLength bytes) to copy the page into. */
  readonly hashInto?: Uint8Array;
  /** --free-space-only: search only these image ranges of the page, flat [from, to, from, to, ...] (absent: the whole page). */
  readonly search?: readonly number[];
}

export interface ScanTaskResult {
  readonly pageStart: number;
  readonly pageLength: number;
  readonly hits: number;
  readonly rejected: number;
  readonly suppressed: number;
  readonly uniformBytes: number;
  readonly candidates: Candidate[];
  readonly issues: ScanIssue[];
  readonly readMs: number;
  readonly searchMs: number;
  readonly carveMs: number;
  /** Bytes searched when the task named ranges (--free-space-only); absent: the whole page. */
  readonly searchedBytes?: number;
  /** The page's bytes as read (unreadable parts zero), in the task's hashInto buffer. */
  readonly pageBytes?: Uint8Array;
}

export interface WriteTask {
  readonly config: WorkerConfig;
  readonly carver: string;
  readonly result: CarveResult;
  /** Final path; the worker writes `<path>.partial` and renames when every byte is written. */
  readonly path: string;
}

export interface WriteTaskResult {
  readonly size: number;
  readonly sha256: string;
  readonly md5: string;
  /** xxHash64 (hex): the deduplication key. */
  readonly xxh64: string;
  /** What file-type (magic numbers) says the written bytes are; null when it does not know. */
  readonly detected: { ext: string; mime: string } | null;
  readonly metadata: Metadata;
  readonly issues: ScanIssue[];
  /** Image bytes of the file that could not be read (written as zeros): the file is damaged. */
  readonly unreadable?: Unreadable[];
  readonly hashMs: number;
  readonly describeMs: number;
}

/** A write task whose file a filter skipped: nothing written or hashed. */
export interface FilteredTaskResult {
  readonly filtered: FilterVerdict;
  /** Bytes the file would have had. */
  readonly size: number;
  /** Carve facts and, unless skipped by size, what describe() read. */
  readonly metadata: Metadata;
  readonly issues: ScanIssue[];
  readonly describeMs: number;
}

export type { ByteRun };
