/**
 * Test and benchmark helpers for P/B slices: the HEVC video samples of
 * movies (through the carver's own moov parser and sample tables), the real
 * movies of ../shared/media/mov, and movies generated with ffmpeg/libx265.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxBudget, BufferReader } from '@rawcarve/core';
import { MEDIA } from '../../jpeg/test-helpers.js';
import { videoSamples } from '../../mov/continuation.js';
import { parseMoov, type Track } from '../../mov/moov.js';
import { walkTopLevel } from '../../mov/top-level.js';
import { parseHvcC, type HevcResult, type ParameterSets } from './index.js';

export const MOV_DIR = join(MEDIA, 'mov');
/** The real HEVC movies. */
export const HEVC_MOVIES = ['m004_apple_iphone13pro_livephoto_HEVC.MOV', 'm005_apple_ipadmini_hevc.mov', 's001_synthetic_hevc_1080p_moovlast.mov']
  .filter((f) => existsSync(join(MOV_DIR, f)));

/** One video sample: its file offset, bytes, and the parse of its sample entry's hvcC. */
export interface HevcSample {
  readonly index: number;
  readonly offset: number;
  readonly data: Uint8Array;
  readonly params: HevcResult<{ params: ParameterSets }>;
}

/** Every HEVC video sample of a (non-fragmented) movie held in memory, in decoding order. */
export function hevcSamples(file: Uint8Array): HevcSample[] {
  const reader = new BufferReader(file);
  const walk = walkTopLevel(reader, 0, file.length);
  const moov = walk.boxes.find((b) => b.type === 'moov');
  if (!moov) throw new Error('no moov box');
  const movie = parseMoov(reader, moov, new BoxBudget());
  if (!movie) throw new Error('moov does not parse');
  return movie.tracks.flatMap((t) => trackSamples(file, t));
}

function trackSamples(file: Uint8Array, track: Track): HevcSample[] {
  const params = new Map<number, HevcResult<{ params: ParameterSets }>>();
  const parsed = (config: { offset: number; length: number }): HevcResult<{ params: ParameterSets }> => {
    let p = params.get(config.offset);
    if (!p) params.set(config.offset, (p = parseHvcC(file.subarray(config.offset, config.offset + config.length))));
    return p;
  };
  return videoSamples(track)
    .filter((v) => v.codec === 'hevc')
    .map((v, index) => ({ index, offset: v.offset, data: file.subarray(v.offset, v.offset + v.size), params: parsed(v.config) }));
}

export const hasX265 = spawnSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }).stdout?.includes('libx265') ?? false;

/** libx265 settings that reach different inter tools; name → [source size, pixel format, x265-params, extra ffmpeg args]. */
export const X265_VARIANTS: Record<string, [string, string, string, string[]]> = {
  default: ['320x240', 'yuv420p', '', []],
  'amp rect bframes=4 b-pyramid weightp weightb ref=4': ['352x288', 'yuv420p', 'amp=1:rect=1:bframes=4:b-pyramid=1:weightp=1:weightb=1:ref=4', []],
  'wpp=0': ['320x240', 'yuv420p', 'wpp=0', []],
  'slices=4': ['320x240', 'yuv420p', 'slices=4', []],
  lossless: ['176x144', 'yuv420p', 'lossless=1', []],
  '10-bit': ['320x240', 'yuv420p10le', '', []],
  'odd size 333x257': ['333x257', 'yuv420p', 'bframes=3:ref=3', []],
  '4:4:4 tskip': ['192x128', 'yuv444p', 'tskip=1:rd=4', []],
  '4:2:2 ctu=16 no sao': ['200x120', 'yuv422p', 'ctu=16:sao=0:max-tu-size=8', []],
  'cabac-init, signhide, merge=2, tu-inter-depth': ['256x144', 'yuv420p', 'cabac-init-present=1:signhide=1:max-merge=2:tu-inter-depth=3:limit-tu=0:rd=6:rdoq-level=2', []],
  'repeat-headers (in-band VPS/SPS/PPS), keyint=10': ['320x240', 'yuv420p', 'repeat-headers=1:keyint=10:open-gop=1', []],
  'bframes=8 ref=6 no temporal mvp': ['160x96', 'yuv420p', 'bframes=8:ref=6:temporal-mvp=0:keyint=200', []],
};

/** Encodes every variant into a MOV (1.2 s of moving test pattern with noise) and returns name → file bytes. */
export function generateHevcMovies(): Record<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-hevc-mov-'));
  const out: Record<string, Uint8Array> = {};
  try {
    for (const [name, [size, pixFmt, params, extra]] of Object.entries(X265_VARIANTS)) {
      const file = join(dir, `${Object.keys(out).length}.mov`);
      const src = `testsrc2=size=${size}:rate=25,noise=alls=12:allf=t`;
      execFileSync('ffmpeg', [
        '-v', 'error', '-y', '-f', 'lavfi', '-i', src, '-t', '1.2', '-pix_fmt', pixFmt, '-c:v', 'libx265',
        '-x265-params', ['log-level=error', params].filter(Boolean).join(':'), '-tag:v', 'hvc1', ...extra, file,
      ]);
      out[name] = new Uint8Array(readFileSync(file));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}
