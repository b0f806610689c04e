/**
 * FAT32 card images made by the real tools (dosfstools' mkfs.vfat, mtools'
 * mcopy/mdel): what a camera card looks like after photos were taken and
 * some deleted. With `fragment`, small files are written and every other one
 * deleted first, so later photos land in the holes, fragmented as on real cards.
 * Ground truth comes from the cluster chains in the FAT, read before deletion.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, copyFileSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join } from 'node:path';
import { mulberry32 } from './prng.js';
import { mediaType, type GroundTruth, type TruthFile } from './truth.js';

export interface FatCardOptions {
  files: string[];
  outFile: string;
  seed: number;
  /** Share of the media files deleted after copying (default 0.5). */
  deleteFraction?: number;
  fragment?: boolean;
  /** Cluster size in sectors (default 8 = 4 KiB). */
  sectorsPerCluster?: number;
}

export function buildFatCard(opts: FatCardOptions): GroundTruth {
  const rand = mulberry32(opts.seed);
  const timeRand = mulberry32(opts.seed ^ 0x5eed); // its own sequence: the files deleted are those of earlier versions
  const total = opts.files.reduce((n, f) => n + statSync(f).size, 0);
  const sizeMiB = Math.ceil((total * (opts.fragment ? 3.2 : 1.4)) / 2 ** 20) + 40;
  // FAT32 needs at least 65525 clusters: the biggest cluster (≤ 4 KiB, as cameras use) that allows it.
  const spc = opts.sectorsPerCluster ?? [8, 4, 2, 1].find((s) => (sizeMiB * 2 ** 20) / (s * 512) >= 66000) ?? 1;
  rmSync(opts.outFile, { force: true });
  execFileSync('mkfs.vfat', ['-F', '32', '-s', String(spc), '-n', 'CARD', '-C', opts.outFile, String(sizeMiB * 1024)], { stdio: 'pipe' });
  const img = ['-i', opts.outFile];
  // TZ=UTC: mtools writes local times, so the entries hold the UTC times of the copies made below.
  const m = (cmd: string, ...args: string[]): string => execFileSync(cmd, [...img, ...args], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, MTOOLS_SKIP_CHECK: '1', TZ: 'UTC' } });
  m('mmd', '::/DCIM');
  m('mmd', '::/DCIM/100CARD');
  const tmp = mkdtempSync(join(tmpdir(), 'rawcarve-fat-'));
  try {
    if (opts.fragment) {
      // mtools allocates from a next-free pointer, not first fit: to make files land in
      // holes, write spacers, fill the rest of the volume, then free every other spacer.
      const spacers = 24;
      const clusterBytes = spc * 512;
      for (let i = 0; i < spacers; i++) {
        const f = join(tmp, `SPACE${i}.BIN`);
        const clusters = Math.max(1, Math.round(((total * 1.5) / (spacers / 2) / clusterBytes) * (0.5 + rand())));
        writeFileSync(f, Buffer.alloc(clusters * clusterBytes, 0x20 + i));
        m('mcopy', f, `::/SPACE${i}.BIN`);
      }
      const g = geometry(opts.outFile);
      const free = readFat(opts.outFile, g).reduce((n, v, i) => (i >= 2 && i < g.clusters + 2 && (v & 0x0fffffff) === 0 ? n + 1 : n), 0);
      const fill = join(tmp, 'FILL.BIN');
      writeFileSync(fill, Buffer.alloc(Math.max(0, free - 64) * g.clusterSize));
      m('mcopy', fill, '::/FILL.BIN');
      rmSync(fill);
      for (let i = 0; i < spacers; i += 2) m('mdel', `::/SPACE${i}.BIN`);
    }
    const names: string[] = [];
    const times: string[] = [];
    opts.files.forEach((src, i) => {
      const ext = (basename(src).split('.').pop() ?? 'BIN').toUpperCase().slice(0, 4);
      // Long names among them, as phones write (every fifth, and the first).
      const name = i % 5 === 0 ? `Long photo name ${i}.${ext}` : `IMG_${String(i + 1).padStart(4, '0')}.${ext}`;
      // mcopy -m keeps the source's modification time: a copy with a known one (even seconds, as FAT stores them).
      const when = new Date(Date.UTC(2023, 0, 1) + Math.floor((timeRand() * 365 * 86400) / 2) * 2000);
      const copy = join(tmp, `src${i}`);
      copyFileSync(src, copy);
      utimesSync(copy, when, when);
      m('mcopy', '-m', copy, `::/DCIM/100CARD/${name}`);
      rmSync(copy);
      names.push(`DCIM/100CARD/${name}`);
      times.push(when.toISOString().slice(0, 19));
    });
    const geo = geometry(opts.outFile);
    const fat = readFat(opts.outFile, geo);
    const files: TruthFile[] = opts.files.map((src, i) => {
      const bytes = readFileSync(src);
      const first = firstCluster(m, names[i]!);
      const fragments = chainFragments(fat, first, bytes.length, geo);
      return {
        id: names[i]!,
        source: src,
        type: mediaType(src),
        size: bytes.length,
        sha256: createHash('sha256').update(bytes).digest('hex'),
        layout: fragments.length === 1 ? 'contiguous' : fragments.length === 2 ? 'bifragment' : 'three-fragment',
        intact: true,
        fsPath: names[i]!,
        fsName: names[i]!.split('/').pop()!,
        modified: times[i]!,
        fragments,
      };
    });
    const frac = opts.deleteFraction ?? 0.5;
    for (const f of files) {
      if (rand() < frac) {
        m('mdel', `::/${f.fsPath}`);
        f.deleted = true;
      } else f.deleted = false;
    }
    const truth: GroundTruth = {
      kind: 'fat32-card',
      image: opts.outFile,
      size: statSync(opts.outFile).size,
      sectorSize: 512,
      clusterSize: geo.clusterSize,
      generator: `@rawcarve/test-images fat-card (mkfs.vfat, mtools)${opts.fragment ? ' fragmented' : ''}`,
      seed: opts.seed,
      files,
    };
    writeFileSync(`${opts.outFile}.truth.json`, JSON.stringify(truth, null, 1));
    return truth;
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

interface Geometry {
  clusterSize: number;
  /** Data clusters on the volume (the FAT may have more entries than that). */
  clusters: number;
  fatOffset: number;
  dataStart: number;
}

function geometry(image: string): Geometry {
  const b = Buffer.alloc(512);
  const fd = openSync(image, 'r');
  readSync(fd, b, 0, 512, 0);
  closeSync(fd);
  const bps = b.readUInt16LE(11);
  const spc = b[13]!;
  const reserved = b.readUInt16LE(14);
  const nfats = b[16]!;
  const fatSize = b.readUInt32LE(36);
  const dataSectors = b.readUInt32LE(32) - (reserved + nfats * fatSize);
  return { clusterSize: bps * spc, clusters: Math.floor(dataSectors / spc), fatOffset: reserved * bps, dataStart: (reserved + nfats * fatSize) * bps };
}

function readFat(image: string, g: Geometry): Uint32Array {
  const fd = openSync(image, 'r');
  const b = Buffer.alloc(g.dataStart - g.fatOffset);
  readSync(fd, b, 0, b.length, g.fatOffset);
  closeSync(fd);
  return new Uint32Array(b.buffer, b.byteOffset, b.length >>> 2);
}

/** mshowfat prints "<path> <first-last> <first-last> ..." cluster ranges. */
function firstCluster(m: (cmd: string, ...a: string[]) => string, path: string): number {
  const out = m('mshowfat', `::/${path}`);
  const hit = /<(\d+)/.exec(out);
  if (!hit) throw new Error(`mshowfat gave no clusters for ${path}: ${out}`);
  return Number(hit[1]);
}

function chainFragments(fat: Uint32Array, first: number, size: number, g: Geometry): TruthFile['fragments'] {
  const frags: TruthFile['fragments'] = [];
  let c = first;
  let fileOffset = 0;
  for (let guard = 0; fileOffset < size && guard < fat.length; guard++) {
    const imgOffset = g.dataStart + (c - 2) * g.clusterSize;
    const len = Math.min(g.clusterSize, size - fileOffset);
    const last = frags[frags.length - 1];
    if (last && last.imgOffset + last.length === imgOffset) last.length += len;
    else frags.push({ imgOffset, fileOffset, length: len });
    fileOffset += len;
    c = fat[c]! & 0x0fffffff;
    if (c >= 0x0ffffff8 || c < 2) break;
  }
  return frags;
}
