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

/**
 * What an MPF segment says: the secondary images its index lists (entries
 * after the first; none when the IFD holds no MPEntry, as the MP Attribute
 * IFD of an individual image does), or why the index cannot be read.
 */
export type MpfIndex = { readonly ok: true; readonly entries: MpEntry[] } | { readonly ok: false; readonly why: string };

/** Reads the MP Index IFD of an MPF segment's TIFF bytes (`tiffOffset`: their image offset). */
export function mpfIndex(tiff: Uint8Array, tiffOffset: number): MpfIndex {
  const bad = (why: string): MpfIndex => ({ ok: false, why });
  if (tiff.length < 8) return bad(`${tiff.length} bytes cannot hold a TIFF header`);
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return bad('no TIFF byte order mark (II or MM)');
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  if (u16(tiff, 2) !== 42) return bad(`TIFF magic ${u16(tiff, 2)}, not 42`);
  const ifd = u32(tiff, 4);
  if (ifd + 2 > tiff.length) return bad(`the IFD offset ${ifd} lies past the ${tiff.length}-byte index`);
  const count = u16(tiff, ifd);
  if (ifd + 2 + count * 12 > tiff.length) return bad(`${count} IFD entries run past the ${tiff.length}-byte index`);
  for (let i = 0; i < count; i++) {
    const e = ifd + 2 + i * 12;
    if (u16(tiff, e) !== MP_ENTRY) continue;
    const bytes = u32(tiff, e + 4);
    const at = u32(tiff, e + 8);
    const n = bytes / 16;
    if (!Number.isInteger(n) || n < 1 || n > MAX_IMAGES) return bad(`an MPEntry of ${bytes} bytes is not 1 to ${MAX_IMAGES} entries of 16 bytes`);
    if (at + bytes > tiff.length) return bad(`the MPEntry list at ${at} (${bytes} bytes) runs past the ${tiff.length}-byte index`);
    const out: MpEntry[] = [];
    for (let k = 1; k < n; k++) {
      const size = u32(tiff, at + 16 * k + 4);
      const offset = u32(tiff, at + 16 * k + 8);
      if (offset === 0 || size === 0) continue; // an entry without data of its own
      // Images are stored one after the other: an entry inside an earlier one is a malformed index (and would
      // have the same bytes decoded again and again).
      const prev = out[out.length - 1];
      if (prev && tiffOffset + offset < prev.offset + prev.size) return bad(`image ${k + 1} at image offset ${tiffOffset + offset} starts inside the image before it`);
      out.push({ offset: tiffOffset + offset, size });
    }
    return { ok: true, entries: out };
  }
  return { ok: true, entries: [] };
}
