/**
 * The JPEG carver: marker walk + entropy-decode validation of every scan,
 * MPF secondary images and Samsung trailers included, so a camera file comes
 * back whole; EXIF thumbnails never end it and are never files of their own.
 */
import { SECTOR, contiguous, distinctBytes, firstSectorWhere, firstUniformSector, isTextSector, sectorFloor, uniformValue, type Carver, type CarveContext, type CarveResult, type Metadata, type Reader, type SuspectRange } from '@rawcarve/core';
import { describeJpeg } from './exif.js';
import { mpfIndex } from './mpf.js';
import { exifPointers, MAX_PREVIEW_GAP, MAX_PREVIEW_WALKS } from './previews.js';
import { blackberryTrailerEnd, samsungTrailerEnd } from './trailers.js';
import { MAX_SCANS, MAX_SEGMENTS, walkJpeg, type JpegWalk } from './walk.js';
import { MAX_PROGRESSIVE_BLOCKS, MAX_PROGRESSIVE_VISITS } from './entropy.js';
import { pictureBreaks, seamsLookContinuous } from './continuity.js';

export { walkJpeg, type JpegWalk } from './walk.js';
export { decodeScan, type ScanOutcome, type ScanStop } from './entropy.js';
export { BitReader } from './bitreader.js';
export { buildHuffmanTable, type HuffmanTable } from './huffman.js';

export const jpegCarver: Carver = {
  name: 'jpeg',
  version: '1.0.0',
  description: 'JPEG/JFIF/EXIF photos: marker walk and Huffman decode of every scan (baseline, progressive, restart markers), MPF, Samsung trailers',
  extensions: ['jpg', 'jpeg'],
  // SOI followed by the first marker's FF; the walk decides the rest.
  signatures: [{ bytes: [0xff, 0xd8, 0xff], description: 'SOI' }],
  maxFileSize: 256 * 1024 * 1024,
  // Fixed work bounds per candidate, listed in report.json (options.limits.carvers.jpeg).
  limits: { maxSegments: MAX_SEGMENTS, maxScans: MAX_SCANS, maxProgressiveBlocks: MAX_PROGRESSIVE_BLOCKS, maxProgressiveVisits: MAX_PROGRESSIVE_VISITS },
  // The Huffman decode reads every bit of the scans.
  checksEveryByte: true,

  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
    const limit = Math.min(reader.size, offset + ctx.maxFileSize);
    const walk = walkJpeg(reader, offset, limit, ctx.resume);
    if (!walk) return null;
    const metadata = walkMetadata(walk);
    if (walk.status === 'truncated') {
      const s = walk.stop!;
      const notes = [
        `valid JPEG data ends at image offset ${s.offset} (scan ${walk.scans}, ${walk.mcusDecoded} of ${walk.mcusExpected} MCUs): ${s.reason}${s.detail ? ', ' + s.detail : ''}`,
      ];
      // Zeros decode for ever with tables whose shortest codes are all-zero bits, and text for a long
      // while with many tables: a uniform or text sector inside the data is where it stopped being
      // this file's, however long the decoder went on. (Only in a file that broke: a whole one with a
      // uniform sector is damaged, see below.) In reassembly trials the bytes before `stableUntil`
      // are an earlier trial's, checked there.
      const from = Math.max(walk.scanData, offset + (ctx.resume?.stableUntil ?? 0));
      const blank = firstSectorWhere(reader, from, walk.end, offset, (b, i) => uniformValue(b, null, i, i + SECTOR) >= 0 || isTextSector(b, i));
      if (blank >= 0) notes.push(`a sector of one repeated byte or of text at image offset ${blank} inside the scan data: the file's data ends before it`);
      const end = blank >= 0 ? blank : sectorTrim(offset, walk.end, reader.size);
      if (blank < 0 && end < walk.end) notes.push(`kept up to the sector boundary at image offset ${end}: the break lies at or before it`);
      const length = end - offset;
      if (length <= 0) return null;
      return {
        status: 'truncated',
        byteRuns: contiguous(offset, length),
        validFraction: walk.mcusExpected > 0 ? walk.mcusDecoded / walk.mcusExpected : 0,
        dataStart: walk.scanData - offset,
        notes,
        metadata,
      };
    }
    const notes: string[] = [];
    let end = walk.end;
    let status: CarveResult['status'] = 'complete';
    // A zeroed or erased sector inside the scans: a gap the decoder read through (a progressive
    // scan's EOB runs cover many blocks with a few bits, so zeros can decode), not picture data.
    const blank = firstUniformSector(reader, walk.scanData, walk.end, offset);
    if (blank >= 0) {
      notes.push(`a sector of one repeated byte at image offset ${blank} inside the scan data: a gap or an overwrite, not picture data`);
      return { status: 'damaged', byteRuns: contiguous(offset, walk.end - offset), validFraction: 0, dataStart: walk.scanData - offset, verifiedLength: blank - offset, notes, metadata };
    }
    if (walk.mpf) {
      const mpf = mpfImages(reader, walk, limit);
      notes.push(...mpf.notes);
      status = mpf.status;
      end = mpf.end;
      if (mpf.images > 0) metadata['mpfImages'] = mpf.images;
    }
    if (end === walk.end && walk.exif) {
      const preview = makerNotePreview(reader, offset, walk, limit);
      if (preview !== null) {
        notes.push(`maker-note preview image at image offset ${preview.start} (${preview.end - preview.start} bytes) after EOI kept: an EXIF pointer names it`);
        end = preview.end;
      }
    }
    const trailerEnd = samsungTrailerEnd(reader, end, limit);
    if (trailerEnd !== null) {
      notes.push(`Samsung SEFH/SEFT trailer of ${trailerEnd - end} bytes after EOI kept`);
      end = trailerEnd;
    }
    const blackberryEnd = trailerEnd === null ? blackberryTrailerEnd(reader, end, limit, walk.frame.width, walk.frame.height) : null;
    if (blackberryEnd !== null) {
      notes.push(`BlackBerry camera trailer of ${blackberryEnd - end} bytes after EOI kept: its length and the picture size in it match`);
      end = blackberryEnd;
    }
    return { status, byteRuns: contiguous(offset, end - offset), validFraction: status === 'complete' ? 1 : 0, notes, metadata };
  },

  async describe(reader: Reader, result: CarveResult): Promise<Metadata> {
    return describeJpeg(reader, result);
  },

  couldContinue(block: Uint8Array): boolean {
    return looksLikeEntropyData(block);
  },

  seamsPlausible(reader: Reader, seams: readonly number[]): boolean {
    return seamsLookContinuous(reader, seams);
  },

  suspectBreaks(reader: Reader): SuspectRange[] {
    return pictureBreaks(reader);
  },
};

/** Segments found between the scans of a progressive JPEG: DHT, SOS, DQT, DRI. */
const BETWEEN_SCANS = new Set([0xc4, 0xda, 0xdb, 0xdd]);

/**
 * Could `block` lie inside a JPEG's entropy-coded data? There every FF is
 * stuffing (FF 00), a restart marker, fill before a marker, or EOI; and the
 * bytes look random (text, zeros and tables do not).
 */
export function looksLikeEntropyData(block: Uint8Array): boolean {
  for (let i = 0; i + 1 < block.length; i++) {
    if (block[i] !== 0xff) continue;
    const n = block[i + 1]!;
    if (n === 0 || n === 0xff || n === 0xd9 || (n >= 0xd0 && n <= 0xd7)) continue;
    // Between the scans of a progressive file: tables and the next scan's header, with a short length.
    if (BETWEEN_SCANS.has(n) && i + 3 < block.length && ((block[i + 2]! << 8) | block[i + 3]!) <= 1024) continue;
    return false;
  }
  return distinctBytes(block) >= Math.min(48, block.length >> 3);
}

/**
 * Is `block` certainly JPEG entropy-coded data: byte stuffing (FF 00) seen at
 * least twice and no FF followed by anything a scan cannot hold? Random or
 * HEVC data passes this with a probability of well under 1%; other carvers use
 * it to tell a JPEG's clusters from their own.
 */
export function isStuffedEntropy(block: Uint8Array): boolean {
  let stuffed = 0;
  for (let i = 0; i + 1 < block.length; i++) {
    if (block[i] !== 0xff) continue;
    const n = block[i + 1]!;
    if (n === 0) stuffed++;
    else if (n !== 0xff && (n < 0xd0 || n > 0xd7)) return false;
  }
  return stuffed >= 2;
}

/**
 * Where a truncated file stored on a disk should end. A file system cuts and
 * overwrites files in whole sectors, so when a file starts on a sector the
 * foreign data after its break starts on one too; the decoder only notices
 * the break some bytes later (foreign entropy data often decodes for a while).
 * Cutting back to the sector boundary before that point drops the foreign
 * bytes the decoder accepted without ever dropping the file's own. Files not
 * starting on a sector (inside other files) are left as decoded.
 */
function sectorTrim(offset: number, end: number, imageSize: number): number {
  if (end >= imageSize) return end;
  const cut = sectorFloor(offset, end);
  return cut > offset ? cut : end;
}

/** What the MPF index adds: where the file ends, and its status (complete when every listed image is there). */
interface MpfOutcome {
  status: CarveResult['status'];
  end: number;
  notes: string[];
  /** Secondary images the index lists. */
  images: number;
}

/**
 * MPF: the listed images follow the primary one; each must be a valid JPEG
 * where the index says. An index that cannot be read leaves the primary image
 * `damaged`: the segment says the file holds more images, and no one can tell
 * where they are or whether they are there.
 */
function mpfImages(reader: Reader, walk: JpegWalk, limit: number): MpfOutcome {
  const mpf = walk.mpf!;
  const index = mpfIndex(reader.bytes(mpf.offset, mpf.length), mpf.offset);
  if (!index.ok) {
    // The segment starts 8 bytes before its TIFF header (FF E2, length, "MPF\0").
    const note = `the MPF index of the APP2 segment at image offset ${mpf.offset - 8} cannot be read (${index.why}): the images it lists are neither checked nor kept`;
    return { status: 'damaged', end: walk.end, notes: [note], images: 0 };
  }
  let end = walk.end;
  for (const e of index.entries) {
    const inner = e.offset + e.size <= limit ? walkJpeg(reader, e.offset, e.offset + e.size) : null;
    if (!inner || inner.status !== 'complete' || e.offset < walk.end) {
      return { status: 'truncated', end, notes: [`MPF image at image offset ${e.offset} (${e.size} bytes) is missing or invalid`], images: index.entries.length };
    }
    end = Math.max(end, e.offset + e.size);
  }
  return { status: 'complete', end, notes: [], images: index.entries.length };
}

/**
 * A complete JPEG starting shortly after EOI at an offset some EXIF pointer
 * names. Minolta writes its preview with 00 instead of FF as the first byte
 * (a known quirk), and its stated length may run a few padding bytes past the
 * preview's EOI: a second pointer equal to that length decides the end.
 */
function makerNotePreview(reader: Reader, offset: number, walk: JpegWalk, limit: number): { start: number; end: number } | null {
  const tiff = reader.bytes(walk.exif!.offset, walk.exif!.length);
  const pointers = exifPointers(tiff);
  const inGap = [...new Set(pointers.map((p) => (p.base === 'tiff' ? walk.exif!.offset : offset) + p.value))]
    .filter((at) => at >= walk.end && at - walk.end <= MAX_PREVIEW_GAP && at < limit)
    .sort((a, b) => a - b);
  // Nearest first, and only offsets holding an SOI: a pointer to anything else costs no walk and uses no turn.
  const starts = inGap
    .map((at) => ({ at, soi: soiAt(reader, at) }))
    .filter((c) => c.soi !== null)
    .slice(0, MAX_PREVIEW_WALKS);
  for (const { at, soi } of starts) {
    const inner = walkJpeg(soi === 'quirk' ? new FirstByteFF(reader, at) : reader, at, limit);
    if (inner?.status !== 'complete') continue;
    const stated = pointers.map((p) => at + p.value).find((e) => e >= inner.end && e - inner.end <= 16 && e <= limit);
    const pad = stated === undefined ? new Uint8Array(0) : reader.bytes(inner.end, stated - inner.end);
    return { start: at, end: stated !== undefined && pad.every((b) => b === 0) ? stated : inner.end };
  }
  return null;
}

/** Whether an SOI starts at `at`: FF D8 FF, or Minolta's 00 D8 FF ('quirk'); null when neither. */
function soiAt(reader: Reader, at: number): 'soi' | 'quirk' | null {
  const head = reader.bytes(at, 3);
  if (head.length < 3 || head[1] !== 0xd8 || head[2] !== 0xff) return null;
  return head[0] === 0xff ? 'soi' : head[0] === 0x00 ? 'quirk' : null;
}

/** A view of the image in which the byte at `at` reads as FF (for Minolta's preview quirk). */
class FirstByteFF implements Reader {
  readonly size: number;
  constructor(
    private readonly inner: Reader,
    private readonly at: number,
  ) {
    this.size = inner.size;
  }
  bytes(offset: number, length: number): Uint8Array {
    const b = this.inner.bytes(offset, length);
    if (offset > this.at || offset + b.length <= this.at) return b;
    const copy = Uint8Array.from(b);
    copy[this.at - offset] = 0xff;
    return copy;
  }
  chunk(offset: number, maxLength: number): Uint8Array {
    return offset === this.at ? this.bytes(offset, 1) : this.inner.chunk(offset, maxLength);
  }
}

function walkMetadata(w: JpegWalk): Metadata {
  return {
    width: w.frame.width,
    height: w.frame.height,
    components: w.frame.components.length,
    progressive: w.frame.progressive,
    restartInterval: w.restartInterval,
    scans: w.scans,
    segments: w.appMarkers.join(','),
  };
}
