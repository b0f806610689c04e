import type { SignatureIndex } from './signature-index.js';

/** A signature match: carver `carver` may have a file starting at image offset `offset`. */
export interface Hit {
  /** Image offset of the candidate file's first byte. */
  offset: number;
  /** Index of the carver in the list the SignatureIndex was built from. */
  carver: number;
}

export interface FindStats {
  /** Bytes of uniform (all one value) blocks passed over without per-position tests. */
  uniformBytes: number;
}

/** Blocks checked for uniformity when the alignment is fine-grained. */
const UNIFORM_BLOCK = 4096;
/** Below this alignment a uniformity check is cheaper than testing every position. */
const UNIFORM_CHECK_BELOW_ALIGN = 64;

/**
 * Tests every aligned position p with pageStart <= p < pageEnd against the
 * signature index and appends hits in offset order.
 *
 * `win` holds image bytes from `base` and must extend `index.span` bytes past
 * pageEnd (the margin) so that a signature straddling the page end is seen by
 * the page it starts in — and only by it: matches are reported only when they
 * start inside the page (bulk_extractor's rule), so overlap never duplicates.
 */
export function findCandidates(
  win: Uint8Array,
  base: number,
  pageStart: number,
  pageEnd: number,
  align: number,
  index: SignatureIndex,
  hits: Hit[],
): FindStats {
  const stats: FindStats = { uniformBytes: 0 };
  let current = 0;
  const onMatch = (carver: number): void => {
    hits.push({ offset: current, carver });
  };
  const first = Math.ceil(pageStart / align) * align;
  const sparse = align < UNIFORM_CHECK_BELOW_ALIGN;
  const skippable = sparse ? uniformSkippable(index) : null;
  // One word view for the whole window (not one per block): uniformity tests compare 4 bytes at a time.
  const words = sparse && (win.byteOffset & 3) === 0 ? new Uint32Array(win.buffer, win.byteOffset, win.length >>> 2) : null;
  const search = sparse ? new FirstByteSearch(win, index) : null;

  for (let blockStart = first; blockStart < pageEnd; ) {
    const blockEnd = Math.min(pageEnd, (Math.floor(blockStart / UNIFORM_BLOCK) + 1) * UNIFORM_BLOCK);
    let p = blockStart;
    if (skippable !== null && blockEnd - blockStart === UNIFORM_BLOCK) {
      const v = uniformValue(win, words, blockStart - base, blockEnd - base);
      if (v >= 0 && skippable[v] === 1) {
        // No signature fits inside a run of v: only positions near the block end,
        // whose signature bytes may reach into the next block, still need a test.
        const resume = Math.ceil(Math.max(blockStart, blockEnd - index.span + 1) / align) * align;
        stats.uniformBytes += resume - blockStart;
        p = resume;
      }
    }
    if (search !== null) {
      // Fine alignment: jump from one possible first byte to the next (memchr speed)
      // instead of a table lookup at every position.
      for (let at = search.next(p - base); at + base < blockEnd; at = search.next(at + 1)) {
        current = at + base;
        if (current % align === 0) index.match(win, at, onMatch);
      }
      p = Math.ceil(blockEnd / align) * align;
    } else {
      for (; p < blockEnd; p += align) {
        current = p;
        index.match(win, p - base, onMatch);
      }
    }
    blockStart = p; // first aligned position at or after blockEnd
  }
  return stats;
}

/**
 * Finds the next window position where some signature's first byte sits at
 * that signature's offset, with Buffer.indexOf (memchr). Each (offset, byte)
 * pair keeps its own forward-only pointer, so the page is searched once per
 * pair in total, however the caller walks its blocks.
 */
class FirstByteSearch {
  private readonly hay: Buffer;
  private readonly pairs: { offset: number; byte: number }[];
  private readonly ahead: number[];

  constructor(win: Uint8Array, index: SignatureIndex) {
    this.hay = Buffer.from(win.buffer, win.byteOffset, win.length);
    this.pairs = index.firstBytes();
    this.ahead = this.pairs.map(() => -1);
  }

  /** Smallest candidate position >= from (window coordinates), or Infinity. */
  next(from: number): number {
    let best = Infinity;
    for (let i = 0; i < this.pairs.length; i++) {
      if (this.ahead[i]! < from) {
        const { offset, byte } = this.pairs[i]!;
        const at = this.hay.indexOf(byte, from + offset);
        this.ahead[i] = at < 0 ? Infinity : at - offset;
      }
      if (this.ahead[i]! < best) best = this.ahead[i]!;
    }
    return best;
  }
}

/** The byte value filling win[start, end), or -1 if it is not uniform. */
export function uniformValue(win: Uint8Array, words: Uint32Array | null, start: number, end: number): number {
  const v = win[start]!;
  if (win[end - 1] !== v || win[(start + end) >>> 1] !== v) return -1;
  // Compare 32-bit words when the block is 4-aligned (it is, for the scanner's page buffers).
  if (words !== null && (start & 3) === 0 && (end & 3) === 0) {
    const w = (v * 0x01010101) >>> 0;
    for (let i = start >>> 2, n = end >>> 2; i < n; i++) if (words[i] !== w) return -1;
    return v;
  }
  for (let i = start; i < end; i++) if (win[i] !== v) return -1;
  return v;
}

const skippableCache = new WeakMap<SignatureIndex, Uint8Array>();
function uniformSkippable(index: SignatureIndex): Uint8Array {
  let s = skippableCache.get(index);
  if (!s) {
    s = new Uint8Array(256);
    for (let v = 0; v < 256; v++) s[v] = index.uniformCanMatch(v) ? 0 : 1;
    skippableCache.set(index, s);
  }
  return s;
}
