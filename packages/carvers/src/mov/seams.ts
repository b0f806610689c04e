/**
 * Seam proofs for fragment reassembly (Carver.proveSeams) of movies: the
 * video samples on both sides of a seam must parse, slice data included, to
 * their exact ends. The sample tables place every sample, but inside one
 * sample only its slice syntax can tell where one fragment stops and random
 * data or another movie's frame begins.
 */
import { BoxBudget, type Reader, type SeamProof } from '@rawcarve/core';
import { videoSamples, type VideoSample } from './continuation.js';
import { parseHvcC, parseSample as parseHevcSample } from '../codecs/hevc/index.js';
import { parseSample as parseAvcSample } from '../codecs/h264/index.js';
import { parseMoov } from './moov.js';
import { CABAC_READ_AHEAD, seamVerdict } from '../seam-sides.js';
import { walkTopLevel } from './top-level.js';

/** Largest sample parsed for a proof (a 4K intra frame is a few MB). */
const MAX_SAMPLE_BYTES = 32 * 1024 * 1024;

/**
 * One verdict per seam (file offsets where a fragment starts, in an assembly
 * read from offset 0): proven when the video samples on both sides parse to
 * their exact ends; broken (with where the parse failed) when one does not;
 * unknown when a side lies outside every H.264/HEVC sample (audio, metadata)
 * or the stream uses what the parsers do not implement.
 */
export function proveMovieSeams(reader: Reader, seams: readonly number[]): SeamProof[] {
  const unknown = (): SeamProof[] => seams.map(() => ({ verdict: 'unknown' as const }));
  const walk = walkTopLevel(reader, 0, reader.size);
  const moov = walk.boxes.find((b) => b.type === 'moov');
  if (!moov || moov.end > reader.size) return unknown();
  const movie = parseMoov(reader, moov, new BoxBudget());
  if (!movie) return unknown();
  const samples = movie.tracks.flatMap(videoSamples).sort((a, b) => a.offset - b.offset);
  const cache = new Map<number, SeamProof>();
  const judge = (s: VideoSample): SeamProof => {
    let v = cache.get(s.offset);
    if (!v) cache.set(s.offset, (v = parseOne(reader, s)));
    return v;
  };
  return seams.map((seam) => seamVerdict(holder(samples, seam - 1), holder(samples, seam), judge));
}

/** The sample holding file offset `at` (samples sorted by offset), or null. */
function holder(samples: readonly VideoSample[], at: number): VideoSample | null {
  let lo = 0;
  let hi = samples.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const s = samples[mid]!;
    if (at < s.offset) hi = mid - 1;
    else if (at >= s.offset + s.size) lo = mid + 1;
    else return s;
  }
  return null;
}

function parseOne(reader: Reader, s: VideoSample): SeamProof {
  if (s.size > MAX_SAMPLE_BYTES) return { verdict: 'unknown' };
  const config = reader.bytes(s.config.offset, s.config.length);
  const bytes = reader.bytes(s.offset, s.size);
  if (bytes.length < s.size) return { verdict: 'broken', failedAt: s.offset + bytes.length };
  const r = s.codec === 'avc' ? avcSample(config, bytes) : hevcSample(config, bytes);
  if (r.ok === false) return { verdict: 'broken', failedAt: s.offset + Math.min(r.bytePos + CABAC_READ_AHEAD, s.size) };
  return r.ok === true ? { verdict: 'proven' } : { verdict: 'unknown' };
}

type SampleVerdict = { ok: true } | { ok: false; bytePos: number } | { ok: null };

function avcSample(config: Uint8Array, sample: Uint8Array): SampleVerdict {
  const r = parseAvcSample(config, sample);
  if (r.ok === false) return r;
  // Slices that parse but do not make up one whole picture (field coding, a lost slice) prove nothing.
  return r.ok === true && r.complete ? { ok: true } : { ok: null };
}

function hevcSample(config: Uint8Array, sample: Uint8Array): SampleVerdict {
  const params = parseHvcC(config);
  if (params.ok !== true) return { ok: null };
  const r = parseHevcSample(params.params, sample);
  return r.ok === false ? r : r.ok === true ? { ok: true } : { ok: null };
}
