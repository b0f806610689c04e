/**
 * The EXIF thumbnail of a JPEG (IFD1: JPEGInterchangeFormat 0x0201 and its
 * length 0x0202, offsets from the TIFF header in the APP1 "Exif" segment).
 * Cameras and phones put a 160×120 preview there: the gallery shows it
 * instead of decoding a 12 MP picture. Bounds-checked throughout: the bytes
 * come from the evidence.
 */

const MAX_SEGMENTS = 64;

/** The APP1 Exif TIFF bytes of a JPEG, or null (looked for among the segments before the first scan). */
export function exifTiff(jpeg: Uint8Array): Uint8Array | null {
  if (jpeg.length < 4 || jpeg[0] !== 0xff || jpeg[1] !== 0xd8) return null;
  let pos = 2;
  for (let i = 0; i < MAX_SEGMENTS && pos + 4 <= jpeg.length; i++) {
    if (jpeg[pos] !== 0xff) return null;
    const marker = jpeg[pos + 1]!;
    if (marker === 0xff) {
      pos++; // fill byte
      continue;
    }
    if (marker === 0xda || marker === 0xd9) return null;
    const len = (jpeg[pos + 2]! << 8) | jpeg[pos + 3]!;
    if (len < 2 || pos + 2 + len > jpeg.length) return null;
    if (marker === 0xe1 && len > 8) {
      const p = pos + 4;
      if (jpeg[p] === 0x45 && jpeg[p + 1] === 0x78 && jpeg[p + 2] === 0x69 && jpeg[p + 3] === 0x66 && jpeg[p + 4] === 0 && jpeg[p + 5] === 0) {
        return jpeg.subarray(p + 6, pos + 2 + len);
      }
    }
    pos += 2 + len;
  }
  return null;
}

/** The IFD1 JPEG thumbnail inside TIFF bytes, or null when there is none or it does not fit. */
export function tiffThumbnail(tiff: Uint8Array): Uint8Array | null {
  if (tiff.length < 8) return null;
  const le = tiff[0] === 0x49 && tiff[1] === 0x49;
  if (!le && !(tiff[0] === 0x4d && tiff[1] === 0x4d)) return null;
  const u16 = (o: number): number => (o + 2 > tiff.length ? -1 : le ? tiff[o]! | (tiff[o + 1]! << 8) : (tiff[o]! << 8) | tiff[o + 1]!);
  const u32 = (o: number): number =>
    o + 4 > tiff.length ? -1 : le ? (tiff[o]! | (tiff[o + 1]! << 8) | (tiff[o + 2]! << 16) | (tiff[o + 3]! << 24)) >>> 0 : ((tiff[o]! << 24) | (tiff[o + 1]! << 16) | (tiff[o + 2]! << 8) | tiff[o + 3]!) >>> 0;
  if (u16(2) !== 42) return null;
  const ifd0 = u32(4);
  const n0 = u16(ifd0);
  if (ifd0 < 8 || n0 < 0) return null;
  const ifd1 = u32(ifd0 + 2 + n0 * 12);
  if (ifd1 <= 0 || ifd1 === ifd0) return null;
  const n1 = u16(ifd1);
  if (n1 < 0 || n1 > 512) return null;
  let offset = -1;
  let length = -1;
  for (let i = 0; i < n1; i++) {
    const e = ifd1 + 2 + i * 12;
    const tag = u16(e);
    if (tag === 0x0201) offset = u32(e + 8);
    else if (tag === 0x0202) length = u32(e + 8);
  }
  if (offset <= 0 || length <= 0 || offset + length > tiff.length) return null;
  const thumb = tiff.subarray(offset, offset + length);
  return thumb[0] === 0xff && thumb[1] === 0xd8 ? thumb : null;
}

/** The embedded EXIF thumbnail of a JPEG, or null. */
export function jpegExifThumbnail(jpeg: Uint8Array): Uint8Array | null {
  const tiff = exifTiff(jpeg);
  return tiff ? tiffThumbnail(tiff) : null;
}
