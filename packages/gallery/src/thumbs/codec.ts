/**
 * Decoding and encoding for thumbnails, bounded against decompression bombs:
 * jpeg-js (baseline and progressive JPEG, pure JavaScript) with a pixel and a
 * memory limit; heic-decode (libheif in WebAssembly) for HEIC/HEIF.
 */
import jpeg from 'jpeg-js';
import type { Rgba } from './pixels.js';

/** Pictures above this many megapixels are not decoded (a 200 MP phone photo is below). */
export const MAX_MEGAPIXELS = 210;
/** jpeg-js's own memory limit for one decode. */
const MAX_DECODE_MIB = 1536;

export function decodeJpeg(bytes: Uint8Array): Rgba {
  const img = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: true,
    tolerantDecoding: true,
    maxResolutionInMP: MAX_MEGAPIXELS,
    maxMemoryUsageInMB: MAX_DECODE_MIB,
  });
  if (!img.width || !img.height) throw new Error('the JPEG decoded to an empty picture');
  return { width: img.width, height: img.height, data: img.data };
}

export function encodeJpeg(img: Rgba, quality = 78): Uint8Array {
  const data = img.data instanceof Uint8Array ? img.data : new Uint8Array(img.data.buffer, img.data.byteOffset, img.data.length);
  return jpeg.encode({ width: img.width, height: img.height, data }, quality).data;
}

interface Box {
  type: string;
  start: number;
  headerSize: number;
  end: number;
}

function boxes(b: Uint8Array, start: number, end: number, max = 4096): Box[] {
  const dv = new DataView(b.buffer, b.byteOffset, b.length);
  const out: Box[] = [];
  for (let at = start; at + 8 <= end && out.length < max; ) {
    let size = dv.getUint32(at);
    let headerSize = 8;
    if (size === 1) {
      if (at + 16 > end) break;
      size = Number(dv.getBigUint64(at + 8));
      headerSize = 16;
    } else if (size === 0) size = end - at;
    if (size < headerSize || at + size > end) break;
    out.push({ type: String.fromCharCode(b[at + 4]!, b[at + 5]!, b[at + 6]!, b[at + 7]!), start: at, headerSize, end: at + size });
    at += size;
  }
  return out;
}

/**
 * A copy of a HEIF file in which its thumbnail of the primary image is an
 * ordinary image (the iref 'thmb' boxes renamed), so libheif lists and decodes
 * it: a 320×240 decode instead of a 12 MP one. Null when the file has no
 * thumbnail of its primary image.
 */
export function heifWithThumbnailExposed(file: Uint8Array): Uint8Array | null {
  const meta = boxes(file, 0, file.length).find((x) => x.type === 'meta');
  if (!meta) return null;
  const kids = boxes(file, meta.start + meta.headerSize + 4, meta.end);
  const pitm = kids.find((k) => k.type === 'pitm');
  const iref = kids.find((k) => k.type === 'iref');
  if (!pitm || !iref || pitm.end - pitm.start < 14) return null;
  const dv = new DataView(file.buffer, file.byteOffset, file.length);
  const primary = file[pitm.start + 8] === 0 ? dv.getUint16(pitm.start + 12) : dv.getUint32(pitm.start + 12);
  const wide = file[iref.start + 8] !== 0;
  const refs = boxes(file, iref.start + 12, iref.end).filter((r) => r.type === 'thmb');
  const ofPrimary = refs.some((r) => {
    let p = r.start + 8 + (wide ? 4 : 2);
    if (p + 2 > r.end) return false;
    const n = dv.getUint16(p);
    p += 2;
    for (let i = 0; i < n && p + (wide ? 4 : 2) <= r.end; i++, p += wide ? 4 : 2) if ((wide ? dv.getUint32(p) : dv.getUint16(p)) === primary) return true;
    return false;
  });
  if (!ofPrimary) return null;
  const copy = new Uint8Array(file);
  for (const r of refs) copy.set([0x78, 0x68, 0x6d, 0x62], r.start + 4); // 'xhmb': an unknown reference type, ignored
  return copy;
}

/** HEIF pictures above this are not decoded (256 MP: above every camera's, the 200 MP Samsung S24 Ultra included). */
const MAX_HEIF_PIXELS = 256 * 1000 * 1000;

/** Decodes a HEIF file's smallest top-level image (`smallest`) or its primary one. */
export async function decodeHeif(file: Uint8Array, smallest: boolean): Promise<Rgba> {
  const { default: decode } = await import('heic-decode');
  const all = (await decode.all({ buffer: file })) as unknown as { width: number; height: number; decode(): Promise<{ width: number; height: number; data: Uint8ClampedArray }> }[];
  try {
    if (all.length === 0) throw new Error('no image in the HEIF file');
    // Sizes come from ispe before anything is decoded: a few bytes may claim 65535 x 65535.
    const pick = smallest ? all.reduce((a, x) => (x.width * x.height < a.width * a.height ? x : a)) : all.reduce((a, x) => (x.width * x.height > a.width * a.height ? x : a));
    if (pick.width * pick.height > MAX_HEIF_PIXELS) throw new Error(`${pick.width}x${pick.height} is above the ${MAX_HEIF_PIXELS / 1e6} MP limit`);
    if (!smallest) {
      const img = await decode({ buffer: file });
      return { width: img.width, height: img.height, data: img.data };
    }
    const img = await pick.decode();
    return { width: img.width, height: img.height, data: img.data };
  } finally {
    (all as unknown as { dispose?: () => void }).dispose?.();
  }
}
