import type { ByteRun, CarveStatus, Metadata } from '../carver.js';
import type { FileFilter, FilterReason } from '../output/filter.js';
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
  /** complete: every byte validated; truncated: a valid beginning; damaged: structure present but inconsistent. */
  status: CarveStatus;
  /** Bytes written. */
  size: number;
  /** Image offset of the file's first byte. */
  imgOffset: number;
  /** Where each piece of the file lies in the image, in file order. */
  byteRuns: ByteRun[];
  /** SHA-256 of the written bytes (hex). */
  sha256: string;
  /** MD5 of the written bytes (hex). */
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
  /** The carver that validated the file. */
  carver: { name: string; version: string };
  /** Independent check of the written bytes by magic numbers (file-type). */
  typeCheck: { detected: { ext: string; mime: string } | null; matches: boolean };
  /** The FAT/exFAT directory entry the file matches (original name, times); absent when none does. Names come from the image: untrusted. */
  fs?: FileFsFacts;
  /** Where the file's bytes lie in the file system found: allocated clusters, free space, or both (absent when no file system was found). */
  allocation?: 'allocated' | 'unallocated' | 'mixed';
}

/** A carved file's directory entry (report.json files[].fs). */
export interface FileFsFacts {
  /** Path in the volume, "/"-separated ("DCIM/100CANON/IMG_0001.JPG"); a deleted 8.3 name's lost first letter is `_`. */
  path: string;
  /** The long name when one was found (LFN, exFAT), else the 8.3 name. */
  name: string;
  /** The 8.3 name (exFAT: the name). */
  shortName: string;
  /** The entry is deleted (or lies in a deleted folder). */
  deleted: boolean;
  /** Entry times as stored: FAT has no zone (the device's local time), exFAT may carry one; null when unset. */
  created: string | null;
  /** Last write. */
  modified: string | null;
  /** Last access (FAT: a date only). */
  accessed: string | null;
  /** Image offset of the directory entry. */
  entryOffset: number;
  /** First cluster the entry names. */
  firstCluster: number;
  /** Size the entry states. */
  size: number;
  /** A long name gave `name`. */
  lfn: boolean;
  /** exact: starts at the entry's first cluster with its size; start: starts there, another size; inside: lies within a live file's clusters. */
  match: 'exact' | 'start' | 'inside';
  /** For `inside`: where in the live file the carved file starts. */
  fileOffset?: number;
  /** Index of the volume in summary.fileSystems. */
  volume: number;
  /** Anything uncertain about the match. */
  note?: string;
}

/** A FAT/exFAT volume found on the image (report.json summary.fs and summary.fileSystems). */
export interface FsSummary {
  /** File system type from the boot sector. */
  type: 'FAT12' | 'FAT16' | 'FAT32' | 'exFAT';
  /** none: the volume starts at the image start; mbr or gpt: partition `partitionIndex` of that table. */
  scheme: 'none' | 'mbr' | 'gpt';
  /** Index of the partition in its table (null when the volume starts at the image start). */
  partitionIndex: number | null;
  /** Image offset of the boot sector. */
  partitionOffset: number;
  /** Volume label (boot sector or root directory), if any. */
  label: string | null;
  /** Bytes per cluster. */
  clusterSize: number;
  /** Data clusters of the volume. */
  clusters: number;
  /** Clusters the FAT (or exFAT bitmap) marks as in use. */
  allocatedClusters: number;
  /** Image offset of cluster 2. */
  dataStart: number;
  /** Live and deleted file entries (folders not counted). */
  liveEntries: number;
  /** Deleted file entries found (first letter lost unless a long name restores it). */
  deletedEntries: number;
  /** Carved files matched to an entry: all, to deleted entries, to live ones. */
  matched: number;
  /** Of those, matched to deleted entries. */
  matchedDeleted: number;
  /** Of those, matched to live entries. */
  matchedLive: number;
  /** Deleted file entries (size > 0) no carved file matches: overwritten, or of a type not carved. */
  deletedUnmatched: number;
  /** Bytes of free clusters in the volume. */
  freeBytes: number;
  /** Bounds hit and damage seen while reading the volume. */
  warnings: string[];
}

/**
 * A file the carvers validated but a filter (--min-size, --min-pixels,
 * --since/--until) kept from being written: listed so an examiner can say
 * what was left in the image and why. No path (nothing was written), no hashes
 * (its bytes were not read: they are still at its byte runs).
 */
export interface FilteredRecord {
  /** Carver name. */
  type: string;
  /** Carve status, as for a written file. */
  status: CarveStatus;
  /** Bytes it would have had. */
  size: number;
  /** Image offset of its first byte. */
  imgOffset: number;
  /** Where its bytes lie in the image. */
  byteRuns: ByteRun[];
  /** The rule that skipped it. */
  reason: FilterReason;
  /** The rule and the file's value. */
  detail: string;
  /** What was known when it was skipped (carve facts; EXIF/QuickTime unless skipped by size). */
  metadata: Metadata;
}

/** Something that went wrong (a read error, a carver failure), with the image offset it concerns. */
export interface ReportIssue {
  /** Image offset. */
  offset: number;
  /** What happened, naming offsets. */
  message: string;
}

/** The run in numbers (report.json `summary`). */
export interface ScanSummary {
  /** Distinct files written. */
  filesWritten: number;
  /** Files per type and status. */
  byType: Record<string, { complete: number; truncated: number; damaged: number }>;
  /** Copies found but not written again. */
  duplicates: number;
  /** Bytes of the image (or range) scanned. */
  bytesScanned: number;
  /** Bytes of the files written. */
  bytesWritten: number;
  /** Signature matches tested, candidates a carver rejected, candidates inside other files. */
  hits: number;
  /** Candidates a carver rejected. */
  rejected: number;
  /** Candidates inside other files (thumbnails, frames), not written. */
  suppressed: number;
  /** Kept files cut short where a complete file starts inside them. */
  trimmed: number;
  /** Bytes of uniform blocks passed over. */
  uniformBytesSkipped: number;
  /** Files whose magic numbers disagree with their carver. */
  typeMismatches: number;
  /** Entries in `issues`. */
  issues: number;
  /** Wall time of the run (a resumed run: of its last part). */
  elapsedSeconds: number;
  /** bytesScanned per wall second. */
  bytesPerSecond: number;
  /** Peak resident memory of the whole process (workers are threads in it), bytes. */
  peakRssBytes: number;
  /** Summed worker milliseconds per phase (they overlap in wall time). */
  phasesMs: { read: number; search: number; carve: number; write: number; describe: number };
  /** Fragment reassembly: the cluster grid used, files tried and rebuilt, validations run, wall ms it added. */
  reassembly: { blockSize: number; blockBase: number; blockSizeGiven: boolean; attempted: number; rebuilt: number; trimmed: number; trials: number; ms: number };
  /** Files not written because of a filter, by rule; `undated`: kept files without a date taken while --since/--until was set. */
  filtered: { bySize: number; byPixels: number; byDate: number; undated: number };
  /** The report phase that made report.html and its thumbnails (absent when no gallery was made). */
  gallery?: GallerySummary;
  /** The first FAT/exFAT volume found (null: none); fileSystems lists every one. */
  fs?: FsSummary | null;
  /** Every FAT/exFAT volume found on the image. */
  fileSystems?: FsSummary[];
}

/** Thumbnails of report.html: how each was made, and the wall time of the phase. */
export interface GallerySummary {
  /** Files shown. */
  files: number;
  /** Thumbnails from an embedded preview (EXIF IFD1 JPEG, HEIC 'thmb' item). */
  embedded: number;
  /** Thumbnails decoded from the picture itself and scaled. */
  decoded: number;
  /** Video poster frames (ffmpeg, when installed). */
  posterFrames: number;
  /** Placeholders: videos without a poster frame, pictures that could not be decoded in time. */
  placeholders: number;
  /** Thumbnails that failed (shown as placeholders, with the reason in report.html). */
  failed: number;
  /** Wall milliseconds of the phase. */
  ms: number;
}

/** Case metadata and acquisition facts an EnCase (E01) image stores about itself. */
export interface EwfReport {
  /** The segment files read, in order. */
  segments: string[];
  /** Case metadata from the header2/header sections; null when the image has none. */
  case: {
    caseNumber?: string;
    evidenceNumber?: string;
    examiner?: string;
    description?: string;
    notes?: string;
    /** When the media was acquired (ISO 8601; no zone when the image stores local time). */
    acquiryDate?: string;
    /** The acquiring machine's clock then, and its operating system and software. */
    systemDate?: string;
    acquiryOperatingSystem?: string;
    acquirySoftwareVersion?: string;
    model?: string;
    serialNumber?: string;
    deviceLabel?: string;
  } | null;
  /** Hashes the acquiring tool stored (hex). */
  storedHashes: { md5?: string; sha1?: string };
  /** Whether this run's image hashes equal the stored ones; null when they were not compared (--range, merged, not hashed). */
  hashesMatch: { md5?: boolean; sha1?: boolean } | null;
  /** Bytes per chunk. */
  chunkSize: number;
  /** Bytes per sector of the acquired media. */
  bytesPerSector: number;
  /** Sectors of the acquired media. */
  sectorCount: number;
  /** Sectors the acquiring tool could not read (stored as zeros). */
  acquiryErrors: { firstSector: number; sectorCount: number }[];
  /** Damage found while opening (a table repaired from its copy, unreadable metadata). */
  warnings: string[];
}

/** One shard's part of a merged run. */
export interface ShardReport {
  /** The shard's output folder as given to `rawcarve merge`. */
  outDir: string;
  /** The part of the image the shard scanned. */
  range: { start: number; length: number };
  /** Hashes of the shard's range, computed by the shard while it scanned. */
  md5: string | null;
  /** SHA-256 of the shard's range. */
  sha256: string | null;
  /** SHA-1 of the shard's range, when computed. */
  sha1?: string | null;
  /** When the shard's scan started and finished, and on which host. */
  startedAt: string;
  /** When the shard's scan finished. */
  finishedAt: string;
  /** Host name of the machine that ran the shard. */
  host: string;
}

/** The evidence: where it is, what it is, and its hashes. */
export interface ReportSource {
  /** The image path as given (resolved). */
  path: string;
  /** Image size in bytes. */
  size: number;
  /** raw, blockdevice, split-raw or ewf. */
  kind: string;
  /** Hashes of the whole image, computed while it was scanned (one read); null when not computed, see hashNote. */
  md5: string | null;
  /** SHA-256 of the whole image. */
  sha256: string | null;
  /** With --sha1, or when an E01 stores a SHA-1 to compare with. */
  sha1?: string | null;
  /** Why hashes are missing, or what they cover (unreadable regions are hashed as zeros). */
  hashNote?: string;
  /** --range / --shard: the part scanned, and its hashes. */
  range?: { start: number; length: number; md5: string | null; sha256: string | null; sha1?: string | null };
  /** E01 images: case metadata and stored hashes. */
  ewf?: EwfReport;
  /** Merged runs: the shards, in image order. */
  shards?: ShardReport[];
  /** Merged runs: whether the shards together cover every byte of the image once. */
  coverage?: { complete: boolean; gaps: { start: number; length: number }[]; overlaps: { start: number; length: number }[] };
}

/** report.json options.limits: what bounded the run's work, so an examiner can tell a bound from a finding. */
export interface ReportLimits {
  /** The largest file carved, in bytes by carver (--max-file-size, else the carver's own). */
  maxFileSize: Record<string, number>;
  /** Fixed bounds on the work per candidate, by carver (Carver.limits; carvers that declare none are absent). Absent in reports of earlier versions. */
  carvers?: Record<string, Record<string, number>>;
  /** The reassembly search's bounds. Absent in reports of earlier versions. */
  reassembly?: ReassemblyLimits;
}

/**
 * The bounds of the reassembly pass: per incomplete file (a second try,
 * after another file was rebuilt, gets a third of the trials and bytes),
 * and for the whole pass.
 */
export interface ReassemblyLimits {
  /** Trial assemblies validated per file. */
  maxTrials: number;
  /** Bytes validated past the break per file, over all its trials. */
  maxBytes: number;
  /** Wall-clock guard per file (ms). */
  maxMs: number;
  /** Most fragments one file is rebuilt from. */
  maxFragments: number;
  /** Wall-clock budget of the whole pass (ms, --reassembly-time): files not reached keep their first fragment. */
  maxPassMs: number;
}

/** Everything report.json holds (and report.xml renders). Field names are a contract: extend, never rename. */
export interface ScanReport {
  /** The tool and the command line that started the run. */
  tool: { name: string; version: string; commandLine: string[] };
  /** The evidence and its hashes. */
  source: ReportSource;
  /** How the scan ran. */
  options: {
    types: string[]; align: number; jobs: number; pageSize: number; margin: number; plugins: string[];
    /** The part of the image scanned, null for the whole image. */
    range: { start: number; length: number } | null;
    /** Image hash algorithms computed during the scan. */
    imageHashes: string[];
    /** --report-only: files were found, validated and hashed, but none was written (files[].path is the name it would have). */
    reportOnly: boolean;
    /** Filters before writing (--min-size, --min-pixels, --since/--until); null when none. */
    filter: FileFilter | null;
    /** --free-space-only: only unallocated clusters (and space outside the volumes) were searched. */
    freeSpaceOnly?: boolean;
    /** Limits in force: the largest file carved, and the fixed bounds on work per candidate. */
    limits?: ReportLimits;
  };
  /** When the run started (a resumed run: its first start), UTC ISO 8601. */
  startedAt: string;
  /** When the reports were written. */
  finishedAt: string;
  /** Times this run was interrupted and continued with --resume (empty for an uninterrupted run). */
  resumes: { at: string; commandLine: string[]; fromOffset: number }[];
  /** The machine and account that ran it. */
  host: { hostname: string; platform: string; release: string; arch: string; node: string; user: string };
  /** Every written file. */
  files: FileRecord[];
  /** Live Photo stills and videos recovered together, paired by Apple content identifier. */
  livePhotos: LivePhotoPair[];
  /** Files validated but not written because of a filter, in image order. */
  filtered: FilteredRecord[];
  /** Read errors and carver failures, by image offset. */
  issues: ReportIssue[];
  /** Counts and timings. */
  summary: ScanSummary;
}
