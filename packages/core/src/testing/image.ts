/**
 * Building test images: deterministic filler (random, zeros, erased flash)
 * and files placed at chosen offsets in it.
 */

/** What fills the space between files: random bytes, 0x00, 0xFF (erased flash), or a mix per 4 KiB block. */
export type FillerKind = 'random' | 'zeros' | 'ones' | 'mixed';

/** A deterministic xorshift32 generator of 32-bit unsigned values; the same seed gives the same sequence. */
export function xorshift32(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return x >>> 0;
  };
}

/** `length` bytes of filler of the given kind, the same for the same seed. */
export function filler(length: number, seed: number, kind: FillerKind = 'random'): Uint8Array {
  const out = new Uint8Array(length);
  const next = xorshift32(seed);
  const fillRandom = (from: number, to: number): void => {
    let i = from;
    for (; i + 4 <= to; i += 4) {
      const v = next();
      out[i] = v;
      out[i + 1] = v >>> 8;
      out[i + 2] = v >>> 16;
      out[i + 3] = v >>> 24;
    }
    for (; i < to; i++) out[i] = next();
  };
  if (kind === 'random') fillRandom(0, length);
  else if (kind === 'ones') out.fill(0xff);
  else if (kind === 'mixed') {
    for (let at = 0; at < length; at += 4096) {
      const end = Math.min(length, at + 4096);
      const pick = next() % 3;
      if (pick === 0) fillRandom(at, end);
      else if (pick === 1) out.fill(0xff, at, end);
    }
  }
  return out;
}

/** A file (or a piece of one) and the image offset it is written at. */
export interface Placement {
  /** Image offset of the first byte. */
  readonly offset: number;
  /** The bytes written there. */
  readonly bytes: Uint8Array;
}

/**
 * An image of `size` bytes: filler, with each placement written over it (later
 * placements win where they overlap). Throws when a placement does not fit.
 */
export function buildImage(size: number, placements: readonly Placement[], seed = 1, kind: FillerKind = 'random'): Uint8Array {
  const img = filler(size, seed, kind);
  for (const p of placements) {
    if (p.offset < 0 || p.offset + p.bytes.length > size) throw new RangeError(`placement at ${p.offset} (${p.bytes.length} bytes) does not fit an image of ${size} bytes`);
    img.set(p.bytes, p.offset);
  }
  return img;
}

/** `n` rounded up to a multiple of `unit`. */
export const roundUp = (n: number, unit: number): number => Math.ceil(n / unit) * unit;
