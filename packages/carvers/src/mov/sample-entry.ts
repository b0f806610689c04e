/**
 * Sample descriptions (stsd, ISO/IEC 14496-12 §8.5.2; QuickTime "sample
 * description atom"): the codec fourcc of each entry, the coded size of
 * visual entries, and how a sample of the codec can be checked: the NAL
 * length size from avcC (ISO/IEC 14496-15 §5.3.3) or hvcC (§8.3.3), or a
 * start pattern for Motion JPEG and H.263.
 */
import { BoxBudget, childBoxes, findBox, payload, u32be, type BoxHeader, type Reader } from '@rawcarve/core';

export type SampleCheck =
  | { kind: 'nal'; codec: 'avc' | 'hevc'; lengthSize: number }
  /** JPEG interchange format: SOI (FF D8). */
  | { kind: 'jpeg' }
  /** H.263 picture start code: 22 bits 0000 0000 0000 0000 1000 00. */
  | { kind: 'h263' }
  | { kind: 'none' };

export interface SampleEntry {
  format: string;
  width: number;
  height: number;
  check: SampleCheck;
}

const AVC = new Set(['avc1', 'avc2', 'avc3', 'avc4']);
const HEVC = new Set(['hvc1', 'hev1', 'dvh1', 'dvhe']);
const JPEG = new Set(['jpeg', 'mjpa']);
const H263 = new Set(['s263', 'h263']);
/** VisualSampleEntry fields before its child boxes: 8 (SampleEntry) + 70. */
const VISUAL_HEADER = 78;
/** Entries read at most; devices write one. */
const MAX_ENTRIES = 16;

/** The entries of an stsd box. Unknown or damaged entries come back with check 'none'. */
export function parseSampleEntries(reader: Reader, stsd: BoxHeader, budget: BoxBudget): SampleEntry[] {
  const head = reader.bytes(payload(stsd), 8);
  if (head.length < 8) return [];
  const count = Math.min(u32be(head, 4), MAX_ENTRIES);
  const list = childBoxes(reader, payload(stsd) + 8, stsd.end, budget);
  return list.boxes.slice(0, count).map((e) => parseEntry(reader, e, budget));
}

function parseEntry(reader: Reader, entry: BoxHeader, budget: BoxBudget): SampleEntry {
  const format = entry.type;
  const base = payload(entry);
  const visual = AVC.has(format) || HEVC.has(format) || JPEG.has(format) || H263.has(format);
  let width = 0;
  let height = 0;
  const h = reader.bytes(base, VISUAL_HEADER);
  if (visual && h.length === VISUAL_HEADER && entry.end - base >= VISUAL_HEADER) {
    width = (h[24]! << 8) | h[25]!;
    height = (h[26]! << 8) | h[27]!;
  }
  const out = (check: SampleCheck): SampleEntry => ({ format, width, height, check });
  if (JPEG.has(format)) return out({ kind: 'jpeg' });
  if (H263.has(format)) return out({ kind: 'h263' });
  if (!AVC.has(format) && !HEVC.has(format)) return out({ kind: 'none' });
  if (entry.end - base < VISUAL_HEADER) return out({ kind: 'none' });
  const kids = childBoxes(reader, base + VISUAL_HEADER, entry.end, budget).boxes;
  if (AVC.has(format)) {
    const avcC = findBox(kids, 'avcC');
    // AVCDecoderConfigurationRecord: version, profile, compat, level, then 6 reserved bits + lengthSizeMinusOne.
    const b = avcC ? reader.bytes(payload(avcC), 5) : new Uint8Array(0);
    if (b.length < 5 || b[0] !== 1) return out({ kind: 'none' });
    return out({ kind: 'nal', codec: 'avc', lengthSize: (b[4]! & 3) + 1 });
  }
  const hvcC = findBox(kids, 'hvcC');
  // HEVCDecoderConfigurationRecord: byte 21 holds constantFrameRate, numTemporalLayers, temporalIdNested, lengthSizeMinusOne.
  const b = hvcC ? reader.bytes(payload(hvcC), 22) : new Uint8Array(0);
  if (b.length < 22 || b[0] !== 1) return out({ kind: 'none' });
  return out({ kind: 'nal', codec: 'hevc', lengthSize: (b[21]! & 3) + 1 });
}

/** True when the first bytes of a sample match its codec's start pattern (jpeg, h263). */
export function startMatches(check: SampleCheck, b: Uint8Array): boolean {
  if (check.kind === 'jpeg') return b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;
  if (check.kind === 'h263') return b.length >= 3 && b[0] === 0 && b[1] === 0 && (b[2]! & 0xfc) === 0x80;
  return true;
}
