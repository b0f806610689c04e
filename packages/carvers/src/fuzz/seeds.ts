/**
 * Originals to mutate: the real camera files in ../shared/media (skipped,
 * saying so, when absent), the committed sample photos in
 * test-images/samples, and small files generated with cjpeg, heif-enc and
 * ffmpeg when they are installed (cached in the temp folder). A seed is kept
 * only when its carver carves it complete: the oracle compares against it.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { BufferReader, resultLength, type Carver } from '@rawcarve/core';
import { heicCarver } from '../heic/index.js';
import { jpegCarver } from '../jpeg/index.js';
import { movCarver } from '../mov/index.js';
import { jpegLayout } from './jpeg-layout.js';
import { regionsOf, type Format, type Regions } from './regions.js';

export const REPO = resolve(import.meta.dirname, '../../../..');
export const MEDIA = resolve(REPO, '../shared/media');
export const SAMPLES = resolve(REPO, 'test-images/samples');
export const CARVERS: Record<Format, Carver> = { jpeg: jpegCarver, heic: heicCarver, mov: movCarver };

export interface Seed {
  readonly name: string;
  readonly format: Format;
  readonly bytes: Uint8Array;
  /** The file's length as its carver carves it (complete). */
  readonly length: number;
  /** JPEG: offsets of the images the file holds (primary at 0, MPF images, previews). */
  readonly imageStarts: readonly number[];
  /** Unchecked ranges and labels (computed on first use). */
  regions(): Regions;
}

/** A seed, or null when the carver does not carve the original complete from offset 0. */
export function makeSeed(name: string, format: Format, bytes: Uint8Array): Seed | null {
  const carver = CARVERS[format];
  const r = carver.carve(new BufferReader(bytes), 0, { maxFileSize: carver.maxFileSize, align: 512 });
  if (!r || r.status !== 'complete' || r.byteRuns.length !== 1) return null;
  const length = resultLength(r);
  let regions: Regions | null = null;
  return {
    name,
    format,
    bytes,
    length,
    imageStarts: format === 'jpeg' ? imageStarts(bytes, length) : [0],
    regions: () => (regions ??= regionsOf(format, bytes, length)),
  };
}

function imageStarts(b: Uint8Array, length: number): number[] {
  const out = [0];
  const primary = jpegLayout(b);
  if (!primary) return out;
  for (let i = primary.end; i + 3 <= length; i++) {
    if (b[i] !== 0xff || b[i + 1] !== 0xd8 || b[i + 2] !== 0xff) continue;
    const inner = jpegLayout(b.subarray(0, length), i);
    if (inner) {
      out.push(i);
      i = inner.end - 1;
    }
  }
  return out;
}

const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;

/** Where generated seeds are kept between runs. */
export const SEED_CACHE = join(tmpdir(), 'rawcarve-fuzz-seeds-v1');

/** Runs `make` into a fresh folder and moves it to SEED_CACHE/name, unless already there. */
function cached(name: string, make: (dir: string) => void): string | null {
  const final = join(SEED_CACHE, name);
  if (existsSync(join(final, '.done'))) return final;
  mkdirSync(SEED_CACHE, { recursive: true });
  const work = join(SEED_CACHE, `${name}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`);
  mkdirSync(work);
  try {
    make(work);
    writeFileSync(join(work, '.done'), '');
    rmSync(final, { recursive: true, force: true });
    renameSync(work, final);
    return final;
  } catch (err) {
    rmSync(work, { recursive: true, force: true });
    if (existsSync(join(final, '.done'))) return final; // another process made it meanwhile
    process.emitWarning(`fuzz seeds '${name}' not generated: ${err instanceof Error ? err.message : String(err)}`);
    return null;
  }
}

/** A synthetic picture with gradients and noise, as PPM. */
export function ppm(w: number, h: number, seed: number): Buffer {
  const head = Buffer.from(`P6\n${w} ${h}\n255\n`);
  const px = Buffer.alloc(w * h * 3);
  let x32 = (seed * 2654435761) | 1;
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      x32 ^= x32 << 13;
      x32 ^= x32 >>> 17;
      x32 ^= x32 << 5;
      const i = (y * w + x) * 3;
      px[i] = ((x * 255) / w + (x32 & 15)) & 0xff;
      px[i + 1] = ((y * 255) / h) & 0xff;
      px[i + 2] = ((x ^ y) * (seed + 1) + ((x32 >>> 8) & 7)) & 0xff;
    }
  }
  return Buffer.concat([head, px]);
}

const CJPEG: string[][] = [
  [], ['-progressive'], ['-restart', '1'], ['-restart', '2B'], ['-sample', '2x2,1x1,1x1'], ['-sample', '1x1,1x1,1x1', '-progressive', '-restart', '1'],
  ['-grayscale'], ['-grayscale', '-progressive'], ['-optimize'], ['-sample', '2x1,1x1,1x1', '-restart', '3'], ['-quality', '100', '-sample', '1x2,1x1,1x1'],
];

function generateJpegs(dir: string): void {
  CJPEG.forEach((flags, i) => {
    const src = join(dir, `p${i}.ppm`);
    writeFileSync(src, ppm(33 + 17 * i, 21 + 9 * i, i + 1));
    execFileSync('cjpeg', ['-quality', String(60 + 3 * i), ...flags, '-outfile', join(dir, `g${String(i).padStart(2, '0')}.jpg`), src]);
    rmSync(src);
  });
}

function generateHeics(dir: string): void {
  const variants: [string, string[]][] = [['plain', ['-q', '30']], ['thumb', ['-q', '30', '-t', '32']], ['lossless', ['-L', '-p', 'chroma=444']]];
  for (const [k, ppmSeed] of [[0, 3], [1, 5]] as const) {
    const src = join(dir, `s${k}.jpg`);
    writeFileSync(join(dir, 's.ppm'), ppm(64 + 32 * k, 48 + 16 * k, ppmSeed));
    execFileSync('cjpeg', ['-outfile', src, join(dir, 's.ppm')]);
    for (const [name, args] of variants) {
      if (name === 'lossless' && k === 1) continue;
      execFileSync('heif-enc', [...args, src, '-o', join(dir, `g${k}-${name}.heic`)], { stdio: 'pipe' });
    }
    if (k === 0 && spawnSync('heif-enc', ['--list-encoders']).stdout?.toString().includes('aom')) {
      execFileSync('heif-enc', ['-A', '-q', '30', src, '-o', join(dir, `g${k}.avif`)], { stdio: 'pipe' });
    }
    rmSync(src);
    rmSync(join(dir, 's.ppm'));
  }
}

function generateMovies(dir: string): void {
  const encoders = execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' });
  const src = ['-f', 'lavfi', '-i', 'testsrc=size=96x64:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440:sample_rate=8000', '-t', '1', '-pix_fmt', 'yuv420p'];
  const variants: [string, string[], string?][] = [
    ['last.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac', '-b:a', '16k'], 'libx264'],
    ['first.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac', '-b:a', '16k', '-movflags', '+faststart'], 'libx264'],
    ['frag.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac', '-b:a', '16k', '-movflags', 'frag_keyframe+empty_moov'], 'libx264'],
    ['dash.mp4', ['-c:v', 'libx264', '-g', '5', '-an', '-movflags', 'frag_keyframe+empty_moov+default_base_moof'], 'libx264'],
    ['h264.mov', ['-c:v', 'libx264', '-g', '5', '-c:a', 'pcm_s16le'], 'libx264'],
    ['hevc.mov', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-an'], 'libx265'],
    ['mjpeg.mov', ['-c:v', 'mjpeg', '-c:a', 'pcm_s16le']],
    ['h263.3gp', ['-c:v', 'h263', '-s', '128x96', '-an']],
    ['co64.mp4', ['-c:v', 'libx264', '-an', '-movflags', '+faststart'], 'libx264'],
  ];
  for (const [file, args, needs] of variants) {
    if (needs && !encoders.includes(needs)) continue;
    execFileSync('ffmpeg', ['-v', 'error', '-y', ...src, ...args, join(dir, file)]);
  }
}

export interface SeedSet {
  seeds: Seed[];
  /** What was skipped and why (missing tools, missing media, originals not carved complete). */
  notes: string[];
}

export interface SeedOptions {
  /** Real camera files from ../shared/media (default true). */
  media?: boolean;
  /** Files generated with cjpeg / heif-enc / ffmpeg (default true). */
  generated?: boolean;
  /** Largest real file taken (bytes; default 16 MiB). */
  maxMediaBytes?: number;
}

const MEDIA_DIRS: Record<Format, string[]> = { jpeg: ['jpeg'], heic: ['heic'], mov: ['mov', 'mp4'] };

export function loadSeeds(format: Format, options: SeedOptions = {}): SeedSet {
  const notes: string[] = [];
  const files: [string, Uint8Array][] = [];
  const addDir = (dir: string, prefix: string, max = Infinity): void => {
    for (const f of readdirSync(dir).sort()) {
      if (f.startsWith('.')) continue;
      const b = readFileSync(join(dir, f));
      if (b.length <= max) files.push([`${prefix}/${f}`, new Uint8Array(b.buffer, b.byteOffset, b.length)]);
    }
  };
  if (options.generated !== false) {
    const tool = { jpeg: 'cjpeg', heic: 'heif-enc', mov: 'ffmpeg' }[format];
    if (format === 'jpeg' && existsSync(SAMPLES)) addDir(SAMPLES, 'samples');
    const needs = format === 'heic' ? ['heif-enc', 'cjpeg'] : [tool];
    if (needs.every(has)) {
      const dir = cached(`generated-${format}`, format === 'jpeg' ? generateJpegs : format === 'heic' ? generateHeics : generateMovies);
      if (dir) addDir(dir, 'generated');
    } else notes.push(`generated ${format} seeds skipped: ${needs.join(' and ')} not installed (scripts/install-test-tools.sh)`);
  }
  if (options.media !== false) {
    const dirs = MEDIA_DIRS[format].map((d) => join(MEDIA, d)).filter(existsSync);
    if (dirs.length === 0) notes.push(`real ${format} files skipped: ${MEDIA} is absent`);
    for (const d of dirs) addDir(d, 'media', options.maxMediaBytes ?? 16 * 1024 * 1024);
  }
  const seeds: Seed[] = [];
  for (const [name, bytes] of files) {
    const s = makeSeed(name, format, bytes);
    if (s) seeds.push(s);
    else notes.push(`${name}: not carved complete as it is, not used as a seed`);
  }
  return { seeds, notes };
}
