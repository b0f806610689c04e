/**
 * Bytes a carver expects at a known file offset past the break (an HEIC
 * tile's NAL length, a movie's moov or next sample), found in the image: where
 * the next fragment lies.
 */
import type { Carver, CarveResult, ExpectedBytes } from '../carver.js';
import type { Reader } from '../reader/reader.js';
import type { GapCarveEnv } from './env.js';
import type { Piece } from './fragment-reader.js';

export function safeHint(carver: Carver, reader: Reader, result: CarveResult): ExpectedBytes | null {
  try {
    return carver.expectedAt?.(reader, result) ?? null;
  } catch {
    return null;
  }
}

/** How far from a break (and before the file) positions are tried with a carver's matches() when it gives no bytes. */
const MATCH_WINDOW = 32 * 1024 * 1024;

function safeMatch(hint: ExpectedBytes, reader: Reader, at: number): boolean {
  try {
    return hint.matches!(reader, at);
  } catch {
    return false;
  }
}

/** How far from a break expected bytes are looked for. */
const HINT_WINDOW = 256 * 1024 * 1024;
const HINT_POSITIONS = 16;
const SEARCH_CHUNK = 16 * 1024 * 1024;

/**
 * Image positions holding `bytes` that a continuation could put there: on the
 * cluster phase of `contiguousAt` (where they would lie were the file not
 * fragmented), not in another file's claim or this file's pieces. Nearest
 * after the break first, then nearest before the file.
 */
export function findExpected(env: GapCarveEnv, hint: ExpectedBytes, contiguousAt: number, breakAt: number, fileStart: number, pieces: readonly Piece[]): number[] {
  const cs = env.grid.size;
  const phase = ((contiguousAt % cs) + cs) % cs;
  const found: number[] = [];
  const usable = (p: number): boolean => {
    if (p % cs !== phase) return false;
    const claim = env.claims.at(p);
    if (claim && claim.owner !== fileStart) return false;
    return !pieces.some((q, k) => p >= q.img && (k === pieces.length - 1 ? p < breakAt : p < q.img + q.length));
  };
  const bytes = hint.bytes;
  if (bytes.length >= 4) {
    const lo = Math.max(0, fileStart - HINT_WINDOW);
    const hi = Math.min(env.reader.size, breakAt + HINT_WINDOW);
    const needle = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
    for (let at = lo; at < hi; at += SEARCH_CHUNK) {
      const len = Math.min(SEARCH_CHUNK + bytes.length - 1, hi - at);
      const view = env.reader.bytes(at, len);
      const buf = Buffer.from(view.buffer, view.byteOffset, view.length);
      for (let i = buf.indexOf(needle); i >= 0; i = buf.indexOf(needle, i + 1)) {
        const p = at + i;
        if (usable(p) && (!hint.matches || safeMatch(hint, env.reader, p))) found.push(p);
      }
    }
  } else if (hint.matches) {
    // No bytes to search for: ask the carver at every position of the phase, nearest first, within a smaller window.
    const first = breakAt - (((breakAt - phase) % cs) + cs) % cs;
    for (let d = 0; d < MATCH_WINDOW && found.length < HINT_POSITIONS; d += cs) {
      for (const p of [first + d, fileStart - (((fileStart - phase) % cs) + cs) % cs - d - cs]) {
        if (p >= 0 && p < env.reader.size && usable(p) && safeMatch(hint, env.reader, p)) found.push(p);
      }
    }
  }
  const rank = (x: number): number => (x >= breakAt ? x - breakAt : HINT_WINDOW + (fileStart - x));
  return found.sort((a, b) => rank(a) - rank(b)).slice(0, HINT_POSITIONS);
}
