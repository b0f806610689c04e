/**
 * Shared by the H.264 slice tests and the benchmark script: the H.264 video
 * samples of a movie file (moov-described, not fragmented) with their avcC,
 * and ffmpeg/libx264 variants covering the coding tools the parser reads.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxBudget, BufferReader } from '@rawcarve/core';
import { MEDIA } from '../../jpeg/test-helpers.js';
import { videoSamples } from '../../mov/continuation.js';
import { parseMoov } from '../../mov/moov.js';
import { walkTopLevel } from '../../mov/top-level.js';

export { MEDIA };

/** The avcC payload of a track and its samples as views of the file. */
export interface AvcTrack {
  avcC: Uint8Array;
  samples: Uint8Array[];
}

/** Every sample of the movie's H.264 video tracks, in table order (the carver's sample enumeration). */
export function avcTracks(file: Uint8Array): AvcTrack[] {
  const reader = new BufferReader(file);
  const walk = walkTopLevel(reader, 0, reader.size);
  const moov = walk.boxes.find((b) => b.type === 'moov');
  if (!moov) return [];
  const movie = parseMoov(reader, moov, new BoxBudget());
  if (!movie) return [];
  const out: AvcTrack[] = [];
  for (const t of movie.tracks) {
    const samples = videoSamples(t).filter((v) => v.codec === 'avc' && v.offset + v.size <= file.length);
    if (samples.length === 0) continue;
    const { offset, length } = samples[0]!.config;
    out.push({ avcC: file.subarray(offset, offset + length), samples: samples.map((v) => file.subarray(v.offset, v.offset + v.size)) });
  }
  return out;
}

/** Real camera movies under ../shared/media/{mov,mp4} (absent on machines without the media set). */
export function mediaMovies(): string[] {
  const out: string[] = [];
  for (const dir of ['mov', 'mp4']) {
    const d = join(MEDIA, dir);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) out.push(join(d, f));
  }
  return out;
}

export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
export const hasX264 = hasFfmpeg && execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).includes('libx264');

/** libx264 variants: name → [source size, encoder arguments]. */
export const X264_VARIANTS: Record<string, [string, string[]]> = {
  baseline: ['320x240', ['-profile:v', 'baseline']],
  main: ['320x240', ['-profile:v', 'main', '-bf', '3']],
  high: ['352x288', ['-profile:v', 'high', '-bf', '3']],
  highCavlc: ['352x288', ['-profile:v', 'high', '-x264-params', 'cabac=0']],
  weighted: ['320x240', ['-profile:v', 'high', '-x264-params', 'weightp=2:weightb=1:ref=4']],
  slices4: ['320x240', ['-profile:v', 'high', '-slices', '4']],
  slices4Cavlc: ['320x240', ['-profile:v', 'baseline', '-slices', '4']],
  oddSize: ['200x130', ['-profile:v', 'high', '-bf', '2']],
  oddSizeCavlc: ['170x98', ['-profile:v', 'main', '-x264-params', 'cabac=0:bframes=2']],
  highQuality: ['320x240', ['-profile:v', 'high', '-crf', '8', '-x264-params', 'ref=5:b-pyramid=normal']],
  highQualityCavlc: ['320x240', ['-profile:v', 'high', '-crf', '10', '-x264-params', 'cabac=0:ref=3']],
  yuv422: ['320x240', ['-profile:v', 'high422', '-pix_fmt', 'yuv422p']],
  yuv422Cavlc: ['320x240', ['-profile:v', 'high422', '-pix_fmt', 'yuv422p', '-x264-params', 'cabac=0']],
  gray: ['320x240', ['-profile:v', 'high', '-pix_fmt', 'gray']],
};

/** Encodes every variant (1.6 s of testsrc2 at 25 fps); returns name → movie bytes. */
export function x264Movies(names: readonly string[] = Object.keys(X264_VARIANTS)): Record<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-h264-'));
  const out: Record<string, Uint8Array> = {};
  try {
    for (const name of names) {
      const [size, args] = X264_VARIANTS[name]!;
      const file = join(dir, `${name}.mp4`);
      execFileSync('ffmpeg', ['-hide_banner', '-loglevel', 'error', '-f', 'lavfi', '-i', `testsrc2=size=${size}:rate=25`, '-t', '1.6',
        '-c:v', 'libx264', ...(args.includes('-pix_fmt') ? [] : ['-pix_fmt', 'yuv420p']), ...args, '-an', file]);
      out[name] = readFileSync(file);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

/** A sample with foreign bytes from a sector boundary on. */
export interface Garbled {
  bytes: Uint8Array;
  /** Offset in the sample where the foreign bytes start. */
  start: number;
}

/**
 * Replaces `sectors` × 512 bytes of `sample` (clipped to its end) with
 * `fill` bytes, starting at the `pick`-th sector boundary (sample's
 * `fileOffset` counted) that lies inside the data of a slice NAL unit,
 * at least `skipHead` bytes past its start so the slice header stays
 * intact. Null when the sample has no such boundary.
 */
export function garble(sample: Uint8Array, fileOffset: number, lengthSize: number, pick: number, sectors: number, fill: Uint8Array, skipHead = 16): Garbled | null {
  const bounds: number[] = [];
  let p = 0;
  while (p + lengthSize <= sample.length) {
    let len = 0;
    for (let k = 0; k < lengthSize; k++) len = len * 256 + sample[p + k]!;
    const from = p + lengthSize;
    const to = Math.min(from + len, sample.length);
    const type = sample[from]! & 0x1f;
    if (type === 1 || type === 5) {
      // First sector boundary at or after from + skipHead, in file terms.
      let b = Math.ceil((fileOffset + from + skipHead) / 512) * 512 - fileOffset;
      for (; b < to; b += 512) bounds.push(b);
    }
    p = from + len;
  }
  if (bounds.length === 0) return null;
  const start = bounds[pick % bounds.length]!;
  // A copy: Buffer#slice would share the file's memory.
  const bytes = new Uint8Array(sample.length);
  bytes.set(sample);
  const end = Math.min(bytes.length, start + sectors * 512);
  for (let i = start; i < end; i++) bytes[i] = fill[(i - start) % fill.length]!;
  return { bytes, start };
}
