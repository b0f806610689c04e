/**
 * The MOV/MP4/3GP carver: walks the top-level boxes of a QuickTime or ISO
 * BMFF movie, parses moov and validates the file to the sample: every sample
 * of every track (and of every movie fragment) must lie in one of the file's
 * mdat payloads, and a spread of video samples must parse in their codec's
 * format. Only then is the file 'complete'.
 */
import {
  BOX_BUDGET_DEFAULTS, BoxBudget, BoxFieldError, ReaderRangeError, contiguous, fourcc,
  type BoxHeader, type Carver, type CarveContext, type CarveResult, type ExpectedBytes, type Metadata, type Reader, type SeamProof,
} from '@rawcarve/core';
import { CONTENT_CHECKS, NAL_BUDGET, PAYLOAD_BUDGET, SampleAudit, pickContent, type Region } from './audit.js';
import { extensionOf, isImageOnly, readFileType, type FileType } from './brands.js';
import { nextSampleHint } from './continuation.js';
import { proveMovieSeams } from './seams.js';
import { auditFragments } from './fragments.js';
import { movieMetadata } from './metadata.js';
import { parseMoov } from './moov.js';
import { auditTrack, checkable, trackDataEnd } from './samples.js';
import { walkTopLevel } from './top-level.js';

export { walkTopLevel, type TopLevelWalk } from './top-level.js';
export { parseMoov, type Movie, type Track } from './moov.js';

const ascii = (s: string): number[] => [...s].map((c) => c.charCodeAt(0));

export const movCarver: Carver = {
  name: 'mov',
  version: '1.0.0',
  description: 'QuickTime MOV, MP4, 3GP, M4V (ftyp or none; moov first or last; 64-bit and size-0 mdat; movie fragments): every sample located in mdat, H.264/HEVC NAL units, MJPEG and H.263 frames checked',
  extensions: ['mov', 'mp4', '3gp', 'm4v'],
  signatures: [
    { bytes: ascii('ftyp'), offset: 4, description: 'ISO BMFF file type box' },
    { bytes: ascii('mdat'), offset: 4, description: 'QuickTime without ftyp: media data first' },
    { bytes: ascii('moov'), offset: 4, description: 'QuickTime without ftyp: movie box first' },
    { bytes: ascii('wide'), offset: 4, description: 'QuickTime without ftyp: wide placeholder first' },
  ],
  maxFileSize: 64 * 1024 * 1024 * 1024,
  // Fixed work bounds per candidate, listed in report.json (carve() walks with `new BoxBudget()`, the defaults).
  limits: { maxContentChecks: CONTENT_CHECKS, maxNalUnits: NAL_BUDGET, maxPayloadBytes: PAYLOAD_BUDGET, maxBoxes: BOX_BUDGET_DEFAULTS.boxes, maxBoxDepth: BOX_BUDGET_DEFAULTS.maxDepth },

  /**
   * Reassembly hint: a movie whose moov comes after its mdat (iPhone,
   * GoPro, most cameras) must have the moov box right where the mdat ends;
   * one whose moov comes first, its next video sample (continuation.ts).
   */
  expectedAt(reader: Reader): ExpectedBytes | null {
    const walk = walkTopLevel(reader, 0, reader.size);
    // moov first: its sample tables say which video sample comes next, and its size finds it.
    if (walk.boxes.some((b) => b.type === 'moov')) return nextSampleHint(reader);
    const mdat = [...walk.boxes].reverse().find((b) => b.type === 'mdat' && !b.toEnd);
    // Its end may lie past what this fragment holds (an out-of-order first fragment at the image end).
    if (!mdat) return null;
    return { fileOffset: mdat.end + 4, bytes: Uint8Array.from(ascii('moov')) };
  },

  /**
   * Reassembly: a seam inside a video sample is proven when the samples on
   * both sides parse, slice data included, to their exact ends (seams.ts).
   */
  proveSeams(reader: Reader, seams: readonly number[]): readonly SeamProof[] {
    return proveMovieSeams(reader, seams);
  },

  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
    try {
      return carveMovie(reader, offset, ctx);
    } catch (e) {
      // Field readers throw on hostile sizes we did not foresee; that is "not a movie we can read", never a crash.
      if (e instanceof BoxFieldError || e instanceof ReaderRangeError) return null;
      throw e;
    }
  },
};

function carveMovie(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
  const head = reader.bytes(offset, 8);
  if (head.length < 8) return null;
  const first = fourcc(head, 4);
  let ftyp: FileType | null = null;
  if (first === 'ftyp') {
    ftyp = readFileType(reader, offset);
    if (!ftyp || isImageOnly(ftyp)) return null;
  } else if (first !== 'mdat' && first !== 'moov' && first !== 'wide') {
    return null;
  }
  const limit = Math.min(reader.size, offset + ctx.maxFileSize);
  const walk = walkTopLevel(reader, offset, limit);
  const boxes = walk.boxes;
  const moovBox = boxes.find((b) => b.type === 'moov');
  const hasData = boxes.some((b) => b.type === 'mdat' || b.type === 'moof');
  const extension = extensionOf(ftyp);
  const brand: Metadata = ftyp ? { brand: ftyp.major.trim() } : {};
  const notes: string[] = [];
  if (!moovBox || moovBox.end > limit) {
    // No movie box: the media data may be here, but nothing says where its samples lie.
    if (!ftyp && !moovBox) return null;
    if (!hasData && !moovBox) return null;
    if (!ftyp && !hasData) return null;
    notes.push(moovBox ? `moov at image offset ${moovBox.start} is cut by the ${walk.stop}` : `no moov: the walk ended with ${walk.stop}`);
    return truncated(offset, walk.end, extension, notes, brand, headersLength(boxes, offset, walk.end));
  }
  const budget = new BoxBudget();
  const movie = parseMoov(reader, moovBox, budget);
  if (!movie) {
    if (!ftyp) return null;
    notes.push(`moov at image offset ${moovBox.start} has no mvhd`);
    return { status: 'damaged', byteRuns: contiguous(offset, walk.end - offset), extension, validFraction: 0, verifiedLength: headersLength(boxes, offset, walk.end), notes, metadata: brand };
  }

  // A size-0 mdat runs to the end of the file: the sample tables say where that is.
  let end = walk.end;
  let cut = walk.cut;
  const last = boxes[boxes.length - 1]!;
  const regions: Region[] = [];
  for (const b of boxes) if (b.type === 'mdat') regions.push({ start: b.start + b.headerSize, end: b.end });
  if (last.toEnd) {
    const dataEnd = offset + Math.max(0, ...movie.tracks.map(trackDataEnd));
    const stop = Math.max(last.start + last.headerSize, dataEnd);
    if (last.type === 'mdat') regions[regions.length - 1] = { start: last.start + last.headerSize, end: stop };
    end = Math.min(stop, limit);
    cut = cut || stop > limit;
    notes.push(`size-0 '${last.type}' at image offset ${last.start}: its end at image offset ${stop} comes from the sample tables`);
  }

  const audit = new SampleAudit(reader, offset, regions);
  const problems = [...movie.problems];
  const videoTracks = movie.tracks.filter((t) => checkable(t) && t.sizes.count > 0);
  const fragmented = movie.fragmented || boxes.some((b) => b.type === 'moof');
  const perTrack = Math.floor(CONTENT_CHECKS / Math.max(1, videoTracks.length + (fragmented ? 1 : 0)));
  for (const t of movie.tracks) {
    const p = auditTrack(t, audit, videoTracks.includes(t) ? pickContent(t.sizes.count, perTrack) : () => false);
    if (p) problems.push(p);
  }
  let moofs = 0;
  if (fragmented) {
    const frag = auditFragments(reader, boxes, movie, audit, perTrack, budget);
    problems.push(...frag.problems);
    moofs = frag.moofs;
    notes.push(`movie fragments: ${frag.moofs} moof, ${frag.runs} trun, ${frag.samples} samples`);
    if (movie.fragmented && frag.moofs === 0) {
      cut = true;
      notes.push('moov announces movie fragments (mvex) but no moof follows');
    }
  }

  // The carved bytes must hold every sample: a size-0 mdat of fragments runs as far as their samples do.
  if (audit.maxEnd > end) {
    if (last.toEnd && audit.maxEnd <= limit) {
      notes.push(`movie fragments' samples run to image offset ${audit.maxEnd}, past what the sample tables say`);
      end = audit.maxEnd;
    } else cut = true;
  }
  // Another file's mdat after ours (a QuickTime file without ftyp follows): none of our samples, so not ours.
  if (!cut) end = trimForeignTail(boxes, moovBox, audit.used, end);

  const metadata: Metadata = { ...movieMetadata(reader, movie, budget), ...brand, samples: audit.samples, fragmented };
  if (moofs > 0) metadata['fragments'] = moofs;
  const placed = audit.samples - audit.outside - audit.cut;
  if (!ftyp && placed <= 0) return null;
  if (audit.samples === 0) notes.push('the movie has no samples');
  notes.push(...problems, ...audit.problems);
  if (audit.outside > 0) notes.push(`${audit.outside} of ${audit.samples} samples lie outside the file's mdat payloads`);
  if (audit.cut > 0) notes.push(`${audit.cut} of ${audit.samples} samples lie past the end of the image: the file was cut`);
  notes.push(
    `${audit.checked} video samples parsed (first, last and evenly spaced; at most ${CONTENT_CHECKS})${audit.nalBudgetSpent ? ', NAL budget spent' : ''}; ${audit.failed} failed`,
  );
  if (walk.stop !== 'image end') notes.push(`top-level walk ended: ${walk.stop}`);
  const lastMedia = boxes.reduce((i, b, k) => (b.type === 'mdat' || b.type === 'moov' || b.type === 'moof' ? k : i), -1);
  const trailers = boxes.slice(lastMedia + 1).filter((b) => b.end <= end && TRAILERS.has(b.type));
  if (trailers.length > 0) notes.push(`kept trailing top-level boxes: ${trailers.map((b) => `'${b.type}' at image offset ${b.start}`).join(', ')}`);

  const bad = problems.length > 0 || audit.outside > 0 || audit.failed > 0;
  const status = cut || audit.cut > 0 ? 'truncated' : bad || audit.samples === 0 ? 'damaged' : 'complete';
  const validFraction = status === 'complete' ? 1 : audit.samples > 0 ? (placed - audit.failed) / audit.samples : 0;
  // Sample positions were checked, but their content only at a spread of samples: past the headers nothing is proven.
  const verified = status === 'complete' ? {} : { verifiedLength: headersLength(boxes, offset, end) };
  return { status, byteRuns: contiguous(offset, end - offset), extension, validFraction: Math.max(0, validFraction), ...verified, notes, metadata };
}

const TRAILERS = new Set(['sefd', 'uuid', 'free', 'skip', 'meta', 'udta', 'wide', 'junk']);

function truncated(offset: number, end: number, extension: string, notes: string[], metadata: Metadata, verifiedLength: number): CarveResult | null {
  if (end <= offset) return null;
  return { status: 'truncated', byteRuns: contiguous(offset, end - offset), extension, validFraction: 0, verifiedLength, notes, metadata };
}

/**
 * Bytes of an incomplete movie its checks covered: the box headers up to the
 * first media data payload. What lies in mdat is unproven without a moov.
 */
function headersLength(boxes: readonly BoxHeader[], offset: number, end: number): number {
  const data = boxes.find((b) => b.type === 'mdat' || b.type === 'moof');
  return (data ? data.start + data.headerSize : end) - offset;
}

/** Ends the file before the first mdat that follows moov and every used mdat but holds none of our samples. */
function trimForeignTail(boxes: readonly BoxHeader[], moov: BoxHeader, used: ReadonlySet<number>, end: number): number {
  let lastUsed = -1;
  boxes.forEach((b, i) => {
    if (b.type === 'mdat' && used.has(b.start + b.headerSize)) lastUsed = i;
  });
  const moovAt = boxes.indexOf(moov);
  for (let i = Math.max(lastUsed, moovAt) + 1; i < boxes.length; i++) {
    const b = boxes[i]!;
    if (b.type !== 'mdat' || used.has(b.start + b.headerSize)) continue;
    // A 'wide' placeholder right before it is that file's too (QuickTime writes it to grow mdat to 64 bits).
    let cutAt = i;
    while (cutAt - 1 > Math.max(lastUsed, moovAt) && boxes[cutAt - 1]!.type === 'wide') cutAt--;
    return Math.min(end, boxes[cutAt]!.start);
  }
  return end;
}
