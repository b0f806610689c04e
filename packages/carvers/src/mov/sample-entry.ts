/**
 * Sample descriptions (stsd, ISO/IEC 14496-12 §8.5.2; QuickTime "sample
 * description atom"): the codec fourcc of each entry, the coded size of
 * visual entries, and how a sample of the codec can be checked: the NAL
 * length size from avcC (ISO/IEC 14496-15 §5.3.3) or hvcC (§8.3.3), or a
 * start pattern for Motion JPEG and H.263.
 */
import { BoxBudget, childBoxes, findBox, payload, u32be, type BoxHeader, type Reader } from '@rawcarve/core';

export type SampleCheck =
  /** `config`: where the avcC/hvcC payload (the decoder configuration record) lies, in the reader's offsets. */
  | { kind: 'nal'; codec: 'avc' | 'hevc'; lengthSize: number; config: { offset: number; length: number } }
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
/** Box types of a file's structure, never a codec's sample entry. */
const NOT_SAMPLE_ENTRIES = new Set([
  'stsd', 'stts', 'ctts', 'stsc', 'stsz', 'stz2', 'stco', 'co64', 'stss', 'stbl', 'minf', 'mdia', 'trak', 'moov', 'mvhd', 'tkhd', 'mdhd', 'hdlr',
  'mdat', 'moof', 'traf', 'ftyp', 'meta', 'udta', 'iinf', 'iloc', 'ipco', 'iprp', 'free', 'skip', 'wide', 'uuid', 'dinf', 'dref', 'edts', 'elst',
  'idat', 'iref', 'pitm', 'infe', 'ipma', 'mvex', 'trex', 'mehd', 'mfhd', 'tfhd', 'trun', 'tfdt', 'sidx', 'mfra', 'tfra', 'mfro', 'sefd',
  'avcC', 'hvcC', 'av1C', 'esds', 'pasp', 'colr', 'btrt', 'fiel', 'clap', 'vmhd', 'smhd',
]);
/** Boxes that are never the children of a sample entry (decoders reject such a movie). */
const NOT_IN_ENTRIES = new Set(['mdat', 'moov', 'moof', 'trak', 'mdia', 'minf', 'stbl', 'stsd', 'stts', 'stsc', 'stsz', 'stz2', 'stco', 'co64', 'traf', 'ftyp', 'mvhd', 'tkhd', 'mdhd', 'hdlr']);
/** Decoder configuration boxes and the sample entry types they configure. */
const CONFIG_OF: Record<string, ReadonlySet<string>> = {
  avcC: new Set([...AVC, 'avcp']),
  hvcC: new Set([...HEVC, 'dvhe', 'dvh1']),
  d263: H263,
  av1C: new Set(['av01']),
  vpcC: new Set(['vp08', 'vp09']),
  esds: new Set(['mp4a', 'mp4v', 'mp4s']),
  dac3: new Set(['ac-3']),
  dec3: new Set(['ec-3']),
  dOps: new Set(['Opus']),
};
/** AudioSampleEntry (version 0) fields before its child boxes: 8 + 20. */
const AUDIO_HEADER = 28;
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
  const list = childBoxes(reader, base + VISUAL_HEADER, entry.end, budget);
  if (list.problem) return out({ kind: 'none' });
  const kids = list.boxes;
  if (AVC.has(format)) {
    const avcC = findBox(kids, 'avcC');
    // AVCDecoderConfigurationRecord: version, profile, compat, level, then 6 reserved bits + lengthSizeMinusOne, then the parameter sets (7 bytes at least).
    const b = avcC && avcC.end - payload(avcC) >= 7 ? reader.bytes(payload(avcC), 5) : new Uint8Array(0);
    if (b.length < 5 || b[0] !== 1) return out({ kind: 'none' });
    return out({ kind: 'nal', codec: 'avc', lengthSize: (b[4]! & 3) + 1, config: { offset: payload(avcC!), length: avcC!.end - payload(avcC!) } });
  }
  const hvcC = findBox(kids, 'hvcC');
  // HEVCDecoderConfigurationRecord: 23 bytes before its arrays; byte 21 holds constantFrameRate, numTemporalLayers, temporalIdNested, lengthSizeMinusOne.
  const b = hvcC && hvcC.end - payload(hvcC) >= 23 ? reader.bytes(payload(hvcC), 22) : new Uint8Array(0);
  if (b.length < 22 || b[0] !== 1) return out({ kind: 'none' });
  return out({ kind: 'nal', codec: 'hevc', lengthSize: (b[21]! & 3) + 1, config: { offset: payload(hvcC!), length: hvcC!.end - payload(hvcC!) } });
}

/** True when the first bytes of a sample match its codec's start pattern (jpeg, h263). */
export function startMatches(check: SampleCheck, b: Uint8Array): boolean {
  if (check.kind === 'jpeg') return b.length >= 2 && b[0] === 0xff && b[1] === 0xd8;
  if (check.kind === 'h263') return b.length >= 3 && b[0] === 0 && b[1] === 0 && (b[2]! & 0xfc) === 0x80;
  return true;
}

/**
 * What is wrong with a track's sample descriptions, or null: the entry count
 * must match the entries, and an H.264/HEVC entry needs its decoder
 * configuration (avcC/hvcC, version 1), without which no decoder can play it.
 */
export function stsdProblem(reader: Reader, stsd: BoxHeader, budget: BoxBudget, entries: readonly SampleEntry[]): string | null {
  const head = reader.bytes(payload(stsd), 8);
  if (head.length < 8) return 'stsd is cut';
  const list = childBoxes(reader, payload(stsd) + 8, stsd.end, budget);
  if (list.problem) return `stsd: ${list.problem}`;
  const count = u32be(head, 4);
  if (count !== list.boxes.length || count === 0) return `stsd claims ${count} entries and holds ${list.boxes.length}`;
  const broken = entries.findIndex((e) => (AVC.has(e.format) || HEVC.has(e.format)) && e.check.kind !== 'nal');
  if (broken >= 0) return `sample entry ${broken + 1} ('${entries[broken]!.format}') has no valid decoder configuration`;
  // A sample entry with a 64-bit size: legal for a box, but no writer makes one and decoders (ffmpeg) refuse it.
  const large = list.boxes.find((b) => b.headerSize !== 8 && b.type !== 'uuid');
  if (large) return `'${large.type}' sample entry at image offset ${large.start} has a 64-bit size`;
  const odd = list.boxes.find((b) => NOT_SAMPLE_ENTRIES.has(b.type));
  if (odd) return `a '${odd.type}' box at image offset ${odd.start} stands where a sample entry must`;
  for (const e of list.boxes) {
    // A visual entry's child boxes (avcC, pasp, colr, fiel, ...) must tile it: decoders parse them all.
    const visual = AVC.has(e.type) || HEVC.has(e.type) || JPEG.has(e.type) || H263.has(e.type);
    if (!visual) {
      // An entry carrying a codec's configuration box is of that codec (or encrypted): another type is a damaged name.
      if (e.type === 'encv' || e.type === 'enca') continue;
      for (const skip of [VISUAL_HEADER, AUDIO_HEADER]) {
        const kids = e.end - payload(e) >= skip + 8 ? childBoxes(reader, payload(e) + skip, e.end, budget) : null;
        const conf = kids && !kids.problem ? kids.boxes.find((k) => CONFIG_OF[k.type] !== undefined) : undefined;
        if (conf && !CONFIG_OF[conf.type]!.has(e.type)) return `'${e.type}' sample entry at image offset ${e.start} holds an '${conf.type}', which belongs to another codec`;
        if (conf) break;
      }
      continue;
    }
    if (e.end - payload(e) < VISUAL_HEADER) return `'${e.type}' sample entry at image offset ${e.start} is too short`;
    const kids = childBoxes(reader, payload(e) + VISUAL_HEADER, e.end, budget);
    if (kids.problem) return `'${e.type}' sample entry: ${kids.problem}`;
    const stray = kids.boxes.find((k) => NOT_IN_ENTRIES.has(k.type));
    if (stray) return `'${e.type}' sample entry holds a '${stray.type}' box`;
    const conf = kids.boxes.find((k) => CONFIG_OF[k.type] !== undefined && !CONFIG_OF[k.type]!.has(e.type));
    if (conf) return `'${e.type}' sample entry holds an '${conf.type}', which belongs to another codec`;
  }
  return null;
}
