/**
 * Makes large benchmark images fast and reproducibly, streaming (a 16 GiB
 * image needs no more memory than a 256 MiB one): explicit regions of zeros
 * (unused space), 0xFF (erased flash), pseudo-random bytes (encrypted or
 * compressed data) and real media files copied from ../shared/media at 4 KiB-
 * aligned offsets, densely (60% of the bytes, files often back to back) or
 * sparsely (8%). Most filler regions are 4 KiB..4 MiB;
 * one in LONG_RUN_ODDS is 16..64 MiB (at most 1/8 of the image), so whole
 * scanner pages are uniform too.
 * Writes `<image>.layout.json`: the regions that tile the image and where each
 * media file went.
 *
 *   npx tsx bench/gen-image.ts --size 4G --out bench/results/bench-4g.img [--density dense|sparse|none] [--seed 1]
 *                              [--types jpeg,heic,mov,mp4] [--media DIR] [--mix zero=35,ff=25,random=40]
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { extname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

/** Bumped whenever the same options would produce different bytes. */
export const GENERATOR_VERSION = 2;
export const DEFAULT_MEDIA_DIR = resolve(import.meta.dirname, '../../shared/media');
export const MEDIA_TYPES = ['jpeg', 'heic', 'mov', 'mp4'] as const;
export type Density = 'dense' | 'sparse' | 'none';
export type RegionKind = 'zero' | 'ff' | 'random' | 'media';
export type FillerKind = Exclude<RegionKind, 'media'>;
/** Relative weights of the filler kinds between media files. */
export type FillerMix = Record<FillerKind, number>;

export interface Placed {
  offset: number;
  size: number;
  type: string;
  source: string;
  sha256: string;
}

/** A run of one kind; consecutive runs of the same kind are merged. */
export interface Region {
  offset: number;
  length: number;
  kind: RegionKind;
}

export interface BenchLayout {
  generator: number;
  size: number;
  density: Density;
  seed: number;
  mix: FillerMix;
  mediaDir: string;
  types: string[] | null;
  /** Bytes of each kind; they add up to `size` (media alignment padding counts as zero). */
  bytesByKind: Record<RegionKind, number>;
  /** Tile [0, size) in order. */
  regions: Region[];
  media: Placed[];
}

export interface GenerateOptions {
  out: string;
  size: number;
  mediaDir: string;
  density: Density;
  seed: number;
  types?: string[];
  mix?: FillerMix;
}

export const DEFAULT_MIX: FillerMix = { zero: 35, ff: 25, random: 40 };
const ALIGN = 4096;
const RANDOM_POOL = 16 * 1024 * 1024;
const WRITE_CHUNK = 4 * 1024 * 1024;
const LONG_RUN_ODDS = 16;
/** Share of the image's bytes that are media files. */
export const MEDIA_SHARE: Record<Density, number> = { dense: 0.6, sparse: 0.08, none: 0 };
/** A media file is placed when media bytes fall behind their share by more than a random 0..4 MiB (less on small images). */
const MEDIA_JITTER = 4 * 1024 * 1024;
const EXTENSION_TYPES: Record<string, string> = { '.jpg': 'jpeg', '.jpeg': 'jpeg', '.heic': 'heic', '.heif': 'heic', '.mov': 'mov', '.mp4': 'mp4' };

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.floor(Number(m[1]) * mult);
}

export function parseDensity(s: string): Density {
  if (s !== 'dense' && s !== 'sparse' && s !== 'none') throw new Error(`bad density ${s} (dense, sparse or none)`);
  return s;
}

/** "zero=35,ff=25,random=40" (weights, any scale; kinds left out weigh 0). */
export function parseMix(s: string): FillerMix {
  const mix: FillerMix = { zero: 0, ff: 0, random: 0 };
  for (const part of s.split(',')) {
    const [kind, weight] = part.split('=');
    if (kind !== 'zero' && kind !== 'ff' && kind !== 'random') throw new Error(`bad mix part ${part} (zero=N,ff=N,random=N)`);
    const w = Number(weight);
    if (!Number.isFinite(w) || w < 0) throw new Error(`bad mix weight in ${part}`);
    mix[kind] = w;
  }
  if (mix.zero + mix.ff + mix.random <= 0) throw new Error(`mix ${s} has no weight`);
  return mix;
}

export function formatMix(mix: FillerMix): string {
  return `zero=${mix.zero},ff=${mix.ff},random=${mix.random}`;
}

function xorshift(seed: number): () => number {
  let x = seed >>> 0 || 0x9e3779b9;
  return () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) / 0x100000000;
  };
}

/** Media files by type: from type folders (../shared/media/jpeg, ...) or, in a flat folder, by extension. */
export function listMedia(dir: string): { path: string; type: string }[] {
  const out: { path: string; type: string }[] = [];
  for (const type of MEDIA_TYPES) {
    const d = join(dir, type);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) out.push({ path: join(d, f), type });
  }
  if (out.length > 0 || !existsSync(dir)) return out;
  for (const f of readdirSync(dir).sort()) {
    const type = EXTENSION_TYPES[extname(f).toLowerCase()];
    if (type && statSync(join(dir, f)).isFile()) out.push({ path: join(dir, f), type });
  }
  return out;
}

/** Appends to a region list, merging with the previous region when it is the same kind and adjacent. */
function markRegion(layout: BenchLayout, kind: RegionKind, offset: number, length: number): void {
  if (length <= 0) return;
  layout.bytesByKind[kind] += length;
  const last = layout.regions[layout.regions.length - 1];
  if (last && last.kind === kind && last.offset + last.length === offset) last.length += length;
  else layout.regions.push({ offset, length, kind });
}

function pickFiller(mix: FillerMix, r: number): FillerKind {
  const total = mix.zero + mix.ff + mix.random;
  if (r * total < mix.zero) return 'zero';
  if (r * total < mix.zero + mix.ff) return 'ff';
  return 'random';
}

export function generateImage(opts: GenerateOptions): BenchLayout {
  const rand = xorshift(opts.seed);
  const mix = opts.mix ?? DEFAULT_MIX;
  const pool = new Uint8Array(RANDOM_POOL);
  const words = new Uint32Array(pool.buffer);
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 0x100000000) >>> 0;
  const media = opts.density === 'none' ? [] : listMedia(opts.mediaDir).filter((m) => !opts.types || opts.types.includes(m.type));
  if (opts.density !== 'none' && media.length === 0) throw new Error(`no media of types ${opts.types?.join(',') ?? 'any'} in ${opts.mediaDir}`);
  const hashes = new Map<string, string>();
  const layout: BenchLayout = {
    generator: GENERATOR_VERSION, size: opts.size, density: opts.density, seed: opts.seed, mix, mediaDir: opts.mediaDir,
    types: opts.types ?? null, bytesByKind: { zero: 0, ff: 0, random: 0, media: 0 }, regions: [], media: [],
  };
  const fills: Record<Exclude<FillerKind, 'random'>, Uint8Array> = {
    zero: new Uint8Array(WRITE_CHUNK),
    ff: new Uint8Array(WRITE_CHUNK).fill(0xff),
  };
  const maxLongBlocks = Math.max(1, Math.floor(opts.size / 8 / ALIGN));
  const jitter = Math.min(MEDIA_JITTER, opts.size / 64);
  const fd = openSync(opts.out, 'w');
  try {
    ftruncateSync(fd, opts.size);
    let at = 0;
    let next = 0;
    while (at < opts.size) {
      const behind = MEDIA_SHARE[opts.density] * at - layout.bytesByKind.media;
      if (media.length > 0 && behind > rand() * jitter) {
        const m = media[next % media.length]!;
        const bytes = readFileSync(m.path);
        if (at + bytes.length <= opts.size) {
          next++;
          writeSync(fd, bytes, 0, bytes.length, at);
          let sha = hashes.get(m.path);
          if (!sha) hashes.set(m.path, (sha = createHash('sha256').update(bytes).digest('hex')));
          layout.media.push({ offset: at, size: bytes.length, type: m.type, source: m.path, sha256: sha });
          markRegion(layout, 'media', at, bytes.length);
          const end = Math.min(opts.size, Math.ceil((at + bytes.length) / ALIGN) * ALIGN);
          // The padding up to the next 4 KiB stays zero (the file was extended with zeros).
          markRegion(layout, 'zero', at + bytes.length, end - at - bytes.length);
          at = end;
          continue;
        }
        // Too big for what is left: fill the rest instead.
      }
      const long = Math.floor(rand() * LONG_RUN_ODDS) === 0;
      // 16..64 MiB (at most an eighth of the image, so small images stay mixed), or 4 KiB..4 MiB.
      const blocks = long ? Math.min(4096 * (1 + 3 * rand()), maxLongBlocks) : 1 + Math.floor(rand() * 1024);
      const len = Math.min(opts.size - at, ALIGN * Math.floor(blocks));
      const kind = pickFiller(mix, rand());
      for (let w = 0; w < len; w += WRITE_CHUNK) {
        const n = Math.min(WRITE_CHUNK, len - w);
        // Random data: a slice of the pool at a random place (n ≤ 4 MiB < pool size); the
        // fill kinds are written too, not left as holes, so the page cache holds real pages.
        if (kind === 'random') writeSync(fd, pool, Math.floor(rand() * (RANDOM_POOL - n)), n, at + w);
        else writeSync(fd, fills[kind], 0, n, at + w);
      }
      markRegion(layout, kind, at, len);
      at += len;
    }
  } finally {
    closeSync(fd);
  }
  writeFileSync(`${opts.out}.layout.json`, JSON.stringify(layout, null, 1));
  return layout;
}

/** A short description: "60% media, 14% zero, 9% 0xFF, 17% random, 302 files". */
export function describeLayout(layout: BenchLayout): string {
  const pct = (k: RegionKind): string => `${((100 * layout.bytesByKind[k]) / layout.size).toFixed(0)}%`;
  return `${pct('media')} media, ${pct('zero')} zero, ${pct('ff')} 0xFF, ${pct('random')} random; ${layout.media.length} media files, ${layout.regions.length} regions`;
}

if (process.argv[1] && resolve(process.argv[1]) === resolve(import.meta.filename)) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '4G' },
      out: { type: 'string' },
      media: { type: 'string', default: DEFAULT_MEDIA_DIR },
      density: { type: 'string', default: 'dense' },
      seed: { type: 'string', default: '1' },
      types: { type: 'string' },
      mix: { type: 'string', default: formatMix(DEFAULT_MIX) },
    },
  });
  if (!values.out) throw new Error('--out is required');
  const t0 = performance.now();
  const layout = generateImage({
    out: values.out,
    size: parseSize(values.size!),
    mediaDir: resolve(values.media!),
    density: parseDensity(values.density!),
    seed: Number(values.seed),
    mix: parseMix(values.mix!),
    ...(values.types ? { types: values.types.split(',') } : {}),
  });
  console.log(`${values.out}: ${layout.size} bytes, ${describeLayout(layout)}, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
