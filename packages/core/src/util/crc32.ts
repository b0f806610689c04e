/**
 * CRC-32 as PNG, ZIP, gzip and Ethernet use it (ISO 3309, ITU-T V.42:
 * polynomial 0x04C11DB7, reflected, initial and final XOR 0xFFFFFFFF).
 * Table-driven, eight bytes per step ("slicing by 8"), so a carver can check
 * every byte of a large file within its time budget.
 */
import type { Reader } from '../reader/reader.js';

const TABLES = makeTables();

function makeTables(): Uint32Array[] {
  const t0 = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
    t0[n] = c >>> 0;
  }
  const tables = [t0];
  for (let s = 1; s < 8; s++) {
    const prev = tables[s - 1]!;
    const t = new Uint32Array(256);
    for (let n = 0; n < 256; n++) t[n] = (t0[prev[n]! & 0xff]! ^ (prev[n]! >>> 8)) >>> 0;
    tables.push(t);
  }
  return tables;
}

/**
 * The CRC-32 of `bytes`, continuing from `crc` (the CRC of the bytes before
 * them; 0 to start): `crc32(b, crc32(a))` is the CRC of `a` followed by `b`.
 *
 * @example PNG: the CRC stored after a chunk covers its type and data.
 * ```ts
 * const ok = crc32(data, crc32(typeBytes)) === u32be(crcField, 0);
 * ```
 */
export function crc32(bytes: Uint8Array, crc = 0): number {
  const [t0, t1, t2, t3, t4, t5, t6, t7] = TABLES as [Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array, Uint32Array];
  let c = ~crc >>> 0;
  let i = 0;
  const n = bytes.length;
  for (; i + 8 <= n; i += 8) {
    const a = (c ^ (bytes[i]! | (bytes[i + 1]! << 8) | (bytes[i + 2]! << 16) | (bytes[i + 3]! << 24))) >>> 0;
    c =
      t7[a & 0xff]! ^ t6[(a >>> 8) & 0xff]! ^ t5[(a >>> 16) & 0xff]! ^ t4[a >>> 24]! ^
      t3[bytes[i + 4]!]! ^ t2[bytes[i + 5]!]! ^ t1[bytes[i + 6]!]! ^ t0[bytes[i + 7]!]!;
  }
  for (; i < n; i++) c = t0[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
}

/**
 * The CRC-32 of the image bytes [offset, offset + length), streamed through
 * `reader.chunk()` (no copy, no size limit), continuing from `crc`. Null when
 * the image ends before `offset + length`: the caller's data was cut.
 */
export function crc32Of(reader: Reader, offset: number, length: number, crc = 0): number | null {
  let c = crc;
  for (let at = offset, end = offset + length; at < end; ) {
    const view = reader.chunk(at, end - at);
    if (view.length === 0) return null;
    c = crc32(view, c);
    at += view.length;
  }
  return c;
}
