/**
 * Maker-note preview images stored after the primary image's EOI (Minolta,
 * Samsung Techwin and others). They belong to the file only because a
 * pointer in the EXIF data says so: this collects every 32-bit value of the
 * EXIF IFDs (IFD0, Exif IFD, IFD1 and a maker note laid out as an IFD), which
 * the carver then matches against a complete JPEG found right after EOI.
 */
import { u16be, u16le, u32be, u32le } from '@rawcarve/core';

const MAX_ENTRIES = 512;
const EXIF_IFD = 0x8769;
const MAKER_NOTE = 0x927c;
/** Header lengths before a maker note's IFD ("Nikon\0...", "OLYMP\0", none, ...). */
const MAKER_HEADER_SKIPS = [0, 8, 10, 12, 14, 18];

export interface ExifPointer {
  value: number;
  /** What the value counts from: the TIFF header (IFD offsets) or the file's first byte (Samsung STMN). */
  base: 'tiff' | 'file';
}

/** 32-bit values found in the IFDs, each a possible offset of a preview image. */
export function exifPointers(tiff: Uint8Array): ExifPointer[] {
  if (tiff.length < 8) return [];
  const le = tiff[0] === 0x49;
  if (!le && tiff[0] !== 0x4d) return [];
  const u16 = le ? u16le : u16be;
  const u32 = le ? u32le : u32be;
  const values: ExifPointer[] = [];
  const seen = new Set<number>();
  const known = new Set<string>();
  const add = (p: ExifPointer): void => {
    // Each distinct pointer once: the carver walks a JPEG at each, and repeats would walk the same one again.
    const key = `${p.base}:${p.value}`;
    if (!known.has(key)) {
      known.add(key);
      values.push(p);
    }
  };

  const ifd = (at: number, depth: number): number => {
    if (depth > 3 || seen.has(at) || at < 8 || at + 2 > tiff.length) return 0;
    seen.add(at);
    const n = u16(tiff, at);
    if (n === 0 || n > MAX_ENTRIES || at + 2 + n * 12 + 4 > tiff.length) return 0;
    for (let i = 0; i < n; i++) {
      const e = at + 2 + i * 12;
      const tag = u16(tiff, e);
      const type = u16(tiff, e + 2);
      const count = u32(tiff, e + 4);
      if (count !== 1 || (type !== 4 && type !== 3 && type !== 13)) {
        if (tag === MAKER_NOTE && count > 16) {
          const mn = u32(tiff, e + 8);
          if (stmn(tiff, mn)) {
            // Samsung Techwin: "STMN0100", u32le preview start (from the file's start), u32le length.
            add({ value: u32le(tiff, mn + 8), base: 'file' });
            continue;
          }
          for (const skip of MAKER_HEADER_SKIPS) if (ifd(mn + skip, depth + 1) > 0) break;
        }
        continue;
      }
      const v = type === 3 ? u16(tiff, e + 8) : u32(tiff, e + 8);
      add({ value: v, base: 'tiff' });
      if (tag === EXIF_IFD) ifd(v, depth + 1);
    }
    return n;
  };
  ifd(u32(tiff, 4), 0);
  // IFD1 (the thumbnail's IFD) follows IFD0.
  const first = u32(tiff, 4);
  if (first + 2 <= tiff.length) {
    const n = u16(tiff, first);
    const nextAt = first + 2 + n * 12;
    if (nextAt + 4 <= tiff.length) ifd(u32(tiff, nextAt), 0);
  }
  return values;
}

function stmn(tiff: Uint8Array, at: number): boolean {
  return at + 16 <= tiff.length && tiff[at] === 0x53 && tiff[at + 1] === 0x54 && tiff[at + 2] === 0x4d && tiff[at + 3] === 0x4e;
}

/** How far after EOI a preview may start (cameras pad to a boundary). */
export const MAX_PREVIEW_GAP = 4096;
/**
 * Candidates (pointed-at SOIs in that gap) walked at most, nearest first.
 * Cameras name one preview; each walk may decode up to the size limit, so
 * hundreds of headers sharing one long scan would decode it hundreds of times.
 */
export const MAX_PREVIEW_WALKS = 4;
