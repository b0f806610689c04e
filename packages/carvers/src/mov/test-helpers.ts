/** Shared by the MOV tests: ffmpeg-generated movies and byte-level rewrites of them. */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const hasFfmpeg = spawnSync('ffmpeg', ['-version']).status === 0;
const encoders = hasFfmpeg ? execFileSync('ffmpeg', ['-hide_banner', '-encoders'], { encoding: 'utf8' }) : '';
export const hasX264 = encoders.includes('libx264');
export const hasX265 = encoders.includes('libx265');

const SOURCE = ['-f', 'lavfi', '-i', 'testsrc=size=320x240:rate=25', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '2', '-pix_fmt', 'yuv420p'];

/** name → [output file name, ffmpeg arguments after the inputs]. */
const VARIANTS: Record<string, [string, string[]]> = {
  h264MoovLast: ['last.mp4', ['-c:v', 'libx264', '-g', '10', '-c:a', 'aac']],
  h264MoovFirst: ['first.mp4', ['-c:v', 'libx264', '-g', '10', '-c:a', 'aac', '-movflags', '+faststart']],
  fragmented: ['frag.mp4', ['-c:v', 'libx264', '-g', '10', '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov']],
  fragmentedBaseMoof: ['dash.mp4', ['-c:v', 'libx264', '-g', '10', '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov+default_base_moof']],
  h264Mov: ['h264.mov', ['-c:v', 'libx264', '-g', '10', '-c:a', 'aac']],
  hevcMov: ['hevc.mov', ['-c:v', 'libx265', '-x265-params', 'log-level=error', '-tag:v', 'hvc1', '-c:a', 'aac']],
  mjpegMov: ['mjpeg.mov', ['-c:v', 'mjpeg', '-s', '160x120', '-c:a', 'pcm_s16le']],
  h263: ['h263.3gp', ['-c:v', 'h263', '-s', '176x144', '-an']],
  livePhoto: ['live.mov', ['-c:v', 'libx264', '-an', '-metadata', 'com.apple.quicktime.content.identifier=ABCD-1234', '-metadata', 'com.apple.quicktime.make=Apple', '-movflags', 'use_metadata_tags']],
  m4v: ['m4v.m4v', ['-c:v', 'libx264', '-c:a', 'aac', '-f', 'mp4', '-brand', 'M4V ']],
};

/** Generates every variant the installed encoders allow. */
export function generateMovies(): Record<string, Uint8Array> {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-mov-'));
  const out: Record<string, Uint8Array> = {};
  try {
    for (const [name, [file, args]] of Object.entries(VARIANTS)) {
      if (args.includes('libx264') && !hasX264) continue;
      if (args.includes('libx265') && !hasX265) continue;
      execFileSync('ffmpeg', ['-v', 'error', '-y', ...SOURCE, ...args, join(dir, file)]);
      out[name] = new Uint8Array(readFileSync(join(dir, file)));
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  return out;
}

export interface Box {
  type: string;
  start: number;
  size: number;
  header: number;
}

const dv = (b: Uint8Array) => new DataView(b.buffer, b.byteOffset, b.byteLength);
const type = (b: Uint8Array, i: number) => String.fromCharCode(b[i + 4]!, b[i + 5]!, b[i + 6]!, b[i + 7]!);

/** The boxes tiling [start, end) of a well-formed file (test input only). */
export function boxes(b: Uint8Array, start = 0, end = b.length): Box[] {
  const out: Box[] = [];
  for (let at = start; at + 8 <= end; ) {
    let size = dv(b).getUint32(at);
    let header = 8;
    if (size === 1) {
      size = Number(dv(b).getBigUint64(at + 8));
      header = 16;
    } else if (size === 0) {
      size = end - at;
    }
    out.push({ type: type(b, at), start: at, size, header });
    at += size;
  }
  return out;
}

const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl']);

/** Every box of `kind` under moov (depth-first). */
export function findAll(b: Uint8Array, kind: string, start = 0, end = b.length): Box[] {
  const found: Box[] = [];
  for (const box of boxes(b, start, end)) {
    if (box.type === kind) found.push(box);
    if (CONTAINERS.has(box.type)) found.push(...findAll(b, kind, box.start + box.header, box.start + box.size));
  }
  return found;
}

/** Drops the first `cut` bytes (ftyp, wide) and moves every stco/co64 entry back by as much. */
export function dropHead(file: Uint8Array, cut: number): Uint8Array {
  const b = Uint8Array.from(file);
  for (const stco of findAll(b, 'stco')) {
    const n = dv(b).getUint32(stco.start + 12);
    for (let i = 0; i < n; i++) dv(b).setUint32(stco.start + 16 + 4 * i, dv(b).getUint32(stco.start + 16 + 4 * i) - cut);
  }
  expect0(findAll(b, 'co64').length);
  return b.subarray(cut);
}

function expect0(n: number): void {
  if (n !== 0) throw new Error('co64 rewriting not supported in tests');
}

/** Turns the 8-byte free/wide box before mdat plus mdat's header into one 16-byte 64-bit (largesize) mdat header. */
export function largesizeMdat(file: Uint8Array): Uint8Array {
  const top = boxes(file);
  const i = top.findIndex((x) => x.type === 'mdat');
  const before = top[i - 1]!;
  if (before.size !== 8) throw new Error('no 8-byte box before mdat');
  const b = Uint8Array.from(file);
  dv(b).setUint32(before.start, 1);
  b.set([0x6d, 0x64, 0x61, 0x74], before.start + 4);
  dv(b).setBigUint64(before.start + 8, BigInt(top[i]!.size + 8));
  return b;
}

/** Sets the size of the last top-level box (mdat of a faststart file) to 0: "runs to the end of the file". */
export function zeroSizeLast(file: Uint8Array): Uint8Array {
  const top = boxes(file);
  const last = top[top.length - 1]!;
  const b = Uint8Array.from(file);
  dv(b).setUint32(last.start, 0);
  return b;
}

/** Image offset of the first sample of the first video track (its first chunk offset). */
export function firstVideoSample(file: Uint8Array): number {
  for (const trak of findAll(file, 'trak')) {
    const hdlr = findAll(file, 'hdlr', trak.start + 8, trak.start + trak.size)[0];
    if (!hdlr || type(file, hdlr.start + 12) !== 'vide') continue;
    const stco = findAll(file, 'stco', trak.start + 8, trak.start + trak.size)[0]!;
    return dv(file).getUint32(stco.start + 16);
  }
  throw new Error('no video track');
}
