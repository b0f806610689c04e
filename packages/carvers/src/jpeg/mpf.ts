/**
 * CIPA DC-007 Multi-Picture Format: an APP2 "MPF\0" segment holds a
 * TIFF-structured index (MP Index IFD, tag B002 MPEntry) of the images stored
 * one after the other in the file: the primary image first (offset 0), then
 * previews, depth maps or Ultra HDR gain maps. Offsets count from the MPF
 * TIFF header. A carver that stops at the first EOI loses all of them.
 */
import { u16be, u16le, u32be, u32le } from '@rawcarve/core';

export interface MpEntry {
  /** Image offset where the stored image starts. */
  offset: number;
  size: number;
}

const MP_ENTRY = 0xb002;
const MAX_IMAGES = 64;

/** Secondary images listed in the MPF index (entries after the first), or null when the index is malformed. */
export function mpfEntries(tiff: Uint8Array, tiffOffset: number): MpEntry[] | null {
  if (tiff.length < 8) return null;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  if (u16(tiff, 2) !== 42) return null;
  const ifd = u32(tiff, 4);
  if (ifd + 2 > tiff.length) return null;
  const count = u16(tiff, ifd);
  if (ifd + 2 + count * 12 > tiff.length) return null;
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (u16(tiff, e) !== MP_ENTRY) continue;
    const bytes = u32(tiff, e + 4);
    const at = u32(tiff, e + 8);
    const n = bytes / 16;
    if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES || at + bytes > tiff.length) return null;
    const out: MpEntry[] = [];
    for (let k = 1; k < n; k++) {
      const size = u32(tiff, at + 16 * k + 4);
      const offset = u32(tiff, at + 16 * k + 8);
      if (offset === 0 || size === 0) continue; // an entry without data of its own
      // Images are stored one after the other: an entry inside an earlier one is a malformed index (and would
      // have the same bytes decoded again and again).
      const prev = out[out.length - 1];
      if (prev && tiffOffset + offset < prev.offset + prev.size) return null;
      out.push({ offset: tiffOffset + offset, size });
    }
    return out;
  }
  return null;
}
