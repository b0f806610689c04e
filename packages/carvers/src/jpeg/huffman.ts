/**
 * Huffman decoding tables from a DHT segment (ITU T.81 Annex C / F.2.2.3).
 * A 9-bit lookahead table answers most codes in one lookup; longer codes
 * fall back to the canonical maxcode/valptr search of Figure F.16.
 */
export const LOOKAHEAD = 9;
/**
 * The validator never needs coefficient values, only how many bits each
 * symbol takes: `fast` maps 11 bits to (code length + magnitude bits) and the
 * symbol, so most coefficients cost one lookup and one skip.
 */
export const FAST_BITS = 12;

export interface HuffmanTable {
  /** lookup[peek9] = (codeLength << 8) | symbol, or 0 when the code is longer than 9 bits. */
  readonly lookup: Uint16Array;
  /** maxcode[l]: largest code of length l (−1 when none), l = 1..16; maxcode[17] sentinel. */
  readonly maxcode: Int32Array;
  /** valoffset[l]: index into values of the first code of length l, minus that code. */
  readonly valoffset: Int32Array;
  readonly values: Uint8Array;
  /** fast[peek11] = ((code length + magnitude bits) << 8) | symbol, or 0 when they exceed 11 bits. */
  readonly fast: Uint16Array;
  /** DC tables' symbols are magnitudes; AC symbols are run/size with the size in the low nibble. */
  readonly dc: boolean;
}

/**
 * Builds decoding tables from BITS (counts of codes of each length 1..16)
 * and HUFFVAL. Returns null when the counts cannot form a prefix code
 * (more codes of a length than the code space allows): hostile or corrupt DHT.
 */
export function buildHuffmanTable(counts: Uint8Array, values: Uint8Array, dc = false): HuffmanTable | null {
  if (counts.length !== 16) return null;
  const lookup = new Uint16Array(1 << LOOKAHEAD);
  const fast = new Uint16Array(1 << FAST_BITS);
  const maxcode = new Int32Array(18).fill(-1);
  const valoffset = new Int32Array(18);
  let code = 0;
  let k = 0;
  for (let len = 1; len <= 16; len++) {
    const n = counts[len - 1]!;
    valoffset[len] = k - code;
    if (n > 0) {
      if (k + n > values.length) return null;
      // Codes of one length must fit in len bits, leaving room: the all-ones code is never used (C.2, libjpeg's check).
      if (code + n >= 1 << len) return null;
      for (let i = 0; i < n; i++, code++, k++) {
        const sym = values[k]!;
        if (dc && sym > 15) return null; // a DC magnitude category is 0..15 (F.1.2.1)
        if (len <= LOOKAHEAD) {
          const shift = LOOKAHEAD - len;
          const entry = (len << 8) | sym;
          for (let fill = 0; fill < 1 << shift; fill++) lookup[(code << shift) | fill] = entry;
        }
        const total = len + (dc ? sym : sym & 15);
        if (total <= FAST_BITS && (!dc || sym <= 16)) {
          const shift = FAST_BITS - len;
          const entry = (total << 8) | sym;
          for (let fill = 0; fill < 1 << shift; fill++) fast[(code << shift) | fill] = entry;
        }
      }
      maxcode[len] = code - 1;
    }
    code <<= 1;
  }
  maxcode[17] = 0x7fffffff; // sentinel: ends the slow search
  return { lookup, maxcode, valoffset, values, fast, dc };
}
