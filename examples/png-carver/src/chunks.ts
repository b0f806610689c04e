/**
 * The chunk walk (PNG spec §5.3): after the 8-byte signature, chunks of
 * length (u32, ≤ 2^31−1), type (4 ASCII letters), data and a CRC-32 over type
 * and data. Every byte after the signature is covered by a CRC or is a length
 * the next chunk's position confirms, so a walk that reaches IEND with every
 * CRC valid has checked the whole file.
 */
import { crc32Of, u32be, type Reader } from '@rawcarve/core';
import { parseIhdr, type Ihdr } from './ihdr.js';

/** Largest chunk length the spec allows. */
const MAX_CHUNK = 0x7fffffff;
/** Chunks walked per candidate at most (a hostile file of 12-byte chunks costs bounded work). */
export const MAX_CHUNKS = 200_000;
/** Notes kept per file. */
const MAX_NOTES = 8;

/** Where the walk is: plain data, so a copy is a checkpoint (see ResumeMemo). */
export interface WalkState {
  /** File offset of the next chunk. */
  at: number;
  chunks: number;
  ihdr: Ihdr | null;
  sawPlte: boolean;
  /** 0 before the first IDAT, 1 inside the IDAT run, 2 after it. */
  idat: 0 | 1 | 2;
  /** File offset of the first IDAT chunk, or −1. */
  idatStart: number;
  /** Chunks whose CRC failed although the walk found valid chunks after them. */
  badCrcs: number;
  /** Rule breaks that make the file damaged (order of critical chunks, IEND with data). */
  damaged: boolean;
  animated: boolean;
  notes: string[];
}

/** How a walk ended. */
export interface WalkEnd {
  readonly status: 'complete' | 'truncated' | 'damaged';
  /** File offset just past the last byte the CRCs proved. */
  readonly verified: number;
  /** File offset just past what the file claims (a cut chunk's declared end, clipped to the limit). */
  readonly end: number;
}

/** A fresh state for the chunk after the signature. */
export function startState(): WalkState {
  return { at: 8, chunks: 0, ihdr: null, sawPlte: false, idat: 0, idatStart: -1, badCrcs: 0, damaged: false, animated: false, notes: [] };
}

/** Four ASCII letters, the third upper-case (the reserved bit, §5.4). */
function isChunkType(b: Uint8Array, i: number): boolean {
  for (let k = i; k < i + 4; k++) {
    const lower = b[k]! | 0x20;
    if (lower < 0x61 || lower > 0x7a) return false;
  }
  return (b[i + 2]! & 0x20) === 0;
}

interface Chunk {
  readonly type: string;
  readonly length: number;
  /** File offset just past its CRC. */
  readonly end: number;
}

/** The chunk header at file offset `at`, or null when the bytes cannot be one. */
function header(reader: Reader, base: number, at: number): Chunk | null {
  const h = reader.bytes(base + at, 8);
  if (h.length < 8 || !isChunkType(h, 4)) return null;
  const length = u32be(h, 0);
  if (length > MAX_CHUNK) return null;
  return { type: String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!), length, end: at + 12 + length };
}

/** Whether the chunk's stored CRC matches its type and data. */
function crcOk(reader: Reader, base: number, at: number, c: Chunk): boolean {
  const stored = reader.bytes(base + c.end - 4, 4);
  return stored.length === 4 && crc32Of(reader, base + at + 4, 4 + c.length) === u32be(stored, 0);
}

const note = (s: WalkState, text: string): void => {
  if (s.notes.length < MAX_NOTES) s.notes.push(text);
};

/**
 * Walks chunks of the file at image offset `base` from `s.at` until IEND, a
 * break, or `limit` (file offset: the size limit or the image end). Updates
 * `s` and calls `checkpoint` at chunk boundaries. Returns null when the file
 * does not start with a valid IHDR (not a PNG this carver vouches for).
 */
export function walkChunks(reader: Reader, base: number, limit: number, s: WalkState, checkpoint: (s: WalkState) => void): WalkEnd | null {
  const truncated = (end: number, why: string): WalkEnd => {
    note(s, why);
    return { status: 'truncated', verified: s.at, end: Math.max(s.at, Math.min(end, limit)) };
  };
  while (true) {
    if (s.chunks >= MAX_CHUNKS) return truncated(s.at, `more than ${MAX_CHUNKS} chunks: walk stopped at image offset ${base + s.at}`);
    const c = s.at + 12 <= limit ? header(reader, base, s.at) : null;
    if (s.ihdr === null && (c === null || !(c.type === 'IHDR' || (c.type === 'CgBI' && s.chunks === 0)))) return null;
    if (c === null) {
      if (s.at + 12 > limit) return truncated(limit, `the data ends at image offset ${base + limit}, inside the chunk header at ${base + s.at}`);
      return truncated(s.at, `no chunk at image offset ${base + s.at}: the file's data ends there`);
    }
    if (c.end > limit) return truncated(c.end, `chunk ${c.type} at image offset ${base + s.at} runs ${c.end - limit} bytes past the end of the data`);
    if (!crcOk(reader, base, s.at, c)) {
      if (s.ihdr === null) return null;
      // Damage inside one chunk, with the file going on, or the end of this file's data?
      const next = header(reader, base, c.end);
      if (next === null || next.end > limit || !crcOk(reader, base, c.end, next)) {
        return truncated(c.end, `CRC mismatch in chunk ${c.type} at image offset ${base + s.at}: the valid part ends there`);
      }
      s.badCrcs++;
      s.damaged = true;
      note(s, `CRC mismatch in chunk ${c.type} at image offset ${base + s.at}; the chunks after it are valid`);
    }
    if (s.ihdr === null && c.type === 'IHDR') {
      s.ihdr = c.length === 13 ? parseIhdr(reader.bytes(base + s.at + 8, 13)) : null;
      if (s.ihdr === null) return null;
    } else if (c.type === 'CgBI' && s.ihdr === null) {
      note(s, 'Apple CgBI chunk: iOS-optimised PNG (byte-swapped colours, raw deflate), not decodable by standard viewers');
    } else if (!checkOrder(s, c, base)) {
      s.damaged = true;
    }
    if (c.type === 'IEND') {
      s.chunks++;
      s.at = c.end;
      if (s.idat === 0) {
        s.damaged = true;
        note(s, 'no IDAT chunk: the file holds no image data');
      }
      if (s.ihdr!.colorType === 3 && !s.sawPlte) {
        s.damaged = true;
        note(s, 'indexed-colour image without a PLTE chunk');
      }
      return { status: s.damaged ? 'damaged' : 'complete', verified: s.at, end: s.at };
    }
    s.chunks++;
    s.at = c.end;
    checkpoint(s);
  }
}

/** The ordering rules of §5.6 for one chunk after IHDR; false (with a note) when broken. */
function checkOrder(s: WalkState, c: Chunk, base: number): boolean {
  const where = `image offset ${base + s.at}`;
  if (s.idat === 1 && c.type !== 'IDAT') s.idat = 2;
  switch (c.type) {
    case 'IHDR':
      note(s, `a second IHDR at ${where}`);
      return false;
    case 'PLTE':
      s.sawPlte = true;
      if (c.length % 3 !== 0 || c.length === 0 || c.length > 768 || s.idat !== 0) return (note(s, `invalid PLTE at ${where}`), false);
      return true;
    case 'IDAT':
      if (s.idat === 2) return (note(s, `IDAT chunks are not consecutive (${where})`), false);
      if (s.idat === 0) s.idatStart = s.at;
      s.idat = 1;
      return true;
    case 'IEND':
      if (c.length !== 0) return (note(s, `IEND with ${c.length} data bytes at ${where}`), false);
      return true;
    case 'acTL':
      s.animated = true;
      return true;
    default:
      if (c.type.charCodeAt(0) < 0x61) note(s, `unknown critical chunk ${c.type} at ${where}: standard decoders refuse it`);
      return true;
  }
}
