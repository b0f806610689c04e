/**
 * Raw lab images in the style of the DFRWS 2006/2007 carving challenges:
 * media files placed on sector boundaries between filler of many kinds
 * (zeros, 0xFF, random, text, and decoys that start with real signatures),
 * optionally fragmented the way the 2007 challenge did: bifragmented with
 * gaps of 1–1000 sectors, three fragments, two files interleaved, the second
 * fragment before the first, and truncated files.
 */
import { createHash } from 'node:crypto';
import { closeSync, existsSync, openSync, readdirSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { fillRandom, mulberry32, randInt } from './prng.js';
import { mediaType, type GroundTruth, type TruthFile, type TruthLayout } from './truth.js';

const SECTOR = 512;

export interface RawLabOptions {
  mediaDir: string;
  outFile: string;
  seed: number;
  /** Subfolders of mediaDir to take (jpeg, heic, mov, mp4); all when omitted. */
  types?: string[];
  fragmented: boolean;
  maxFiles?: number;
  /** Explicit media files instead of mediaDir's listing. */
  files?: string[];
}

type Piece = { kind: 'file'; file: number; from: number; to: number } | { kind: 'filler'; sectors: number };

export function listMedia(mediaDir: string, types?: string[]): string[] {
  const out: string[] = [];
  for (const t of types ?? ['jpeg', 'heic', 'mov', 'mp4']) {
    const d = join(mediaDir, t);
    if (existsSync(d)) for (const f of readdirSync(d).sort()) out.push(join(d, f));
  }
  return out;
}

export function buildRawLab(opts: RawLabOptions): GroundTruth {
  const rand = mulberry32(opts.seed);
  let paths = opts.files ?? listMedia(opts.mediaDir, opts.types);
  if (opts.maxFiles !== undefined) paths = paths.slice(0, opts.maxFiles);
  const sizes = paths.map((p) => readFileSync(p).length);
  const layouts = assignLayouts(paths.length, opts.fragmented, rand);
  const pieces: Piece[] = [{ kind: 'filler', sectors: randInt(rand, 8, 64) }];
  const filler = (): Piece => ({ kind: 'filler', sectors: randInt(rand, 1, 64) });
  const gap = (): Piece => ({ kind: 'filler', sectors: randInt(rand, 1, 1000) });
  const cut = (size: number, lo: number, hi: number): number => Math.max(SECTOR, Math.floor((size * (lo + (hi - lo) * rand())) / SECTOR) * SECTOR);

  for (let i = 0; i < paths.length; i++) {
    const size = sizes[i]!;
    const whole: Piece = { kind: 'file', file: i, from: 0, to: size };
    const layout = size < 4 * SECTOR ? 'contiguous' : layouts[i]!;
    if (layout === 'contiguous') pieces.push(whole, filler());
    else if (layout === 'bifragment') {
      const a = cut(size, 0.2, 0.8);
      pieces.push({ kind: 'file', file: i, from: 0, to: a }, gap(), { kind: 'file', file: i, from: a, to: size }, filler());
    } else if (layout === 'three-fragment') {
      const a = cut(size, 0.15, 0.45);
      const b = Math.max(a + SECTOR, cut(size, 0.55, 0.85));
      pieces.push({ kind: 'file', file: i, from: 0, to: a }, gap(), { kind: 'file', file: i, from: a, to: b }, gap(), { kind: 'file', file: i, from: b, to: size }, filler());
    } else if (layout === 'out-of-order') {
      const a = cut(size, 0.3, 0.7);
      pieces.push({ kind: 'file', file: i, from: a, to: size }, gap(), { kind: 'file', file: i, from: 0, to: a }, filler());
    } else if (layout === 'interleaved' && i + 1 < paths.length && sizes[i + 1]! >= 4 * SECTOR) {
      const j = i + 1;
      layouts[j] = 'interleaved';
      const a = cut(size, 0.3, 0.7);
      const b = cut(sizes[j]!, 0.3, 0.7);
      pieces.push(
        { kind: 'file', file: i, from: 0, to: a }, { kind: 'file', file: j, from: 0, to: b },
        { kind: 'file', file: i, from: a, to: size }, { kind: 'file', file: j, from: b, to: sizes[j]! }, filler(),
      );
      i++;
    } else if (layout === 'truncated') {
      pieces.push({ kind: 'file', file: i, from: 0, to: cut(size, 0.3, 0.7) }, filler());
    } else {
      layouts[i] = 'contiguous';
      pieces.push(whole, filler());
    }
  }

  // Place pieces on sector boundaries and write them, one media file in memory at a time.
  const truthFiles: TruthFile[] = paths.map((p, i) => ({
    id: p.split('/').pop()!,
    source: p,
    type: mediaType(p),
    size: sizes[i]!,
    sha256: '',
    layout: sizes[i]! < 4 * SECTOR ? 'contiguous' : layouts[i]!,
    intact: layouts[i] !== 'truncated',
    fragments: [],
  }));
  const fd = openSync(opts.outFile, 'w');
  let at = 0;
  let cached = -1;
  let bytes = new Uint8Array(0);
  try {
    for (const piece of pieces) {
      if (piece.kind === 'filler') {
        const buf = makeFiller(rand, piece.sectors * SECTOR);
        writeSync(fd, buf, 0, buf.length, at);
        at += buf.length;
        continue;
      }
      if (cached !== piece.file) {
        bytes = readFileSync(paths[piece.file]!);
        cached = piece.file;
        truthFiles[piece.file]!.sha256 = createHash('sha256').update(bytes).digest('hex');
      }
      const len = piece.to - piece.from;
      writeSync(fd, bytes, piece.from, len, at);
      truthFiles[piece.file]!.fragments.push({ imgOffset: at, fileOffset: piece.from, length: len });
      const padded = Math.ceil(len / SECTOR) * SECTOR;
      if (padded > len) {
        // Slack after a fragment's end: random, as on a used card.
        const slack = fillRandom(rand, new Uint8Array(padded - len));
        writeSync(fd, slack, 0, slack.length, at + len);
      }
      at += padded;
    }
  } finally {
    closeSync(fd);
  }
  for (const f of truthFiles) f.fragments.sort((a, b) => a.fileOffset - b.fileOffset);
  const truth: GroundTruth = {
    kind: 'raw-lab',
    image: opts.outFile,
    size: at,
    sectorSize: SECTOR,
    generator: `@rawcarve/test-images raw-lab${opts.fragmented ? ' fragmented' : ''}`,
    seed: opts.seed,
    files: truthFiles,
  };
  writeFileSync(`${opts.outFile}.truth.json`, JSON.stringify(truth, null, 1));
  return truth;
}

/** About 60% contiguous, the rest spread over the DFRWS-2007 layouts. */
function assignLayouts(n: number, fragmented: boolean, rand: () => number): TruthLayout[] {
  const kinds: TruthLayout[] = ['bifragment', 'three-fragment', 'out-of-order', 'interleaved', 'truncated'];
  return Array.from({ length: n }, () => (!fragmented || rand() < 0.6 ? 'contiguous' : kinds[Math.floor(rand() * kinds.length)]!));
}

const TEXT = 'The quick brown fox jumps over the lazy dog. Lorem ipsum dolor sit amet, consectetur adipiscing elit.\n';

/** Filler of one kind; decoys start with real signatures but are not files. */
function makeFiller(rand: () => number, len: number): Uint8Array {
  const r = rand();
  const buf = new Uint8Array(len);
  if (r < 0.25) return buf; // zeros
  if (r < 0.4) return buf.fill(0xff); // erased flash
  if (r < 0.55) {
    for (let i = 0; i < len; i++) buf[i] = TEXT.charCodeAt(i % TEXT.length);
    return buf;
  }
  fillRandom(rand, buf);
  if (r > 0.85 && len >= 16) {
    // Decoy: a signature at the sector start followed by garbage.
    const decoys = [[0xff, 0xd8, 0xff, 0xe0, 0x00, 0x10, 0x4a, 0x46], [0xff, 0xd8, 0xff, 0xdb], [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70, 0x68, 0x65, 0x69, 0x63], [0, 0, 0, 0x20, 0x66, 0x74, 0x79, 0x70, 0x69, 0x73, 0x6f, 0x6d]];
    buf.set(decoys[Math.floor(rand() * decoys.length)]!, 0);
  }
  return buf;
}
