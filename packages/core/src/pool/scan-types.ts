import type { Carver } from '../carver.js';
import type { FileFilter } from '../output/filter.js';
import type { FileRecord, FilteredRecord, FsSummary, ReportIssue, ReportSource } from '../report/types.js';
import type { FaultPlan } from '../source/fault-source.js';
import type { RunLog } from './checkpoint.js';
import type { HashAlgorithm } from './image-hash.js';
import type { ByteRange } from './range.js';
import type { RunTotals } from './totals.js';

/** What to scan, where to write, and how: the options of scanImage (the CLI's `rawcarve scan`). */
export interface ScanOptions {
  /** The evidence: raw file, block device, split raw (first part) or E01 (first segment); opened read-only. */
  imagePath: string;
  /** Output folder: files/, reports, audit.log and the checkpoint go here and nowhere else. */
  outDir: string;
  /** Module URLs exporting carvers: built-ins and plugins (see resolvePluginUrl). */
  carverModules: string[];
  /** Carver names to run; all loaded carvers when omitted. */
  types?: string[];
  /** Worker threads (default: the number of cores). */
  jobs?: number;
  /** Test signatures at every `align` bytes (512 by default; 1 = every byte). */
  align?: number;
  /** Bytes per scanner page (default 16 MiB): the unit of work and of checkpoints. */
  pageSize?: number;
  /** Bytes read past each page so files straddling its end are seen (default 1 MiB). */
  margin?: number;
  /** Replace a previous run's output in a non-empty OUTDIR. */
  force?: boolean;
  /** Extra verification of carved files: 'decode' decodes images fully (slower). */
  verify?: readonly 'decode'[];
  /** Rebuild fragmented files after the first pass (default true). */
  reassemble?: boolean;
  /** Cluster size for reassembly (--block-size); inferred from header positions when absent. */
  blockSize?: number;
  /** Wall-clock budget of the reassembly pass in ms (--reassembly-time). */
  reassemblyMs?: number;
  /** Scan only this part of the image (`START:LENGTH` as typed, or bytes): files starting in it are finished past its end. */
  range?: ByteRange | string;
  /** Scan shard `index` of `count` equal runs of whole pages (instead of `range`). */
  shard?: { index: number; count: number };
  /** Hash the image (MD5 and SHA-256) in the scan's own read (default true). */
  imageHash?: boolean;
  /** Also SHA-1 (always when an E01 stores one, to compare with). */
  sha1?: boolean;
  /** Find, validate, hash and report, but write no file under files/ (--report-only). */
  reportOnly?: boolean;
  /** Search only the free clusters of the FAT/exFAT volumes found (and space outside them); files starting there are carved in full. */
  freeSpaceOnly?: boolean;
  /** Do not write files below these bounds (size, pixels, date taken); they are listed in the report's `filtered`. */
  filter?: FileFilter;
  /** Continue the interrupted run in outDir: its checkpoint decides every setting except `jobs`. */
  resume?: boolean;
  /** Time between checkpoints in ms (default 2000; 0 commits after every page). */
  checkpointMs?: number;
  /** Aborting stops the scan at the next page: the checkpoint is committed and scanImage rejects with ScanInterrupted. */
  signal?: AbortSignal;
  /**
   * Largest file to carve, in bytes, by carver name (--max-file-size jpeg=64M): replaces the
   * carver's own maxFileSize. A file cut by it is truncated, with a note naming the limit.
   */
  maxFileSize?: Readonly<Record<string, number>>;
  /**
   * TESTS ONLY, not a CLI option: read faults injected into every image source the
   * workers and the reassembly pass open, to test the I/O-error paths (see FaultySource).
   */
  faults?: FaultPlan;
  /** Who is scanning, for the audit log and the checkpoint. */
  tool?: { name: string; version: string; commandLine: string[]; plugins?: string[] };
}

/** Progress of a scan, for a progress bar. */
export interface ScanProgress {
  /** Bytes of the range scanned so far (a resumed run starts at what was done before). */
  bytesDone: number;
  /** Bytes of the range to scan. */
  bytesTotal: number;
  /** Distinct files written so far. */
  filesWritten: number;
  /** Distinct files so far, by carver. */
  filesByType?: Record<string, number>;
  /** Files a filter kept from being written so far. */
  filesFiltered?: number;
  /** Milliseconds since this run (or resume) started. */
  elapsedMs: number;
}

/** Callbacks of a scan, for progress display (none is needed). */
export interface ScanEvents {
  /** The scan starts: the image size, the carvers and the worker count. */
  onStart?(info: { size: number; carvers: Carver[]; jobs: number }): void;
  /** A page was scanned or a file written. */
  onProgress?(p: ScanProgress): void;
  /** The reassembly pass starts: `files` incomplete files, at most `budgetMs` of wall time. */
  onReassembly?(info: { files: number; budgetMs: number }): void;
  /** A resumed run starts: it re-hashes `rehashBytes` already scanned, then scans from `fromOffset`. */
  onResume?(info: { fromOffset: number; rehashBytes: number; filesDone: number }): void;
  /**
   * The page scan is over (every page read, or stopped): what follows (reassembly, the last
   * writes) is not stopped by the signal; a kill then loses nothing the checkpoint does not hold.
   */
  onScanEnd?(): void;
  /** Pages folded in image order so far, of `total` (the checkpoint's unit of progress). */
  onPageFolded?(done: number, total: number): void;
}

/** What a scan (or a merge) found and wrote: buildReport turns it into the reports. */
export interface ScanResult {
  /** Written files, deduplicated, in image-offset order. */
  files: FileRecord[];
  /** Files a filter kept from being written, in image-offset order. */
  filtered: FilteredRecord[];
  /** The run's filters (null: none). */
  filter: FileFilter | null;
  /** --report-only: nothing was written under files/. */
  reportOnly: boolean;
  /** Read errors and carver failures, by image offset. */
  issues: ReportIssue[];
  /** Counters and timings of the run. */
  totals: RunTotals;
  /** The carvers that ran. */
  carvers: Carver[];
  /** Image size in bytes. */
  size: number;
  /** How the image was opened: raw, blockdevice, split-raw, ewf. */
  sourceKind: string;
  /** Worker threads used. */
  jobs: number;
  /** Signature alignment in bytes. */
  align: number;
  /** Scanner page size in bytes. */
  pageSize: number;
  /** Bytes read past each page. */
  margin: number;
  /** The output folder. */
  outDir: string;
  /** The evidence with its hashes (and E01 case metadata), as the reports give it. */
  source: ReportSource;
  /** The scanned part, null for the whole image. */
  range: ByteRange | null;
  /** Image hash algorithms of the run. */
  hashAlgorithms: HashAlgorithm[];
  /** When the run started (first start for resumed runs), its command line, and any resumes. */
  run: RunLog;
  /** FAT/exFAT volumes found, with what was matched (absent: not analysed). */
  fileSystems?: FsSummary[];
  /** --free-space-only was in force. */
  freeSpaceOnly?: boolean;
  /** Limits in force: the largest file carved, by carver (absent: each carver's own). */
  limits?: RunLimits;
}

/** The limits a run carved under, for report.json's options.limits. */
export interface RunLimits {
  /** Largest file carved, bytes by carver name. */
  maxFileSize: Record<string, number>;
  /** Wall-clock budget of the reassembly pass in ms (--reassembly-time, else the default). */
  reassemblyMs?: number;
}

/** The scan stopped because its signal was aborted (Ctrl-C); `rawcarve scan --resume` continues it. */
export class ScanInterrupted extends Error {
  /** 'ScanInterrupted', for messages and instanceof-free checks. */
  override name = 'ScanInterrupted';
}
