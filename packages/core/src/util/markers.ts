/**
 * A walker for JPEG-style marker segments (ITU T.81 B.1.1.4, also JFIF,
 * EXIF, MPO, JPEG-LS and JPEG XT headers): FF, a marker code, and for most
 * markers a big-endian length that counts itself. It walks the headers only:
 * it stops at SOS (entropy-coded data follows, which the caller decodes or
 * skips) and at EOI, and never trusts a length past `limit`.
 */
import { u16be, type Reader } from '../reader/reader.js';

/** One marker segment in the image. */
export interface MarkerSegment {
  /** Marker code (the byte after FF): 0xD8 SOI, 0xE1 APP1, 0xDA SOS, ... */
  readonly marker: number;
  /** Image offset of the marker's FF byte (after any FF fill bytes). */
  readonly start: number;
  /** Image offset of the payload (after the length field); `start + 2` for markers without one. */
  readonly payload: number;
  /** Image offset just past the segment. */
  readonly end: number;
}

/** Why {@link walkMarkers} stopped. */
export type MarkerWalkStop = 'stop-marker' | 'limit' | 'invalid' | 'budget';

/** The segments walked, and where and why the walk stopped. */
export interface MarkerWalk {
  /** The segments read, in order (the stop marker's included). */
  readonly segments: MarkerSegment[];
  /** Image offset where the walk stopped: past the stop marker's segment, or at the offending byte. */
  readonly end: number;
  /** Why the walk stopped: a stop marker (SOS, EOI), the limit, invalid bytes or the segment budget. */
  readonly stop: MarkerWalkStop;
  /** What was wrong when `stop` is not 'stop-marker', naming an image offset. */
  readonly problem?: string;
}

/** Options of {@link walkMarkers}; the defaults are T.81's. */
export interface MarkerWalkOptions {
  /** Markers without a length field (default: TEM 0x01, RST0–7 0xD0–0xD7, SOI 0xD8, EOI 0xD9). */
  readonly standalone?: (marker: number) => boolean;
  /** Markers after whose segment the walk stops (default: SOS 0xDA and EOI 0xD9). */
  readonly stopAfter?: (marker: number) => boolean;
  /** Most segments read (default 4096): hostile files cost bounded work. */
  readonly maxSegments?: number;
  /** Most FF fill bytes accepted before one marker (default 64). */
  readonly maxFill?: number;
}

const isStandalone = (m: number): boolean => m === 0x01 || (m >= 0xd0 && m <= 0xd9);
const isStop = (m: number): boolean => m === 0xda || m === 0xd9;

/**
 * Walks marker segments from image offset `at` (usually an SOI) up to
 * `limit` (exclusive: the image end or the carver's size limit).
 *
 * @example Find a JPEG's frame header:
 * ```ts
 * const walk = walkMarkers(reader, offset, Math.min(reader.size, offset + ctx.maxFileSize));
 * const sof = walk.segments.find((s) => s.marker === 0xc0 || s.marker === 0xc2);
 * ```
 */
export function walkMarkers(reader: Reader, at: number, limit: number, opts: MarkerWalkOptions = {}): MarkerWalk {
  const standalone = opts.standalone ?? isStandalone;
  const stopAfter = opts.stopAfter ?? isStop;
  const maxSegments = opts.maxSegments ?? 4096;
  const maxFill = opts.maxFill ?? 64;
  const segments: MarkerSegment[] = [];
  const fail = (stop: MarkerWalkStop, where: number, problem: string): MarkerWalk => ({ segments, end: where, stop, problem });
  let pos = at;
  while (true) {
    if (segments.length >= maxSegments) return fail('budget', pos, `more than ${maxSegments} marker segments at image offset ${pos}`);
    const head = reader.bytes(pos, Math.min(maxFill + 4, Math.max(0, limit - pos)));
    if (head.length < 2) return fail('limit', pos, `the data ends at image offset ${pos}, before a marker`);
    if (head[0] !== 0xff) return fail('invalid', pos, `no marker at image offset ${pos}`);
    let i = 1;
    while (i < head.length && head[i] === 0xff) i++;
    if (i - 1 > maxFill) return fail('invalid', pos, `more than ${maxFill} fill bytes at image offset ${pos}`);
    if (i >= head.length) return fail('limit', pos, `fill bytes without a marker at image offset ${pos}`);
    const marker = head[i]!;
    if (marker === 0x00) return fail('invalid', pos, `FF 00 is not a marker (image offset ${pos})`);
    const start = pos + i - 1;
    let payload = start + 2;
    let end = payload;
    if (!standalone(marker)) {
      if (i + 3 > head.length) return fail('limit', start, `marker FF${hex(marker)} at image offset ${start} lacks its length`);
      const length = u16be(head, i + 1);
      if (length < 2) return fail('invalid', start, `marker FF${hex(marker)} at image offset ${start} has length ${length} < 2`);
      payload = start + 4;
      end = start + 2 + length;
      if (end > limit) return fail('limit', start, `segment FF${hex(marker)} at image offset ${start} runs ${end - limit} bytes past the limit`);
    }
    segments.push({ marker, start, payload, end });
    if (stopAfter(marker)) return { segments, end, stop: 'stop-marker' };
    pos = end;
  }
}

const hex = (m: number): string => m.toString(16).toUpperCase().padStart(2, '0');
