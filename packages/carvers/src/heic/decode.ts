/**
 * `--verify decode`: decodes the primary image with heic-decode (libheif
 * compiled to WebAssembly), the strongest proof a carved HEIC is whole.
 * Loaded only when asked: it is large and slow to start.
 */
import { MAX_READ, type Metadata, type Reader } from '@rawcarve/core';

/** Files above this are not decoded (memory: the decoder holds the file and the RGBA picture). */
const MAX_DECODE_BYTES = 256 * 1024 * 1024;
/**
 * Pictures above this are not decoded: ispe may claim 65535 x 65535 (a 17 GB RGBA buffer) in a
 * few bytes. 256 MP is above every camera's (the Samsung S24 Ultra's 200 MP included).
 */
export const MAX_DECODE_PIXELS = 256 * 1000 * 1000;

interface HeifImage {
  readonly width: number;
  readonly height: number;
  decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }>;
}

export async function verifyDecode(reader: Reader, start: number, length: number): Promise<Metadata> {
  if (length > MAX_DECODE_BYTES) return { decoded: false, decodeError: `not decoded: ${length} bytes is above the ${MAX_DECODE_BYTES}-byte limit` };
  const file = new Uint8Array(length);
  for (let done = 0; done < length; ) {
    const part = reader.bytes(start + done, Math.min(MAX_READ, length - done));
    if (part.length === 0) return { decoded: false, decodeError: `image ended at offset ${start + done}` };
    file.set(part, done);
    done += part.length;
  }
  try {
    const { default: decode } = await import('heic-decode');
    // Parse first (sizes come from ispe, nothing is decoded yet), refuse decompression bombs, then decode.
    const all = (await decode.all({ buffer: file })) as unknown as HeifImage[] & { dispose?: () => void };
    try {
      const big = all.find((x) => x.width * x.height > MAX_DECODE_PIXELS);
      if (big) return { decoded: false, decodeError: `not decoded: ${big.width}x${big.height} is above the ${MAX_DECODE_PIXELS / 1e6} MP limit` };
    } finally {
      all.dispose?.();
    }
    const img = await decode({ buffer: file });
    return { decoded: true, decodedWidth: img.width, decodedHeight: img.height };
  } catch (err) {
    return { decoded: false, decodeError: err instanceof Error ? err.message : String(err) };
  }
}
