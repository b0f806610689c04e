/**
 * The PNG image header (PNG spec, 3rd ed., §11.2.2): 13 bytes, first chunk.
 * A header that breaks the spec's rules means the bytes are not a PNG we can
 * vouch for, so the carver rejects the candidate.
 */
import { u32be, type Metadata } from '@rawcarve/core';

/** What IHDR says about the picture. */
export interface Ihdr {
  readonly width: number;
  readonly height: number;
  readonly bitDepth: number;
  /** 0 greyscale, 2 truecolour, 3 indexed, 4 greyscale + alpha, 6 truecolour + alpha. */
  readonly colorType: number;
  readonly interlaced: boolean;
}

/** Bit depths allowed for each colour type (§11.2.2 table 11). */
const DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

const COLOR_NAMES: Record<number, string> = {
  0: 'greyscale',
  2: 'truecolour',
  3: 'indexed-colour',
  4: 'greyscale with alpha',
  6: 'truecolour with alpha',
};

const MAX_DIMENSION = 0x7fffffff;

/** Parses IHDR's 13 data bytes; null when a field is out of range. */
export function parseIhdr(d: Uint8Array): Ihdr | null {
  if (d.length !== 13) return null;
  const width = u32be(d, 0);
  const height = u32be(d, 4);
  const bitDepth = d[8]!;
  const colorType = d[9]!;
  if (width < 1 || height < 1 || width > MAX_DIMENSION || height > MAX_DIMENSION) return null;
  if (!DEPTHS[colorType]?.includes(bitDepth)) return null;
  // Compression method 0 (deflate), filter method 0 (adaptive), interlace 0 (none) or 1 (Adam7).
  if (d[10] !== 0 || d[11] !== 0 || d[12]! > 1) return null;
  return { width, height, bitDepth, colorType, interlaced: d[12] === 1 };
}

/** Report metadata for a header. */
export function ihdrMetadata(h: Ihdr): Metadata {
  return {
    width: h.width,
    height: h.height,
    bitDepth: h.bitDepth,
    colorType: h.colorType,
    colorModel: COLOR_NAMES[h.colorType] ?? 'unknown',
    interlaced: h.interlaced,
  };
}
