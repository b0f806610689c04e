import type { ByteRun, CarveStatus, Metadata } from '../carver.js';
import type { LivePhotoPair } from './live-photos.js';

/**
 * One recovered file as the reports describe it. These field names are a
 * contract read by other tools: extend, never rename.
 */
export interface FileRecord {
  /** Path relative to OUTDIR, e.g. "files/jpeg/f0000123904.jpg" (named by image offset). */
  path: string;
  /** Carver name (the type folder). */
  type: string;
  status: CarveStatus;
  size: number;
  /** Image offset of the file's first byte. */
  imgOffset: number;
  byteRuns: ByteRun[];
  sha256: string;
  md5: string;
  /** xxHash64, the deduplication key. */
  xxh64: string;
  /** Image offsets of other copies with identical bytes (not written again). */
  duplicates: number[];
  /** EXIF and format facts (JSON-safe). */
  metadata: Metadata;
  /** How the file was rebuilt: "contiguous" or "<k> fragments". */
  layout: string;
  /** Between consecutive fragments: bytes from one's end to the next one's start (negative: the next lies before). */
  gaps: number[];
  /** Fraction of the payload that validated (1 for complete files). */
  validFraction: number;
  /** Why a file is truncated or damaged, what was trimmed: each note names image offsets. */
  notes: string[];
  carver: { name: string; version: string };
  /** Independent check of the written bytes by magic numbers (file-type). */
  typeCheck: { detected: { ext: string; mime: string } | null; matches: boolean };
}

export interface ReportIssue {
  offset: number;
  message: string;
}

export interface ScanSummary {
  filesWritten: number;
  byType: Record<string, { complete: number; truncated: number; damaged: number }>;
  /** Copies found but not written again. */
  duplicates: number;
  bytesScanned: number;
  bytesWritten: number;
  /** Signature matches tested, candidates a carver rejected, candidates inside other files. */
  hits: number;
  rejected: number;
  suppressed: number;
  trimmed: number;
  uniformBytesSkipped: number;
  typeMismatches: number;
  issues: number;
  elapsedSeconds: number;
  bytesPerSecond: number;
  /** Peak resident memory of the whole process (workers are threads in it), bytes. */
  peakRssBytes: number;
  /** Summed worker milliseconds per phase (they overlap in wall time). */
  phasesMs: { read: number; search: number; carve: number; write: number; describe: number };
  /** Fragment reassembly: the cluster grid used, files tried and rebuilt, validations run, wall ms it added. */
  reassembly: { blockSize: number; blockBase: number; blockSizeGiven: boolean; attempted: number; rebuilt: number; trimmed: number; trials: number; ms: number };
}

export interface ScanReport {
  tool: { name: string; version: string; commandLine: string[] };
  source: { path: string; size: number; kind: string };
  options: { types: string[]; align: number; jobs: number; pageSize: number; margin: number; plugins: string[] };
  startedAt: string;
  finishedAt: string;
  host: { hostname: string; platform: string; release: string; arch: string; node: string; user: string };
  files: FileRecord[];
  /** Live Photo stills and videos recovered together, paired by Apple content identifier. */
  livePhotos: LivePhotoPair[];
  issues: ReportIssue[];
  summary: ScanSummary;
}
