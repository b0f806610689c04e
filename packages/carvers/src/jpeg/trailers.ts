/**
 * Data some cameras append after EOI that belongs to the file. It is kept
 * only when a structure proves it: a trailer that merely looks plausible
 * stays out (zero padding, a next file's bytes).
 *
 * Samsung (SEFH/SEFT): data blocks, then a directory
 *   "SEFH" u32 version, u32 count, count × { u16 0, u16 type, u32 distance back from SEFH, u32 length }
 * then u32 directory length and "SEFT" — all little-endian. Each block
 * starts with u16 0, u16 type, u32 name length and an ASCII name.
 *
 * BlackBerry (as written by the Z10 camera; no published description): a
 * block that opens with its own length as a big-endian u32 and holds the
 * picture's width and height as big-endian u32s at bytes 36 and 40. Both must
 * agree with the file: the length with the bytes the block claims, the size
 * with the frame header. Zeros, another file's header or random bytes after
 * EOI pass both checks with odds far below one in 2^40.
 */
import { u32be, u32le, type Reader } from '@rawcarve/core';

const SEFT = Buffer.from('SEFT');
const SEFH = [0x53, 0x45, 0x46, 0x48];
const MAX_ENTRIES = 256;

/** End of a Samsung trailer starting exactly at `start`, or null when there is none. */
export function samsungTrailerEnd(reader: Reader, start: number, limit: number): number | null {
  const head = reader.bytes(start, 8);
  if (head.length < 8 || head[0] !== 0 || head[1] !== 0) return null;
  const nameLen = u32le(head, 4);
  if (nameLen < 1 || nameLen > 64) return null;
  const name = reader.bytes(start + 8, nameLen);
  if (name.length < nameLen || !name.every((c) => c >= 0x20 && c < 0x7f)) return null;

  // The directory sits at the end: find "SEFT" (bounded by the size limit).
  for (let at = start; at < limit; ) {
    const chunk = reader.chunk(at, Math.min(1 << 20, limit - at));
    if (chunk.length === 0) return null;
    const i = Buffer.from(chunk.buffer, chunk.byteOffset, chunk.length).indexOf(SEFT);
    if (i >= 0) {
      const seft = at + i;
      const end = checkDirectory(reader, start, seft);
      if (end !== null) return end;
      at = seft + 1;
    } else {
      at += Math.max(1, chunk.length - 3);
    }
  }
  return null;
}

function checkDirectory(reader: Reader, start: number, seft: number): number | null {
  const lenBytes = reader.bytes(seft - 4, 4);
  if (lenBytes.length < 4) return null;
  const dirLen = u32le(lenBytes, 0);
  const sefh = seft - 4 - dirLen;
  // 12 bytes of header and 12 per entry: anything longer is no directory (and must not become a read of gigabytes).
  if (dirLen < 12 || dirLen > 12 + 12 * MAX_ENTRIES || sefh < start) return null;
  const dir = reader.bytes(sefh, dirLen);
  if (dir.length < dirLen || !SEFH.every((b, i) => dir[i] === b)) return null;
  const count = u32le(dir, 8);
  if (count < 1 || count > MAX_ENTRIES || 12 + count * 12 > dirLen) return null;
  let first = sefh;
  for (let k = 0; k < count; k++) {
    const back = u32le(dir, 12 + k * 12 + 4);
    const length = u32le(dir, 12 + k * 12 + 8);
    if (back > sefh - start || length > back) return null;
    first = Math.min(first, sefh - back);
  }
  // Proven only if the earliest block begins right where the JPEG ended.
  return first === start ? seft + 4 : null;
}

const BLACKBERRY_MIN = 64;
const BLACKBERRY_MAX = 1 << 20;

/** End of a BlackBerry camera trailer starting exactly at `start`, or null when there is none. */
export function blackberryTrailerEnd(reader: Reader, start: number, limit: number, width: number, height: number): number | null {
  const head = reader.bytes(start, 44);
  if (head.length < 44) return null;
  const length = u32be(head, 0);
  if (length < BLACKBERRY_MIN || length > BLACKBERRY_MAX || start + length > limit) return null;
  if (u32be(head, 36) !== width || u32be(head, 40) !== height) return null;
  return start + length;
}
