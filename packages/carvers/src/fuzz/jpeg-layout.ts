/**
 * The marker layout of a *known-good* JPEG, for mutators and the oracle.
 * Independent of jpeg/walk.ts (the code under test): it needs to be right
 * on valid originals only.
 */
export interface JpegSegment {
  /** Marker code (0xC0.. 0xFE). */
  readonly marker: number;
  /** Offset of the marker's FF. */
  readonly start: number;
  /** Offset of the payload (after the 2-byte length). */
  readonly payload: number;
  /** Offset just past the segment. */
  readonly end: number;
}

export interface JpegScan {
  readonly sos: JpegSegment;
  /** Entropy-coded data [dataStart, dataEnd) (restart markers included). */
  readonly dataStart: number;
  readonly dataEnd: number;
}

export interface JpegImage {
  readonly start: number;
  readonly segments: JpegSegment[];
  readonly scans: JpegScan[];
  /** Offset just past EOI. */
  readonly end: number;
}

/** Walks the JPEG at `start`; null when it is not a well-formed one. */
export function jpegLayout(b: Uint8Array, start = 0): JpegImage | null {
  if (b[start] !== 0xff || b[start + 1] !== 0xd8) return null;
  const segments: JpegSegment[] = [];
  const scans: JpegScan[] = [];
  let pos = start + 2;
  for (let guard = 0; guard < 100_000; guard++) {
    if (pos + 2 > b.length || b[pos] !== 0xff) return null;
    while (b[pos + 1] === 0xff && pos + 2 < b.length) pos++;
    const m = b[pos + 1]!;
    if (m === 0xd9) return { start, segments, scans, end: pos + 2 };
    if (pos + 4 > b.length) return null;
    const len = (b[pos + 2]! << 8) | b[pos + 3]!;
    const seg = { marker: m, start: pos, payload: pos + 4, end: pos + 2 + len };
    if (len < 2 || seg.end > b.length) return null;
    segments.push(seg);
    pos = seg.end;
    if (m === 0xda) {
      let i = pos;
      for (; i + 1 < b.length; i++) {
        if (b[i] !== 0xff) continue;
        const n = b[i + 1]!;
        if (n === 0 || (n >= 0xd0 && n <= 0xd7) || n === 0xff) continue;
        break;
      }
      if (i + 1 >= b.length) return null;
      // Fill bytes before the marker belong to neither.
      let e = i;
      while (e > pos && b[e - 1] === 0xff) e--;
      scans.push({ sos: seg, dataStart: pos, dataEnd: e });
      pos = i;
    }
  }
  return null;
}

/** The APPn identifier (NUL-terminated ASCII at the payload start). */
export function appId(b: Uint8Array, seg: JpegSegment): string {
  let s = '';
  for (let i = seg.payload; i < Math.min(seg.end, seg.payload + 12) && b[i] !== 0; i++) s += String.fromCharCode(b[i]!);
  return s;
}
