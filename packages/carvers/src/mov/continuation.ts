/**
 * Reassembly hints for a movie whose moov comes first (faststart MP4,
 * Android phones): the sample tables say, for every video sample, its file
 * offset and size. Where the file breaks, the first video sample that no
 * longer parses at its place shows the break; the sample after it lies in
 * the next fragment, and its content finds that fragment in the image:
 * NAL units whose lengths add up exactly to the size stsz gives (H.264,
 * HEVC), or a picture start code (H.263) or SOI and EOI (Motion JPEG) in it
 * and in the samples that follow it.
 */
import { BoxBudget, checkNalUnits, type ExpectedBytes, type Reader } from '@rawcarve/core';
import { chunkOffset, parseMoov, sampleSize, type Track } from './moov.js';
import { startMatches, type SampleCheck } from './sample-entry.js';
import { walkTopLevel } from './top-level.js';

/** Video samples examined per hint (in file order from the start): bounded work on huge tables. */
const MAX_SAMPLES = 200_000;
/** Samples after the anchor that must parse too when they follow it closely (same fragment, most likely). */
const CONFIRM = 3;
const CONFIRM_SPAN = 256 * 1024;

/** An H.264/HEVC sample: file offset, size, and its sample entry's NAL length size and decoder configuration. */
export interface VideoSample {
  offset: number;
  size: number;
  lengthSize: number;
  codec: 'avc' | 'hevc';
  /** Where the avcC/hvcC payload lies (reader offsets). */
  config: { offset: number; length: number };
}

export function nextSampleHint(reader: Reader): ExpectedBytes | null {
  const walk = walkTopLevel(reader, 0, reader.size);
  const moov = walk.boxes.find((b) => b.type === 'moov');
  if (!moov || moov.end > reader.size) return null;
  const movie = parseMoov(reader, moov, new BoxBudget());
  if (!movie) return null;
  const samples = movie.tracks.flatMap(checkableSamples).sort((a, b) => a.offset - b.offset);
  // The first sample that does not parse where the tables put it (lengths and headers: cheap on long
  // movies): the file broke before it. For a moov-first file that is past its moov; for a moov-last one
  // whose moov this assembly already holds, a sample before it (data of the wrong fragment).
  const failing = samples.findIndex((s) => !parses(reader, s.offset, s, false));
  if (failing < 0 || failing + 1 >= samples.length) return null;
  // The sample after it starts past the break (a sample straddling the break ends in the next fragment).
  const anchor = samples[failing + 1]!;
  const confirm = samples.slice(failing + 2, failing + 2 + CONFIRM).filter((s) => s.offset - anchor.offset < CONFIRM_SPAN);
  return {
    fileOffset: anchor.offset,
    bytes: new Uint8Array(0),
    matches: (image, at) => parses(image, at, anchor, true) && confirm.every((s) => parses(image, at + (s.offset - anchor.offset), s, true)),
  };
}

/** A video sample and how its content can be checked. */
interface CheckableSample {
  offset: number;
  size: number;
  check: SampleCheck;
}

/**
 * Does the image hold, at `at`, a sample of `s.size` bytes of its codec? NAL units filling it
 * exactly, one of them a picture (with `payload`, their bytes are read too: no start-code
 * emulation inside); a picture start code (H.263); SOI, and EOI at its end (Motion JPEG).
 */
function parses(reader: Reader, at: number, s: CheckableSample, payload: boolean): boolean {
  if (at < 0 || at + s.size > reader.size) return false;
  const c = s.check;
  if (c.kind === 'jpeg') {
    const tail = reader.bytes(at + s.size - 2, 2);
    return startMatches(c, reader.bytes(at, 2)) && tail[0] === 0xff && tail[1] === 0xd9;
  }
  if (c.kind !== 'nal') return startMatches(c, reader.bytes(at, 3));
  // Quick reject: the first NAL length must fit in the sample.
  const head = reader.bytes(at, c.lengthSize);
  let len = 0;
  for (const b of head) len = len * 256 + b;
  if (len === 0 || len + c.lengthSize > s.size) return false;
  const r = checkNalUnits(reader, [{ offset: at, length: s.size }], c.lengthSize, c.codec, { payload });
  return r.ok && r.vcl > 0;
}

/** File offsets and sizes of a track's samples, with the check their sample entry gives (none: left out). */
function checkableSamples(track: Track): CheckableSample[] {
  return trackSamples(track, (offset, size, check) => (check.kind === 'none' ? null : { offset, size, check }));
}

/** File offsets and sizes of a track's samples whose format is H.264 or HEVC in NAL units. */
export function videoSamples(track: Track): VideoSample[] {
  return trackSamples(track, (offset, size, c) => (c.kind === 'nal' ? { offset, size, lengthSize: c.lengthSize, codec: c.codec, config: c.config } : null));
}

/** Walks a track's chunks (stsc, stco/co64, stsz) and keeps what `take` makes of each sample. */
function trackSamples<T>(track: Track, take: (offset: number, size: number, check: SampleCheck) => T | null): T[] {
  const out: T[] = [];
  const { sizes, stsc, chunkOffsets } = track;
  if (sizes.constant !== 0) return out;
  let sample = 0;
  for (let e = 0; e < stsc.length && sample < sizes.count && out.length < MAX_SAMPLES; e++) {
    const entry = stsc[e]!;
    const check = track.entries[entry.sampleDescriptionIndex - 1]?.check;
    const next = e + 1 < stsc.length ? stsc[e + 1]!.firstChunk : chunkOffsets.count + 1;
    if (entry.samplesPerChunk === 0 || next <= entry.firstChunk) break;
    for (let c = entry.firstChunk; c < next && c <= chunkOffsets.count && sample < sizes.count; c++) {
      let pos = chunkOffset(chunkOffsets, c - 1);
      for (let k = 0; k < entry.samplesPerChunk && sample < sizes.count; k++, sample++) {
        const size = sampleSize(sizes, sample);
        const kept = check && Number.isFinite(pos) ? take(pos, size, check) : null;
        if (kept !== null) out.push(kept);
        pos += size;
      }
    }
  }
  return out;
}
