/**
 * The JPEG carver: marker walk + entropy-decode validation of every scan,
 * MPF secondary images and Samsung trailers included, so a camera file comes
 * back whole; EXIF thumbnails never end it and are never files of their own.
 */
import { contiguous, type Carver, type CarveContext, type CarveResult, type Metadata, type Reader } from '@rawcarve/core';
import { describeJpeg } from './exif.js';
import { mpfEntries } from './mpf.js';
import { samsungTrailerEnd } from './trailers.js';
import { walkJpeg, type JpegWalk } from './walk.js';

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

  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
    const limit = Math.min(reader.size, offset + ctx.maxFileSize);
    const walk = walkJpeg(reader, offset, limit);
    if (!walk) return null;
    const metadata = walkMetadata(walk);
    if (walk.status === 'truncated') {
      const length = walk.end - offset;
      if (length <= 0) return null;
      const s = walk.stop!;
      return {
        status: 'truncated',
        byteRuns: contiguous(offset, length),
        validFraction: walk.mcusExpected > 0 ? walk.mcusDecoded / walk.mcusExpected : 0,
        notes: [
          `valid JPEG data ends at image offset ${s.offset} (scan ${walk.scans}, ${walk.mcusDecoded} of ${walk.mcusExpected} MCUs): ${s.reason}${s.detail ? ', ' + s.detail : ''}`,
        ],
        metadata,
      };
    }
    const notes: string[] = [];
    let end = walk.end;
    let status: CarveResult['status'] = 'complete';
    // MPF: the listed images follow the primary one; each must be a valid JPEG where the index says.
    if (walk.mpf) {
      const entries = mpfEntries(reader.bytes(walk.mpf.offset, walk.mpf.length), walk.mpf.offset);
      for (const e of entries ?? []) {
        const inner = e.offset + e.size <= limit ? walkJpeg(reader, e.offset, e.offset + e.size) : null;
        if (!inner || inner.status !== 'complete' || e.offset < walk.end) {
          status = 'truncated';
          notes.push(`MPF image at image offset ${e.offset} (${e.size} bytes) is missing or invalid`);
          break;
        }
        end = Math.max(end, e.offset + e.size);
      }
      if (entries && entries.length > 0) metadata['mpfImages'] = entries.length;
    }
    const trailerEnd = samsungTrailerEnd(reader, end, limit);
    if (trailerEnd !== null) {
      notes.push(`Samsung SEFH/SEFT trailer of ${trailerEnd - end} bytes after EOI kept`);
      end = trailerEnd;
    }
    return { status, byteRuns: contiguous(offset, end - offset), validFraction: status === 'complete' ? 1 : 0, notes, metadata };
  },

  async describe(reader: Reader, result: CarveResult): Promise<Metadata> {
    return describeJpeg(reader, result);
  },
};

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
