/**
 * Metadata of a carved JPEG: exifr (reviveValues:false, so dates stay the raw
 * EXIF strings an examiner can quote) over the APP1 Exif TIFF bytes, plus
 * Apple's content identifier from the Apple MakerNote (Live Photo pairing).
 */
import exifr from 'exifr';
import { u16be, type CarveResult, type Metadata, type MetadataValue, type Reader } from '@rawcarve/core';

const MAX_HEADER_SEGMENTS = 64;

/** Finds the APP1 Exif TIFF bytes among the segments before the first scan. */
export function findExifTiff(reader: Reader, offset: number): Uint8Array | null {
  let pos = offset + 2;
  for (let i = 0; i < MAX_HEADER_SEGMENTS; i++) {
    const h = reader.bytes(pos, 4);
    if (h.length < 4 || h[0] !== 0xff) return null;
    const m = h[1]!;
    if (m === 0xda || m === 0xd9) return null;
    const len = u16be(h, 2);
    if (len < 2) return null;
    if (m === 0xe1 && len > 8) {
      const p = reader.bytes(pos + 4, len - 2);
      if (p[0] === 0x45 && p[1] === 0x78 && p[2] === 0x69 && p[3] === 0x66 && p[4] === 0 && p[5] === 0) return p.subarray(6);
    }
    pos += 2 + len;
  }
  return null;
}

/** Metadata from EXIF, JSON-safe. Empty when the file has none. */
export async function describeJpeg(reader: Reader, result: CarveResult): Promise<Metadata> {
  const tiff = findExifTiff(reader, result.byteRuns[0]!.imgOffset);
  if (!tiff) return {};
  return describeTiff(tiff);
}

/** Shared with HEIC: EXIF metadata from TIFF bytes. */
export async function describeTiff(tiff: Uint8Array): Promise<Metadata> {
  const raw = (await exifr.parse(Buffer.from(tiff.buffer, tiff.byteOffset, tiff.length), {
    tiff: true,
    ifd0: {},
    exif: true,
    gps: true,
    ifd1: false,
    makerNote: true,
    reviveValues: false,
    translateKeys: true,
    translateValues: false,
    mergeOutput: true,
  })) as Record<string, unknown> | undefined;
  if (!raw) return {};
  const out: Metadata = {};
  const pick = (key: string, from: string): void => {
    const v = jsonSafe(raw[from]);
    if (v !== null && v !== '') out[key] = v;
  };
  pick('make', 'Make');
  pick('model', 'Model');
  pick('software', 'Software');
  pick('dateTimeOriginal', 'DateTimeOriginal');
  pick('createDate', 'CreateDate');
  pick('modifyDate', 'ModifyDate');
  pick('offsetTimeOriginal', 'OffsetTimeOriginal');
  pick('orientation', 'Orientation');
  pick('exifImageWidth', 'ExifImageWidth');
  pick('exifImageHeight', 'ExifImageHeight');
  pick('lensModel', 'LensModel');
  const lat = gpsDecimal(raw['GPSLatitude'], raw['GPSLatitudeRef']);
  const lon = gpsDecimal(raw['GPSLongitude'], raw['GPSLongitudeRef']);
  if (lat !== null && lon !== null) {
    out['latitude'] = lat;
    out['longitude'] = lon;
  }
  const mn = raw['makerNote'];
  if (mn instanceof Uint8Array) {
    const id = appleContentIdentifier(mn);
    if (id) out['contentIdentifier'] = id;
  }
  return out;
}

function gpsDecimal(v: unknown, ref: unknown): number | null {
  if (!Array.isArray(v) || v.length !== 3 || !v.every((x) => typeof x === 'number' && Number.isFinite(x))) return null;
  const [d, m, s] = v as number[];
  let deg = d! + m! / 60 + s! / 3600;
  if (ref === 'S' || ref === 'W') deg = -deg;
  return Math.abs(deg) <= 180 ? Math.round(deg * 1e7) / 1e7 : null;
}

/** Apple MakerNote: "Apple iOS\0", u16 version, "MM", then an IFD whose tag 0x0011 is the content identifier. */
export function appleContentIdentifier(mn: Uint8Array): string | null {
  const sig = 'Apple iOS\0';
  if (mn.length < 16 || ![...sig].every((c, i) => mn[i] === c.charCodeAt(0))) return null;
  const count = u16be(mn, 14);
  for (let i = 0; i < count && 16 + i * 12 + 12 <= mn.length; i++) {
    const e = 16 + i * 12;
    if (u16be(mn, e) !== 0x0011) continue;
    const n = (mn[e + 4]! << 24) | (mn[e + 5]! << 16) | (mn[e + 6]! << 8) | mn[e + 7]!;
    const at = n <= 4 ? e + 8 : ((mn[e + 8]! << 24) | (mn[e + 9]! << 16) | (mn[e + 10]! << 8) | mn[e + 11]!) >>> 0;
    if (n < 1 || n > 128 || at + n > mn.length) return null;
    return String.fromCharCode(...mn.subarray(at, at + n)).replace(/\0+$/, '');
  }
  return null;
}

function jsonSafe(v: unknown): MetadataValue {
  if (v === undefined || v === null) return null;
  if (typeof v === 'string') return v.replace(/\0+$/, '').trim();
  if (typeof v === 'number') return Number.isFinite(v) ? v : null;
  if (typeof v === 'boolean') return v;
  if (Array.isArray(v)) return v.map(jsonSafe);
  return null;
}
