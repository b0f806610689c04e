/**
 * Random access to the image for carvers.
 *
 * A carver sees the whole image through a Reader, not just the page the
 * scanner found its header in: a video can run for gigabytes past the page.
 * Reads inside the worker's current page are zero-copy views; others go
 * through a small block cache. Every returned view is read-only by contract
 * and stays valid (buffers are never reused underneath a view).
 */
export interface Reader {
  /** Size of the image in bytes; nothing exists at or past it. */
  readonly size: number;
  /**
   * The bytes [offset, offset + length), clipped at the end of the image
   * (so the result may be shorter than asked, or empty).
   * `length` may not exceed {@link MAX_READ}: stream larger ranges with chunk().
   */
  bytes(offset: number, length: number): Uint8Array;
  /**
   * A zero-copy view starting at `offset`, as long as the reader can give
   * without copying (at most `maxLength`, at least 1 byte unless offset is
   * at or past the end). For sequential scans of entropy data or samples.
   */
  chunk(offset: number, maxLength: number): Uint8Array;
}

/** Largest single bytes() request: bigger reads must stream with chunk(). */
export const MAX_READ = 64 * 1024 * 1024;

/** Thrown when a carver reads outside the image or asks for too much at once. */
export class ReaderRangeError extends RangeError {
  constructor(
    readonly offset: number,
    readonly length: number,
  ) {
    super(`read of ${length} bytes at image offset ${offset} is out of range`);
    this.name = 'ReaderRangeError';
  }
}

/**
 * Unsigned 16-bit big-endian value at b[i]. These integer readers do not
 * check bounds (the caller checks its view's length; a read past the end
 * gives garbage, not an exception).
 */
export function u16be(b: Uint8Array, i: number): number {
  return (b[i]! << 8) | b[i + 1]!;
}
/** Unsigned 32-bit big-endian value at b[i] (0..2^32−1, never negative). */
export function u32be(b: Uint8Array, i: number): number {
  return ((b[i]! << 24) >>> 0) + ((b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!);
}
/** Unsigned 16-bit little-endian value at b[i]. */
export function u16le(b: Uint8Array, i: number): number {
  return b[i]! | (b[i + 1]! << 8);
}
/** Unsigned 32-bit little-endian value at b[i] (never negative). */
export function u32le(b: Uint8Array, i: number): number {
  return ((b[i + 3]! << 24) >>> 0) + ((b[i + 2]! << 16) | (b[i + 1]! << 8) | b[i]!);
}
/** 64-bit big-endian as a number; values above 2^53 come back as Infinity (no image is that large). */
export function u64be(b: Uint8Array, i: number): number {
  const hi = u32be(b, i);
  const lo = u32be(b, i + 4);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + lo;
}
/** Four ASCII characters (box types, signatures). */
export function fourcc(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
}
