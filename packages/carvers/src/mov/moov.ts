/**
 * The movie box (moov, ISO/IEC 14496-12 §8.2–8.7; QuickTime "movie atom"):
 * mvhd, every trak's handler, sample descriptions and the sample tables the
 * carver needs to locate samples. Tables stay as views of the image (no
 * copies), so a moov of any size costs its own bytes and nothing more.
 */
import {
  BoxBudget, BoxFieldError, childBoxes, findBox, Fields, MAX_READ, payload, type BoxHeader, type Reader,
} from '@rawcarve/core';
import { parseSampleEntries, stsdProblem, type SampleEntry } from './sample-entry.js';

/** stsc entry (§8.7.4): from chunk `firstChunk` (1-based) on, chunks hold `samplesPerChunk` samples. */
export interface StscEntry {
  firstChunk: number;
  samplesPerChunk: number;
  sampleDescriptionIndex: number;
}

/** Sample sizes (stsz or stz2, §8.7.3): a constant size, or `count` entries of `fieldBits` bits in `table`. */
export interface SampleSizes {
  count: number;
  constant: number;
  fieldBits: number;
  table: Uint8Array;
}

export interface Track {
  trackId: number;
  /** mdia/hdlr handler_type ('vide', 'soun', 'meta', 'tmcd', ...). */
  handler: string;
  /** tkhd width/height (16.16 fixed, integer part). */
  width: number;
  height: number;
  entries: SampleEntry[];
  sizes: SampleSizes;
  stsc: StscEntry[];
  /** stco (4-byte) or co64 (8-byte) chunk offsets, file-relative. */
  chunkOffsets: { table: Uint8Array; entryBytes: 4 | 8; count: number };
  /** stss present (sync samples listed). */
  syncSamples: number | null;
}

export interface Movie {
  timescale: number;
  duration: number;
  /** mvhd creation_time, seconds since 1904-01-01 UTC. */
  creationTime: number;
  tracks: Track[];
  /** mvex present: samples also live in movie fragments (moof). */
  fragmented: boolean;
  /** trex defaults per track_ID (§8.8.3). */
  trex: Map<number, { sampleDescriptionIndex: number; sampleSize: number }>;
  /** moov's children, for metadata (udta, meta). */
  children: BoxHeader[];
  /** Problems that make the moov untrustworthy ('complete' is then impossible). */
  problems: string[];
}

/** Full parse of a moov box whose bytes are in the image. Null when it is not a movie box at all. */
export function parseMoov(reader: Reader, moov: BoxHeader, budget: BoxBudget): Movie | null {
  const list = childBoxes(reader, payload(moov), moov.end, budget);
  const mvhd = findBox(list.boxes, 'mvhd');
  if (!mvhd) return null;
  const problems: string[] = [];
  if (list.problem) problems.push(`moov: ${list.problem}`);
  misplaced(list.boxes, 'moov', problems);
  duplicated(list.boxes, ['mvhd', 'mvex'], 'moov', problems);
  const firstTrak = list.boxes.findIndex((b) => b.type === 'trak');
  // Decoders read the movie's time scale before its tracks (ffmpeg refuses the file otherwise).
  if (firstTrak >= 0 && firstTrak < list.boxes.indexOf(mvhd)) problems.push(`moov at image offset ${moov.start}: mvhd comes after a trak`);
  const movie: Movie = { timescale: 0, duration: 0, creationTime: 0, tracks: [], fragmented: false, trex: new Map(), children: list.boxes, problems };
  try {
    const f = fields(reader, mvhd);
    const version = f.u8();
    f.skip(3);
    movie.creationTime = version === 1 ? f.u64() : f.u32();
    f.skip(version === 1 ? 8 : 4);
    movie.timescale = f.u32();
    movie.duration = version === 1 ? f.u64() : f.u32();
  } catch (e) {
    if (!(e instanceof BoxFieldError)) throw e;
    return null;
  }
  for (const box of list.boxes) {
    if (box.type === 'trak') {
      try {
        const t = parseTrak(reader, box, budget, problems);
        if (t) movie.tracks.push(t);
      } catch (e) {
        if (!(e instanceof BoxFieldError)) throw e;
        problems.push(`trak at image offset ${box.start}: ${e.message}`);
      }
    } else if (box.type === 'mvex') {
      movie.fragmented = true;
      parseMvex(reader, box, budget, movie, problems);
    } else if (box.type === 'meta' || box.type === 'udta') {
      // Metadata containers hold no track structure: a tkhd or stsd in one is a damaged trak (decoders read it as one).
      for (const skip of box.type === 'meta' ? [0, 4] : [0]) {
        const kids = childBoxes(reader, payload(box) + skip, box.end, budget);
        if (kids.problem) continue;
        misplaced(kids.boxes, box.type, problems);
        break;
      }
    }
  }
  return movie;
}

/** A box's payload as a field reader (the box must fit one read: sample tables over 64 MiB are refused). */
export function fields(reader: Reader, box: BoxHeader): Fields {
  const len = box.end - payload(box);
  if (len > MAX_READ) throw new BoxFieldError(box.start, `'${box.type}' of ${box.size} bytes is too large to parse`);
  const b = reader.bytes(payload(box), len);
  if (b.length < len) throw new BoxFieldError(box.start, `'${box.type}' runs past the image`);
  return new Fields(b, payload(box));
}

function parseTrak(reader: Reader, trak: BoxHeader, budget: BoxBudget, problems: string[]): Track | null {
  const kids = childBoxes(reader, payload(trak), trak.end, budget);
  if (kids.problem) problems.push(`trak: ${kids.problem}`);
  misplaced(kids.boxes, 'trak', problems);
  duplicated(kids.boxes, ['tkhd', 'mdia'], 'trak', problems);
  const tkhd = findBox(kids.boxes, 'tkhd');
  const mdia = findBox(kids.boxes, 'mdia');
  if (!tkhd || !mdia) {
    problems.push(`trak at image offset ${trak.start} lacks tkhd or mdia`);
    return null;
  }
  const th = fields(reader, tkhd);
  const v = th.u8();
  th.skip(3 + (v === 1 ? 16 : 8));
  const trackId = th.u32();
  th.skip(4 + (v === 1 ? 8 : 4) + 8 + 8 + 36);
  const width = Math.floor(th.u32() / 65536);
  const height = Math.floor(th.u32() / 65536);
  const m = childBoxes(reader, payload(mdia), mdia.end, budget);
  if (m.problem) problems.push(`mdia of track ${trackId}: ${m.problem}`);
  misplaced(m.boxes, 'mdia', problems);
  duplicated(m.boxes, ['mdhd', 'hdlr', 'minf'], `mdia of track ${trackId}`, problems);
  const hdlr = findBox(m.boxes, 'hdlr');
  const minf = findBox(m.boxes, 'minf');
  if (!hdlr || !findBox(m.boxes, 'mdhd')) problems.push(`track ${trackId}: mdia lacks mdhd or hdlr`);
  let handler = '';
  if (hdlr) {
    const h = fields(reader, hdlr);
    h.skip(8);
    handler = h.fourcc();
  }
  const minfKids = minf ? childBoxes(reader, payload(minf), minf.end, budget) : null;
  if (minfKids?.problem) problems.push(`minf of track ${trackId}: ${minfKids.problem}`);
  if (minfKids) misplaced(minfKids.boxes, 'minf', problems);
  const stbl = minfKids ? findBox(minfKids.boxes, 'stbl') : undefined;
  if (!stbl) {
    problems.push(`trak ${trackId} at image offset ${trak.start} has no minf/stbl`);
    return null;
  }
  const s = childBoxes(reader, payload(stbl), stbl.end, budget);
  if (s.problem) problems.push(`stbl of track ${trackId}: ${s.problem}`);
  misplaced(s.boxes, 'stbl', problems);
  duplicated(s.boxes, ['stsd', 'stts', 'stsc', 'stss', 'ctts', ['stsz', 'stz2'], ['stco', 'co64']], `stbl of track ${trackId}`, problems);
  if (!findBox(s.boxes, 'stts')) problems.push(`track ${trackId}: stbl lacks stts`);
  const stsd = findBox(s.boxes, 'stsd');
  const stsz = findBox(s.boxes, 'stsz') ?? findBox(s.boxes, 'stz2');
  const stscBox = findBox(s.boxes, 'stsc');
  const co = findBox(s.boxes, 'stco') ?? findBox(s.boxes, 'co64');
  if (!stsd || !stsz || !stscBox || !co) {
    problems.push(`track ${trackId}: stbl lacks stsd, stsz/stz2, stsc or stco/co64`);
    return null;
  }
  const stss = findBox(s.boxes, 'stss');
  const entries = parseSampleEntries(reader, stsd, budget);
  const entriesProblem = stsdProblem(reader, stsd, budget, entries);
  if (entriesProblem) problems.push(`track ${trackId}: ${entriesProblem}`);
  return {
    trackId,
    handler,
    width,
    height,
    entries,
    sizes: parseSizes(fields(reader, stsz), stsz.type === 'stz2'),
    stsc: parseStsc(fields(reader, stscBox)),
    chunkOffsets: parseChunkOffsets(fields(reader, co), co.type === 'co64' ? 8 : 4),
    syncSamples: stss ? countOf(fields(reader, stss), 4) : null,
  };
}

/** stsz / stz2: counts are checked against the box size, so a lying sample_count cannot make work. */
function parseSizes(f: Fields, compact: boolean): SampleSizes {
  f.skip(4);
  let constant = 0;
  let fieldBits = 32;
  if (compact) {
    f.skip(3);
    fieldBits = f.u8();
    if (fieldBits !== 4 && fieldBits !== 8 && fieldBits !== 16) throw new BoxFieldError(f.imgOffset - 1, `stz2 field_size ${fieldBits}`);
  } else {
    constant = f.u32();
  }
  const count = f.u32();
  if (constant !== 0) return { count, constant, fieldBits, table: new Uint8Array(0) };
  const bytes = Math.ceil((count * fieldBits) / 8);
  if (bytes > f.left) throw new BoxFieldError(f.imgOffset, `sample_count ${count} needs ${bytes} bytes, the box has ${f.left}`);
  return { count, constant, fieldBits, table: f.bytes(bytes) };
}

/** Size of sample `i` (0-based). */
export function sampleSize(s: SampleSizes, i: number): number {
  if (s.constant !== 0) return s.constant;
  const t = s.table;
  switch (s.fieldBits) {
    case 32: return ((t[4 * i]! << 24) >>> 0) + ((t[4 * i + 1]! << 16) | (t[4 * i + 2]! << 8) | t[4 * i + 3]!);
    case 16: return (t[2 * i]! << 8) | t[2 * i + 1]!;
    case 8: return t[i]!;
    default: return i % 2 === 0 ? t[i >> 1]! >> 4 : t[i >> 1]! & 15;
  }
}

function countOf(f: Fields, entryBytes: number): number {
  f.skip(4);
  const n = f.u32();
  if (n * entryBytes > f.left) throw new BoxFieldError(f.imgOffset, `entry_count ${n} needs ${n * entryBytes} bytes, the box has ${f.left}`);
  return n;
}

function parseStsc(f: Fields): StscEntry[] {
  const n = countOf(f, 12);
  const out: StscEntry[] = [];
  for (let i = 0; i < n; i++) out.push({ firstChunk: f.u32(), samplesPerChunk: f.u32(), sampleDescriptionIndex: f.u32() });
  return out;
}

function parseChunkOffsets(f: Fields, entryBytes: 4 | 8): Track['chunkOffsets'] {
  const count = countOf(f, entryBytes);
  return { table: f.bytes(count * entryBytes), entryBytes, count };
}

/** Offset of chunk `i` (0-based); Infinity for 64-bit values beyond 2^53. */
export function chunkOffset(c: Track['chunkOffsets'], i: number): number {
  const t = c.table;
  const at = i * c.entryBytes;
  const u32 = (k: number) => ((t[k]! << 24) >>> 0) + ((t[k + 1]! << 16) | (t[k + 2]! << 8) | t[k + 3]!);
  if (c.entryBytes === 4) return u32(at);
  const hi = u32(at);
  return hi >= 0x200000 ? Infinity : hi * 0x100000000 + u32(at + 4);
}

function parseMvex(reader: Reader, mvex: BoxHeader, budget: BoxBudget, movie: Movie, problems: string[]): void {
  const kids = childBoxes(reader, payload(mvex), mvex.end, budget);
  if (kids.problem) problems.push(`mvex: ${kids.problem}`);
  misplaced(kids.boxes, 'mvex', problems);
  for (const b of kids.boxes) {
    if (b.type !== 'trex') continue;
    try {
      const f = fields(reader, b);
      f.skip(4);
      const trackId = f.u32();
      const sampleDescriptionIndex = f.u32();
      f.skip(4);
      movie.trex.set(trackId, { sampleDescriptionIndex, sampleSize: f.u32() });
    } catch (e) {
      if (!(e instanceof BoxFieldError)) throw e;
      problems.push(`trex: ${e.message}`);
    }
  }
}

/**
 * Where the structural boxes of a movie live (ISO/IEC 14496-12 §8, QuickTime
 * File Format). A known box inside another container (an stco in a trak, a
 * trak in an mdia) is damage that decoders reject; unknown and vendor boxes
 * may be anywhere.
 */
const PARENTS: Record<string, readonly string[]> = {
  mvhd: ['moov'], trak: ['moov'], mvex: ['moov'], iods: ['moov'],
  tkhd: ['trak'], mdia: ['trak'], edts: ['trak'], tref: ['trak'],
  mdhd: ['mdia'], minf: ['mdia'],
  vmhd: ['minf'], smhd: ['minf'], stbl: ['minf'],
  stsd: ['stbl'], stts: ['stbl'], ctts: ['stbl'], stsc: ['stbl'], stsz: ['stbl'], stz2: ['stbl'], stco: ['stbl'], co64: ['stbl'], stss: ['stbl'], sdtp: ['stbl'],
  trex: ['mvex'], mehd: ['mvex'],
  moov: [], moof: [], mdat: [], ftyp: [], mfra: [], traf: ['moof'], tfhd: ['traf'], trun: ['traf'],
};

function misplaced(boxes: readonly BoxHeader[], parent: string, problems: string[]): void {
  const odd = boxes.find((b) => PARENTS[b.type] !== undefined && !PARENTS[b.type]!.includes(parent));
  if (odd) problems.push(`'${odd.type}' at image offset ${odd.start} does not belong in '${parent}'`);
}

/** Boxes a container holds once at most (a pair: one of the two, once): decoders read the other copy. */
function duplicated(boxes: readonly BoxHeader[], once: readonly (string | readonly string[])[], where: string, problems: string[]): void {
  for (const t of once) {
    const types = typeof t === 'string' ? [t] : t;
    const n = boxes.filter((b) => types.includes(b.type)).length;
    if (n > 1) {
      problems.push(`${where} holds ${n} ${types.join('/')} boxes`);
      return;
    }
  }
}
