// Plugin API
export * from './carver.js';
export * from './reader/reader.js';
export { SourceReader, BufferReader } from './reader/source-reader.js';
export { loadCarvers, selectCarvers, resolvePluginUrl, assertCarver, carversOf, type CarverModuleExports } from './registry.js';
// Helpers for carvers: checksums, bit-level fields, JPEG-style marker segments
export { crc32, crc32Of } from './util/crc32.js';
export { BitReader, BitReaderError } from './util/bit-reader.js';
export { walkMarkers, type MarkerSegment, type MarkerWalk, type MarkerWalkOptions, type MarkerWalkStop } from './util/markers.js';
// Image sources
export type { ImageSource } from './source/image-source.js';
export { ImageReadError } from './source/image-source.js';
export { RawFileSource } from './source/raw-file.js';
export { SplitRawSource, splitRawParts } from './source/split-raw.js';
export { EwfSource, EwfFormatError, type EwfInfo, type EwfVolume, type EwfCaseInfo, type EwfHashes, type EwfAcquiryError } from './source/ewf/index.js';
export { openImageSource } from './source/open.js';
// Scanning
export { SignatureIndex } from './scan/signature-index.js';
export { findCandidates, uniformValue, type Hit } from './scan/find-candidates.js';
export { carvePage, checkCarveResult, type Candidate, type ScanIssue } from './scan/carve-page.js';
export { OverlapResolver, type Kept } from './resolve/overlaps.js';
export { scanImage, ScanInterrupted, DEFAULT_PAGE_SIZE, DEFAULT_MARGIN, type ScanOptions, type ScanEvents, type ScanProgress, type ScanResult } from './pool/scan-image.js';
export { RunTotals } from './pool/totals.js';
// Shards, resume, image hashes
export { mergeShards, type MergeOptions } from './pool/merge.js';
export { completeRun } from './pool/complete-run.js';
export { parseByteCount, parseRange, parseShard, shardRange, PageGrid, type ByteRange } from './pool/range.js';
export { parseMaxFileSizes } from './pool/limits.js';
export { OutputWriteError } from './pool/write-file.js';
export { ImageHasher, HASH_ALGORITHMS, type HashAlgorithm, type Digests } from './pool/image-hash.js';
export { readCheckpoint, CHECKPOINT_FILE, PAGE_JOURNAL, FILE_JOURNAL, type Checkpoint, type RunSettings } from './pool/checkpoint.js';
// Audit log
export { AuditLog, AUDIT_FILE, formatAuditLine } from './audit/audit-log.js';
// Output and reports
export { prepareOutDir, outputName } from './output/out-dir.js';
export { UsageError } from './errors.js';
export { Deduplicator } from './output/dedup.js';
export {
  dateTaken, filterActive, filtersByDate, metadataVerdict, parseDateBound, parsePixels, sizeVerdict, UNDATED_NOTE,
  type FileFilter, type FilterReason, type FilterVerdict,
} from './output/filter.js';
export type { FileRecord, FilteredRecord, ScanReport, ScanSummary, GallerySummary, ReportIssue, ReportSource, EwfReport, ShardReport, ReportLimits, ReassemblyLimits } from './report/types.js';
export { buildReport, summarize, writeReports, type ReportContext } from './report/build.js';
export { renderDfxml, RAWCARVE_NS } from './report/dfxml.js';
export { pairLivePhotos, type LivePhotoPair } from './report/live-photos.js';
// ISO BMFF / QuickTime box walker (shared by HEIC and MOV/MP4 carvers)
export * from './bmff/index.js';
export { reassembleAll, inferBlockGrid, ClaimMap, FragmentReader, gapCarve, DEFAULT_BUDGET, type BlockGrid, type Piece, type GapCarveBudget, type GapCarveEnv, type GapCarveOutcome, type ReassemblyStats } from './reassemble/index.js';
// File systems: FAT12/16/32 and exFAT volumes (MBR/GPT), directory trees with deleted entries, allocation
/**
 * File systems of the image (FAT12/16/32 and exFAT, behind MBR or GPT): directory trees with
 * deleted entries, which clusters are allocated, and matching carved files to entries.
 */
export * as filesystem from './fs/index.js';
export type { FileFsFacts, FsSummary } from './report/types.js';
