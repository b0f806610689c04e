/**
 * Reassembly hints for a movie whose moov comes first (faststart MP4,
 * Android phones): the sample tables say, for every video sample, its file
 * offset and size. Where the file breaks, the first video sample that no
 * longer parses at its place shows the break; the sample after it lies in
 * the next fragment, and its NAL units, whose lengths add up exactly to the
 * size stsz gives, find that fragment in the image.
 */
import { BoxBudget, checkNalUnits, type ExpectedBytes, type Reader } from '@rawcarve/core';
import { chunkOffset, parseMoov, sampleSize, type Track } from './moov.js';
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
  const samples = movie.tracks.flatMap(videoSamples).sort((a, b) => a.offset - b.offset);
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

/**
 * Does the image hold, at `at`, NAL units filling exactly `s.size` bytes, one of them a picture?
 * With `payload`, their bytes are read too (no start-code emulation inside).
 */
function parses(reader: Reader, at: number, s: VideoSample, payload: boolean): boolean {
  if (at < 0 || at + s.size > reader.size) return false;
  // Quick reject: the first NAL length must fit in the sample.
  const head = reader.bytes(at, s.lengthSize);
  let len = 0;
  for (const b of head) len = len * 256 + b;
  if (len === 0 || len + s.lengthSize > s.size) return false;
  const r = checkNalUnits(reader, [{ offset: at, length: s.size }], s.lengthSize, s.codec, { payload });
  return r.ok && r.vcl > 0;
}

/** File offsets and sizes of a track's samples whose format is H.264 or HEVC in NAL units. */
export function videoSamples(track: Track): VideoSample[] {
  const out: VideoSample[] = [];
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
        if (check?.kind === 'nal' && Number.isFinite(pos)) out.push({ offset: pos, size, lengthSize: check.lengthSize, codec: check.codec, config: check.config });
        pos += size;
      }
    }
  }
  return out;
}
