/**
 * Movie fragments (ISO/IEC 14496-12 §8.8): each moof's track fragments
 * (traf) describe runs of samples (trun) whose data lies in the mdat that
 * follows the moof. Offsets are relative to a base data offset: tfhd's
 * base_data_offset, else the moof's first byte (default-base-is-moof, or the
 * first traf), else the end of the previous traf's data.
 */
import { BoxBudget, BoxFieldError, childBoxes, findBox, type BoxHeader, type Reader } from '@rawcarve/core';
import { pickContent, type Region, type SampleAudit } from './audit.js';
import { fields, type Movie } from './moov.js';
import type { SampleCheck } from './sample-entry.js';

const TFHD_BASE_DATA_OFFSET = 0x1;
const TFHD_SAMPLE_DESCRIPTION_INDEX = 0x2;
const TFHD_DEFAULT_DURATION = 0x8;
const TFHD_DEFAULT_SIZE = 0x10;
const TFHD_DEFAULT_BASE_IS_MOOF = 0x20000;
const TRUN_DATA_OFFSET = 0x1;
const TRUN_FIRST_SAMPLE_FLAGS = 0x4;
const TRUN_SIZE = 0x200;

/** One trun, resolved: where its first sample starts and how to read its sizes. */
interface Run {
  pos: number;
  count: number;
  /** Per-sample record (bytes) and where the size field sits in it, or -1 for a constant size. */
  record: number;
  sizeAt: number;
  table: Uint8Array;
  constant: number;
  check: SampleCheck;
  region: Region | undefined;
}

export interface FragmentSummary {
  moofs: number;
  runs: number;
  samples: number;
  problems: string[];
}

/** Walks every moof among the top-level boxes and checks its samples against the mdat after it. */
export function auditFragments(
  reader: Reader, top: readonly BoxHeader[], movie: Movie, audit: SampleAudit, contentBudget: number, budget: BoxBudget,
): FragmentSummary {
  const runs: Run[] = [];
  const problems: string[] = [];
  let moofs = 0;
  // Fragments extend the movie box: none may come before it (decoders cannot place their tracks).
  const moovAt = top.findIndex((b) => b.type === 'moov');
  const early = top.findIndex((b) => b.type === 'moof');
  if (early >= 0 && early < moovAt) problems.push(`moof at image offset ${top[early]!.start} comes before the moov`);
  for (let i = 0; i < top.length; i++) {
    const moof = top[i]!;
    if (moof.type !== 'moof') continue;
    moofs++;
    let region: Region | undefined;
    for (let j = i + 1; j < top.length && top[j]!.type !== 'moof'; j++) {
      const m = top[j]!;
      if (m.type === 'mdat') {
        region = { start: m.start + m.headerSize, end: m.end };
        break;
      }
    }
    try {
      parseMoof(reader, moof, region, movie, audit.fileStart, budget, runs);
    } catch (e) {
      if (!(e instanceof BoxFieldError)) throw e;
      if (problems.length < 3) problems.push(`moof at image offset ${moof.start}: ${e.message}`);
    }
  }
  let total = 0;
  for (const r of runs) if (r.check.kind !== 'none' && r.record > 0) total += r.count;
  const contentOf = pickContent(total, contentBudget);
  let index = 0;
  let samples = 0;
  for (const r of runs) {
    samples += r.count;
    if (r.record === 0) {
      // Constant size: one extent, and the first sample's content.
      if (audit.place(r.pos, r.count * r.constant, r.region) && r.count > 0) audit.content(r.pos, r.constant, r.check);
      audit.samples += Math.max(0, r.count - 1);
      continue;
    }
    let pos = r.pos;
    for (let k = 0; k < r.count; k++) {
      const size = r.sizeAt < 0 ? r.constant : u32(r.table, k * r.record + r.sizeAt);
      // A sample of no bytes in a fragment: decoders refuse the file (ffmpeg: "Invalid data").
      if (size === 0 && !problems.some((p) => p.startsWith('a sample of 0 bytes'))) problems.push(`a sample of 0 bytes in a movie fragment at image offset ${audit.fileStart + pos}`);
      const check = r.check.kind !== 'none' && contentOf(index++);
      if (audit.place(pos, size, r.region) && check) audit.content(pos, size, r.check);
      pos += size;
    }
  }
  return { moofs, runs: runs.length, samples, problems };
}

function parseMoof(
  reader: Reader, moof: BoxHeader, region: Region | undefined, movie: Movie, fileStart: number, budget: BoxBudget, runs: Run[],
): void {
  const kids = childBoxes(reader, moof.start + moof.headerSize, moof.end, budget);
  if (kids.problem) throw new BoxFieldError(moof.start, kids.problem);
  misplaced(kids.boxes);
  // Exactly one movie fragment header (§8.8.5).
  if (kids.boxes.filter((b) => b.type === 'mfhd').length !== 1) throw new BoxFieldError(moof.start, 'a movie fragment needs exactly one mfhd');
  // Fragments extend a movie whose moov announces them (mvex, §8.8.1).
  if (!movie.fragmented) throw new BoxFieldError(moof.start, 'a movie fragment, but moov has no mvex');
  const moofPos = moof.start - fileStart;
  let dataEnd = moofPos;
  let firstTraf = true;
  for (const traf of kids.boxes) {
    if (traf.type !== 'traf') continue;
    const t = childBoxes(reader, traf.start + traf.headerSize, traf.end, budget);
    if (t.problem) throw new BoxFieldError(traf.start, t.problem);
    misplaced(t.boxes);
    const tfhd = findBox(t.boxes, 'tfhd');
    if (!tfhd) throw new BoxFieldError(traf.start, 'traf without tfhd');
    const f = fields(reader, tfhd);
    const flags = f.u32() & 0xffffff;
    const trackId = f.u32();
    const trex = movie.trex.get(trackId);
    const track = movie.tracks.find((x) => x.trackId === trackId);
    if (!track) throw new BoxFieldError(tfhd.start, `tfhd names track ${trackId}, which moov does not have`);
    // Every track of a fragmented movie has its defaults in mvex (§8.8.3).
    if (movie.fragmented && !trex) throw new BoxFieldError(tfhd.start, `track ${trackId} has fragments but no trex`);
    const baseOffset = flags & TFHD_BASE_DATA_OFFSET ? f.u64() : undefined;
    const sdi = flags & TFHD_SAMPLE_DESCRIPTION_INDEX ? f.u32() : trex?.sampleDescriptionIndex ?? 1;
    if (flags & TFHD_DEFAULT_DURATION) f.skip(4);
    const defaultSize = flags & TFHD_DEFAULT_SIZE ? f.u32() : trex?.sampleSize ?? 0;
    const base = baseOffset ?? (flags & TFHD_DEFAULT_BASE_IS_MOOF || firstTraf ? moofPos : dataEnd);
    firstTraf = false;
    if (sdi < 1 || sdi > track.entries.length) throw new BoxFieldError(tfhd.start, `track ${trackId}'s fragment names sample description ${sdi} of ${track.entries.length}`);
    const check = track.entries[sdi - 1]!.check;
    let next = base;
    for (const trun of t.boxes) {
      if (trun.type !== 'trun') continue;
      const r = fields(reader, trun);
      const tf = r.u32() & 0xffffff;
      const count = r.u32();
      const dataOffset = tf & TRUN_DATA_OFFSET ? r.u32() | 0 : undefined;
      if (tf & TRUN_FIRST_SAMPLE_FLAGS) r.skip(4);
      let record = 0;
      let sizeAt = -1;
      for (const bit of [0x100, 0x200, 0x400, 0x800]) {
        if (!(tf & bit)) continue;
        if (bit === TRUN_SIZE) sizeAt = record;
        record += 4;
      }
      if (count * record > r.left) throw new BoxFieldError(trun.start, `trun sample_count ${count} needs ${count * record} bytes, the box has ${r.left}`);
      const table = r.bytes(count * record);
      const pos = dataOffset !== undefined ? base + dataOffset : next;
      const run: Run = { pos, count, record: sizeAt < 0 ? 0 : record, sizeAt, table, constant: defaultSize, check, region };
      runs.push(run);
      next = pos + runLength(run);
    }
    dataEnd = next;
  }
}

function runLength(r: Run): number {
  if (r.record === 0) return r.count * r.constant;
  let n = 0;
  for (let k = 0; k < r.count; k++) n += u32(r.table, k * r.record + r.sizeAt);
  return n;
}

function u32(t: Uint8Array, i: number): number {
  return ((t[i]! << 24) >>> 0) + ((t[i + 1]! << 16) | (t[i + 2]! << 8) | t[i + 3]!);
}

/** Boxes that never sit inside a movie fragment (decoders reject a moof holding them). */
const NOT_IN_FRAGMENTS = new Set(['moof', 'moov', 'mdat', 'ftyp', 'trak', 'mvex', 'mfra', 'stbl', 'stsd', 'stsz', 'stco', 'co64', 'stsc']);

function misplaced(boxes: readonly BoxHeader[]): void {
  const odd = boxes.find((b) => NOT_IN_FRAGMENTS.has(b.type));
  if (odd) throw new BoxFieldError(odd.start, `'${odd.type}' inside a movie fragment`);
}
