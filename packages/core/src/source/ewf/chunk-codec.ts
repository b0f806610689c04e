import { adler32 } from './adler32.js';
import { inflateBounded } from './inflate.js';

/**
 * Turns a chunk's stored bytes into its media data (libewf "Data chunk").
 * A compressed chunk is a zlib stream (its Adler-32 is checked by zlib); a
 * stored chunk is the data followed by its Adler-32, little-endian. The
 * image's last chunk may be shorter than `chunkSize`: `expected` is its size
 * by the sector count, and it may hold more (libewf stores the tail of a
 * final partial sector past the sector count), so the data returned is at
 * least `expected` bytes. Throws an Error saying what is wrong with the chunk.
 */
export function decodeChunk(stored: Uint8Array, compressed: boolean, expected: number, chunkSize: number, sectorSize = chunkSize): Uint8Array {
  const data = decodeChunkData(stored, compressed, expected, chunkSize);
  // The last chunk may hold the tail of a final partial sector, never a whole sector more: that would be
  // data the geometry does not place (a volume section that lies about the chunk size).
  if (data.length - expected >= sectorSize && expected < chunkSize) {
    throw new Error(`last chunk holds ${data.length} bytes, ${data.length - expected} more than the sector count places`);
  }
  return data;
}

function decodeChunkData(stored: Uint8Array, compressed: boolean, expected: number, chunkSize: number): Uint8Array {
  if (compressed) {
    let data: Uint8Array;
    try {
      data = inflateBounded(stored, chunkSize);
    } catch (err) {
      throw new Error(`compressed chunk does not inflate: ${err instanceof Error ? err.message : String(err)}`);
    }
    if (data.length < expected || (expected === chunkSize && data.length !== chunkSize)) {
      throw new Error(`compressed chunk inflates to ${data.length} bytes, expected ${expected}`);
    }
    return data;
  }
  const dataLength = stored.length - 4;
  if (dataLength < expected || (expected === chunkSize && dataLength !== chunkSize)) {
    throw new Error(`stored chunk holds ${dataLength} bytes and a checksum, expected ${expected}`);
  }
  const want = new DataView(stored.buffer, stored.byteOffset + dataLength, 4).getUint32(0, true);
  if (adler32(stored, 0, dataLength) !== want) throw new Error('stored chunk checksum (Adler-32) mismatch');
  return stored.subarray(0, dataLength);
}
