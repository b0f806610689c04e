/**
 * The carver plugin API.
 *
 * A carver is a plain object: what it is (name, extensions), how to spot a
 * candidate cheaply (signatures), and how to validate one (carve) over a
 * random-access Reader. It returns typed results; it never writes output,
 * keeps no global state and registers nothing itself. The engine decides
 * what is written, deduplicates, hashes and reports.
 */
import type { Reader } from './reader/reader.js';
import { uniformValue } from './scan/find-candidates.js';

/** How much of a carved file is known good. */
export type CarveStatus = 'complete' | 'truncated' | 'damaged';

/** One contiguous piece of a carved file: `length` bytes at image offset `imgOffset` are file bytes from `fileOffset`. */
export interface ByteRun {
  /** Image offset of the run's first byte. */
  imgOffset: number;
  /** Where the run's bytes sit in the carved file. */
  fileOffset: number;
  /** Bytes in the run. */
  length: number;
}

/** JSON-safe metadata values (they go into report.json and DFXML as they are). */
export type MetadataValue = string | number | boolean | null | MetadataValue[] | { [key: string]: MetadataValue };
/** A carver's facts about a file (camera, dates, dimensions, codec...), by name. */
export type Metadata = { [key: string]: MetadataValue };

/**
 * Bytes that start a file of this type. `offset` is where they sit relative to
 * the file's first byte (ISO BMFF's "ftyp" sits at 4). The engine indexes
 * signatures by their first byte, so keep `bytes` distinctive (≥ 2 bytes).
 */
export interface Signature {
  /** The bytes, as numbers 0–255. */
  readonly bytes: readonly number[];
  /** Where they sit relative to the file's first byte (default 0). */
  readonly offset?: number;
  /** Optional per-byte mask (same length as bytes): compare (image & mask) === bytes. The first byte is never masked. */
  readonly mask?: readonly number[];
  /** For `rawcarve types` and reports ("SOI", "ftyp heic"). */
  readonly description?: string;
}

/** Limits and settings the engine passes to every carve call. */
export interface CarveContext {
  /** Largest file this carver may claim (bytes): the engine's limit for its type. */
  readonly maxFileSize: number;
  /** Alignment the scan ran with, in bytes (512 by default, 1 for byte-level search). */
  readonly align: number;
  /**
   * Set during fragment reassembly, which validates many assemblies of one
   * file that share a beginning: the bytes before `stableUntil` (file offsets)
   * are the same as in every earlier trial of this memo. A carver may keep
   * decoder checkpoints in `state` and resume from one before `stableUntil`
   * instead of validating the shared beginning again.
   */
  readonly resume?: ResumeMemo;
}

/** A carver's memo across reassembly trials of one file (see CarveContext.resume). */
export interface ResumeMemo {
  /** File offsets below this hold the same bytes as in every earlier trial with this memo. */
  readonly stableUntil: number;
  /** Carver-private; starts undefined. */
  state: unknown;
}

/** What a carver found at a candidate offset. */
export interface CarveResult {
  /** complete: every check passed to the file's end; truncated: valid data that ends early; damaged: checks failed inside. */
  readonly status: CarveStatus;
  /** The file's bytes in file order. A contiguous file has one run starting at the candidate offset. */
  readonly byteRuns: readonly ByteRun[];
  /** Extension for the output name when it is not the carver's first (e.g. "mp4" from the MOV carver). */
  readonly extension?: string;
  /** Fraction (0..1) of the file's payload that validated (e.g. MCUs decoded); 1 for complete files. */
  readonly validFraction?: number;
  /**
   * For incomplete files: how many bytes from the file's start its checks
   * actually covered (default: all of them). A complete file starting on a
   * sector past this point is a file of its own that overwrote or interleaved
   * this one's unproven tail; one starting before it is embedded data.
   */
  readonly verifiedLength?: number;
  /**
   * File offset where the file's bulk data begins (JPEG: the first scan's
   * entropy-coded data). Reassembly looks for the break from here on: header
   * bytes (EXIF padding, tables) need not look like the bulk data.
   */
  readonly dataStart?: number;
  /** Facts an examiner needs: why a file is truncated, which structures were seen. Each names image offsets. */
  readonly notes: readonly string[];
  /** Format facts found during validation (dimensions, progressive, ...). */
  readonly metadata?: Metadata;
}

/** A carver plugin. See packages/core/README.md for a walkthrough. */
export interface Carver {
  /** Short lower-case id: the output folder name (files/<name>/) and the --types value. */
  readonly name: string;
  /** Semver of the carver, in reports (a report says which carver version judged each file). */
  readonly version: string;
  /** One line for `rawcarve types`: formats and what is checked. */
  readonly description: string;
  /** Output extensions, the default first. */
  readonly extensions: readonly string[];
  /** Where files of this type may start; the scanner tests them at every aligned offset. */
  readonly signatures: readonly Signature[];
  /** Default maximum file size in bytes (hostile size fields cannot make the engine read past it). */
  readonly maxFileSize: number;
  /**
   * Optional: fixed bounds on the work carve() does per candidate (boxes
   * walked, segments read, samples decoded...), by name. Read-only facts,
   * not settings: report.json lists them under options.limits.carvers so an
   * examiner sees what bounded the validation of hostile input. Finite
   * numbers ≥ 0; reference the constants the code uses, never copies.
   */
  readonly limits?: Readonly<Record<string, number>>;
  /**
   * Validates the candidate whose signature matched at image offset `offset`.
   * Returns null when it is not a file of this type. Synchronous and bounded:
   * it may read anywhere in the image through `reader`, but must stop within
   * ctx.maxFileSize and never trust a size field without checking it.
   */
  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null;
  /**
   * Optional: metadata of an accepted file (EXIF, dates, GPS), merged into the
   * report. Runs only for results the engine keeps; failures are reported, never fatal.
   */
  describe?(reader: Reader, result: CarveResult, options?: DescribeOptions): Promise<Metadata>;
  /**
   * Optional, for fragment reassembly: could `block` (the first bytes of a
   * cluster) lie inside a file of this type, past its header? A cheap test
   * (JPEG: every FF is followed by 00 or a restart marker) that spares the
   * validator clusters that cannot continue a file. Default: any non-uniform block.
   */
  couldContinue?(block: Uint8Array): boolean;
  /**
   * Set when carve() validates every byte of a file (an entropy decoder
   * does). Reassembly then wants evidence on one side of each seam (the
   * cluster after the first piece, or the one before the continuation, is
   * certainly not the file's); otherwise (only headers, lengths and positions
   * checked) on both sides.
   */
  readonly checksEveryByte?: boolean;
  /**
   * Optional, for fragment reassembly of an incomplete result (validated on
   * `reader`, an assembly starting at offset 0): bytes the file must hold at
   * a file offset past its break, known from its own tables (an HEIC tile's
   * NAL length from iloc, a MOV's moov after its mdat). The engine finds
   * them in the image and so where the next fragment lies.
   */
  expectedAt?(reader: Reader, result: CarveResult): ExpectedBytes | null;
  /**
   * Optional, for fragment reassembly: does the content continue across
   * these seams (file offsets where a new fragment starts) of an assembly
   * that validated as complete? JPEG: the picture's brightness does not jump
   * (Pal & Memon), which a decoder alone cannot see when two photos share
   * Huffman tables.
   */
  seamsPlausible?(reader: Reader, seams: readonly number[]): boolean;
  /**
   * Optional, for fragment reassembly of an incomplete result: file offset
   * ranges where the content stops looking like one file although it still
   * validates (JPEG: a brightness jump across a block row, where another
   * photo's data sharing the Huffman tables begins). The file's break is
   * looked for there first, its first fragment claims nothing past it, and
   * other files' continuations are looked for there.
   */
  suspectBreaks?(reader: Reader, result: CarveResult): readonly SuspectRange[];
  /**
   * Optional, for fragment reassembly: decodes the content around each seam
   * (file offsets where a new fragment starts) of an assembly that validated
   * as complete, and says per seam whether the content proves it (HEIC: the
   * HEVC slice holding the seam parses to exactly its end). A proven seam
   * needs no evidence from the clusters around it, so files whose neighbours
   * look like their own data (random, or a photo of the same kind) can be
   * rebuilt; a broken one vetoes the assembly. One verdict per seam, in order.
   */
  proveSeams?(reader: Reader, seams: readonly number[]): readonly SeamProof[];
}

/** What a carver's content check says of one seam (Carver.proveSeams). */
export interface SeamProof {
  /** proven: the content across the seam parses as one; broken: it does not; unknown: cannot judge (not checkable there). */
  readonly verdict: 'proven' | 'broken' | 'unknown';
  /**
   * For broken: the file offset where the content stopped parsing. Foreign
   * data starts at or before it, which lets the search skip seams after it.
   */
  readonly failedAt?: number;
}

/** File offsets [from, to) where a fragment boundary probably lies. */
export interface SuspectRange {
  /** First file offset of the range. */
  readonly from: number;
  /** File offset just past the range. */
  readonly to: number;
}

/** Bytes a file must hold at a known file offset past its break: where they are in the image, the next fragment is. */
export interface ExpectedBytes {
  /** File offset of `bytes`. */
  readonly fileOffset: number;
  /** The bytes themselves (at least 4 to be searched for), or empty when only `matches` can tell. */
  readonly bytes: Uint8Array;
  /**
   * Optional: does the image hold, at `imgOffset`, what the file holds at
   * `fileOffset`? For structure no fixed bytes show (a movie's next video
   * sample: NAL units whose lengths add up to the sample size from stsz).
   * Tried at every position of the right cluster phase near the break, so
   * it must reject quickly.
   */
  matches?(reader: Reader, imgOffset: number): boolean;
}

/** What the user asked describe() to do beyond reading metadata. */
export interface DescribeOptions {
  /**
   * `--verify decode`: fully decode the primary image where the carver can
   * (HEIC: heic-decode) and report that it decoded and its size.
   */
  readonly verifyDecode: boolean;
}

/** Total length of a result's runs. */
export function resultLength(result: Pick<CarveResult, 'byteRuns'>): number {
  let n = 0;
  for (const r of result.byteRuns) n += r.length;
  return n;
}

/** A well-formed single-run result for a contiguous file. */
export function contiguous(offset: number, length: number): ByteRun[] {
  return [{ imgOffset: offset, fileOffset: 0, length }];
}

/** Bytes from a result's start that its checks covered: verifiedLength, never past the result's end. */
export function checkedLength(result: Pick<CarveResult, 'byteRuns' | 'verifiedLength'>): number {
  const length = resultLength(result);
  return Math.min(result.verifiedLength ?? length, length);
}

/** File systems place files on sector boundaries (at least). */
export const SECTOR = 512;

/**
 * The sector boundary at or before image offset `at`, for a file starting at
 * `offset` on a sector (a file system cuts and overwrites whole sectors, so
 * foreign data after a break starts on one); `at` itself for a file that does
 * not start on a sector (inside another file).
 */
export function sectorFloor(offset: number, at: number): number {
  return offset % SECTOR === 0 ? at - (at % SECTOR) : at;
}

const SEEN = new Uint8Array(256);

/** How many different byte values `block` holds (compressed data uses most of them; text, tables and padding few). */
export function distinctBytes(block: Uint8Array): number {
  const seen = SEEN.fill(0);
  let distinct = 0;
  for (let i = 0; i < block.length; i++) if (seen[block[i]!]++ === 0) distinct++;
  return distinct;
}

/**
 * The first sector (SECTOR bytes, aligned on `base`, the file's first byte)
 * inside [from, to) whose bytes are all one value, or -1. Compressed picture
 * and video data never holds a whole sector of zeros or 0xFF; a zeroed or
 * erased cluster there is a gap or an overwrite, which structure checks that
 * skip over coded data (or a progressive scan's long EOB runs) let through.
 */
export function firstUniformSector(reader: Reader, from: number, to: number, base: number): number {
  return firstSectorWhere(reader, from, to, base, (b, i) => uniformValue(b, null, i, i + SECTOR) >= 0);
}

/**
 * The first sector (SECTOR bytes, aligned on `base`) inside [from, to) for
 * which `test(bytes, index)` holds of the SECTOR bytes at `index`, or -1.
 */
export function firstSectorWhere(reader: Reader, from: number, to: number, base: number, test: (bytes: Uint8Array, index: number) => boolean): number {
  for (let s = base + Math.ceil((from - base) / SECTOR) * SECTOR; s + SECTOR <= to; ) {
    // Views, not copies: reassembly runs this over every trial's new bytes.
    let c = reader.chunk(s, Math.min(to - s, UNIFORM_CHUNK));
    if (c.length < SECTOR) c = reader.bytes(s, SECTOR); // a piece boundary inside the sector
    if (c.length < SECTOR) break;
    const n = c.length - (c.length % SECTOR);
    for (let i = 0; i < n; i += SECTOR) if (test(c, i)) return s + i;
    s += n;
  }
  return -1;
}

/** Printable ASCII (and tab, CR, LF) only in the SECTOR bytes at `index`: text, which no compressed data is. */
export function isTextSector(bytes: Uint8Array, index: number): boolean {
  for (let i = index; i < index + SECTOR; i++) {
    const b = bytes[i]!;
    if (b > 0x7e || (b < 0x20 && b !== 0x09 && b !== 0x0a && b !== 0x0d)) return false;
  }
  return true;
}

/** Bytes firstSectorWhere looks at per read. */
const UNIFORM_CHUNK = 1 << 20;
