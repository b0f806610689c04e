/**
 * Makes large benchmark images fast and reproducibly: regions of zeros, 0xFF
 * (erased flash), pseudo-random bytes and real media files copied from
 * ../shared/media at 4 KiB-aligned offsets. Writes `<image>.layout.json` with
 * where each media file went.
 *
 *   npx tsx bench/gen-image.ts --size 1G --out bench/results/bench-1g.img [--density dense|sparse|none] [--seed 1]
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, ftruncateSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';

export interface Placed {
  offset: number;
  size: number;
  type: string;
  source: string;
  sha256: string;
}

export interface BenchLayout {
  size: number;
  density: string;
  seed: number;
  media: Placed[];
}

const ALIGN = 4096;
const RANDOM_POOL = 16 * 1024 * 1024;

export function parseSize(s: string): number {
  const m = /^(\d+(?:\.\d+)?)([KMGT]?)i?B?$/i.exec(s.trim());
  if (!m) throw new Error(`bad size ${s}`);
  const mult = { '': 1, K: 1024, M: 1024 ** 2, G: 1024 ** 3, T: 1024 ** 4 }[m[2]!.toUpperCase() as '' | 'K' | 'M' | 'G' | 'T'];
  return Math.floor(Number(m[1]) * mult);
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

function listMedia(dir: string): { path: string; type: string }[] {
  const out: { path: string; type: string }[] = [];
  for (const type of ['jpeg', 'heic', 'mov', 'mp4']) {
    const d = join(dir, type);
    if (!existsSync(d)) continue;
    for (const f of readdirSync(d).sort()) out.push({ path: join(d, f), type });
  }
  return out;
}

export function generateImage(opts: { out: string; size: number; mediaDir: string; density: 'dense' | 'sparse' | 'none'; seed: number; types?: string[] }): BenchLayout {
  const rand = xorshift(opts.seed);
  const pool = new Uint8Array(RANDOM_POOL);
  const words = new Uint32Array(pool.buffer);
  for (let i = 0; i < words.length; i++) words[i] = (rand() * 0x100000000) >>> 0;
  const media = opts.density === 'none' ? [] : listMedia(opts.mediaDir).filter((m) => !opts.types || opts.types.includes(m.type));
  const hashes = new Map<string, string>();
  const mediaShare = opts.density === 'dense' ? 0.6 : opts.density === 'sparse' ? 0.08 : 0;
  const fd = openSync(opts.out, 'w');
  ftruncateSync(fd, opts.size);
  const layout: BenchLayout = { size: opts.size, density: opts.density, seed: opts.seed, media: [] };
  const zeros = new Uint8Array(4 * 1024 * 1024);
  const ffs = new Uint8Array(4 * 1024 * 1024).fill(0xff);
  let at = 0;
  let next = 0;
  while (at < opts.size) {
    const r = rand();
    if (media.length > 0 && r < mediaShare) {
      const m = media[next++ % media.length]!;
      const bytes = readFileSync(m.path);
      if (at + bytes.length > opts.size) break;
      writeSync(fd, bytes, 0, bytes.length, at);
      let sha = hashes.get(m.path);
      if (!sha) hashes.set(m.path, (sha = createHash('sha256').update(bytes).digest('hex')));
      layout.media.push({ offset: at, size: bytes.length, type: m.type, source: m.path, sha256: sha });
      at = Math.ceil((at + bytes.length) / ALIGN) * ALIGN;
      continue;
    }
    const len = Math.min(opts.size - at, ALIGN * (1 + Math.floor(rand() * 1024))); // 4 KiB .. 4 MiB
    const kind = rand();
    if (kind < 0.35) {
      // zeros: the file is sparse-extended already, but write them so the page cache holds real pages
      for (let w = 0; w < len; w += zeros.length) writeSync(fd, zeros, 0, Math.min(zeros.length, len - w), at + w);
    } else if (kind < 0.6) {
      for (let w = 0; w < len; w += ffs.length) writeSync(fd, ffs, 0, Math.min(ffs.length, len - w), at + w);
    } else {
      // A slice of the pool (len ≤ 4 MiB < pool size) at a random place.
      writeSync(fd, pool, Math.floor(rand() * (RANDOM_POOL - len)), len, at);
    }
    at += len;
  }
  closeSync(fd);
  writeFileSync(`${opts.out}.layout.json`, JSON.stringify(layout, null, 1));
  return layout;
}

if (import.meta.url === `file://${process.argv[1]}` || process.argv[1]?.endsWith('gen-image.ts')) {
  const { values } = parseArgs({
    options: {
      size: { type: 'string', default: '1G' },
      out: { type: 'string' },
      media: { type: 'string', default: resolve(import.meta.dirname, '../../shared/media') },
      density: { type: 'string', default: 'dense' },
      seed: { type: 'string', default: '1' },
      types: { type: 'string' },
    },
  });
  if (!values.out) throw new Error('--out is required');
  const t0 = performance.now();
  const layout = generateImage({
    out: values.out,
    size: parseSize(values.size!),
    mediaDir: values.media!,
    density: values.density as 'dense' | 'sparse' | 'none',
    seed: Number(values.seed),
    ...(values.types ? { types: values.types.split(',') } : {}),
  });
  console.log(`${values.out}: ${layout.size} bytes, ${layout.media.length} media files, ${((performance.now() - t0) / 1000).toFixed(1)} s`);
}
