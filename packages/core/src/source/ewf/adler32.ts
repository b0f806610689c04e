/**
 * Adler-32 (RFC 1950 §8.2), the checksum EWF puts on every section descriptor,
 * table, volume and stored (uncompressed) chunk. node:zlib checks it inside
 * compressed chunks but does not expose it, hence this small copy.
 */
const MOD = 65521;
/** Largest n for which 255·n·(n+1)/2 + (n+1)·(MOD−1) still fits in 2^32: sums are reduced once per block. */
const NMAX = 5552;

export function adler32(bytes: Uint8Array, start = 0, end = bytes.length): number {
  let a = 1;
  let b = 0;
  let i = start;
  while (i < end) {
    const blockEnd = Math.min(end, i + NMAX);
    for (; i < blockEnd; i++) {
      a += bytes[i]!;
      b += a;
    }
    a %= MOD;
    b %= MOD;
  }
  return ((b << 16) | a) >>> 0;
}
