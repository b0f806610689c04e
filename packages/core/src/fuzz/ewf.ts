/**
 * Fuzzing the E01 reader: small EWF images made with ewfacquire (when it is
 * installed), mutated — byte-level, and EWF-aware with the checksums fixed up
 * so the mutation reaches the parser behind them (section descriptors, volume
 * geometry, table counts, base offsets and entries, chunk data) — then opened
 * and read whole. Reading may fail only with EwfFormatError (opening) or
 * ImageReadError (a chunk); anything else is a crash. Bytes that read without
 * an error must be the acquired bytes, unless the mutation rewrote chunk data
 * and its checksum consistently (a forgery no reader can see).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import { EwfFormatError } from '../source/ewf/errors.js';
import { EwfSource } from '../source/ewf/ewf-source.js';
import { adler32 } from '../source/ewf/adler32.js';
import { ImageReadError } from '../source/image-source.js';
import { BYTE_MUTATORS, type Mutant } from './mutators.js';
import type { Rng } from './prng.js';

export const hasEwfacquire = (): boolean => spawnSync('which', ['ewfacquire']).status === 0;

export interface EwfSeed {
  readonly name: string;
  /** Segment files in order (bytes and file names: image.E01, image.E02, ...). */
  readonly segments: readonly { name: string; bytes: Uint8Array }[];
  /** The acquired media. */
  readonly raw: Uint8Array;
}

/** Random (stored chunks), text and zeros (compressed chunks), random again. */
export function ewfRaw(size: number): Uint8Array {
  const b = Buffer.alloc(size);
  let x = 0x9e3779b9;
  const third = Math.floor(size / 3);
  for (let i = 0; i < size; i++) {
    if (i >= third && i < 2 * third) continue;
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    b[i] = x & 0xff;
  }
  for (let i = third, n = 0; i < third + (third >> 1); n++) i += b.write(`rawcarve EWF fuzz line ${n}\n`, i);
  return new Uint8Array(b.buffer, b.byteOffset, b.length);
}

const VARIANTS: [string, string[], number][] = [
  ['encase6-best', ['-f', 'encase6', '-c', 'deflate:best', '-b', '16'], 96 * 1024 + 1536],
  ['encase6-none', ['-f', 'encase6', '-c', 'none', '-b', '16'], 64 * 1024],
  ['encase5-fast', ['-f', 'encase5', '-c', 'deflate:fast', '-b', '32'], 80 * 1024],
  ['ewf-original', ['-f', 'ewf', '-c', 'deflate:best', '-b', '16'], 64 * 1024],
  ['ftk', ['-f', 'ftk', '-c', 'deflate:fast', '-b', '16'], 64 * 1024],
  ['two-segments', ['-f', 'encase6', '-c', 'none', '-b', '64', '-S', '1MiB'], (1 << 20) + 64 * 1024],
];

/** Makes (or reuses, in `dir`) the EWF seed images. Empty when ewfacquire is missing. */
export function ewfSeeds(dir: string): EwfSeed[] {
  if (!hasEwfacquire()) return [];
  mkdirSync(dir, { recursive: true });
  const out: EwfSeed[] = [];
  for (const [name, args, size] of VARIANTS) {
    const d = join(dir, name);
    const raw = ewfRaw(size);
    if (!existsSync(join(d, '.done'))) {
      rmSync(d, { recursive: true, force: true });
      mkdirSync(d, { recursive: true });
      writeFileSync(join(d, 'raw.img'), raw);
      execFileSync('ewfacquire', ['-u', '-q', '-t', join(d, 'image'), ...args, '-C', 'case', '-D', 'fuzz seed', '-E', 'ev', '-e', 'examiner', '-N', 'notes', '-m', 'fixed', '-M', 'logical', '-o', '0', join(d, 'raw.img')], { stdio: 'pipe' });
      rmSync(join(d, 'raw.img'));
      writeFileSync(join(d, '.done'), '');
    }
    const files = readdirSync(d).filter((f) => /\.[Ee]\d\d$/.test(f)).sort();
    out.push({ name, raw, segments: files.map((f) => ({ name: f, bytes: new Uint8Array(readFileSync(join(d, f))) })) });
  }
  return out;
}

const u32le = (b: Uint8Array, at: number): number => (b[at]! | (b[at + 1]! << 8) | (b[at + 2]! << 16) | (b[at + 3]! << 24)) >>> 0;
function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v & 0xff;
  b[at + 1] = (v >>> 8) & 0xff;
  b[at + 2] = (v >>> 16) & 0xff;
  b[at + 3] = (v >>> 24) & 0xff;
}
function put64(b: Uint8Array, at: number, v: bigint): void {
  for (let i = 0; i < 8; i++) b[at + i] = Number((v >> BigInt(8 * i)) & 0xffn);
}

interface Section {
  type: string;
  offset: number;
  next: number;
}

/** The section chain of a valid segment. */
function sections(b: Uint8Array): Section[] {
  const out: Section[] = [];
  for (let at = 13; at + 76 <= b.length && out.length < 10_000; ) {
    let type = '';
    for (let i = 0; i < 16 && b[at + i] !== 0; i++) type += String.fromCharCode(b[at + i]!);
    const next = Number(new DataView(b.buffer, b.byteOffset).getBigUint64(at + 16, true));
    out.push({ type, offset: at, next });
    if (type === 'done' || type === 'next' || next <= at) break;
    at = next;
  }
  return out;
}

const fixDescriptor = (b: Uint8Array, at: number): void => put32(b, at + 72, adler32(b, at, at + 72));

/** EWF-aware mutations of one segment, checksums fixed so the parser behind them is reached. */
function ewfMutation(rng: Rng, seg: Uint8Array): { kind: string; bytes: Uint8Array; rewrite: boolean } | null {
  const b = Uint8Array.from(seg);
  const secs = sections(b);
  if (secs.length === 0) return null;
  const s = rng.pick(secs);
  const data = s.offset + 76;
  const big = rng.pick([0n, 1n, 75n, 76n, 0xffffffffn, 0xffffffffffffffffn, 1n << 53n, BigInt(s.offset), BigInt(b.length + 1)]);
  switch (rng.int(6)) {
    case 0: // descriptor next offset or size
      put64(b, s.offset + (rng.bool() ? 16 : 24), big);
      fixDescriptor(b, s.offset);
      return { kind: 'ewf-descriptor', bytes: b, rewrite: false };
    case 1: { // descriptor type renamed
      const t = rng.pick(['table', 'table2', 'sectors', 'volume', 'disk', 'data', 'done', 'next', 'header', 'hash', 'digest', 'error2', 'xhash', '']);
      b.fill(0, s.offset, s.offset + 16);
      for (let i = 0; i < t.length; i++) b[s.offset + i] = t.charCodeAt(i);
      fixDescriptor(b, s.offset);
      return { kind: 'ewf-section-type', bytes: b, rewrite: false };
    }
    case 2: { // volume geometry
      const vol = secs.find((x) => x.type === 'volume' || x.type === 'disk' || x.type === 'data');
      if (!vol) return null;
      const v = vol.offset + 76;
      const e01 = vol.next - v >= 1052;
      const field = rng.pick([4, 8, 12, 16]);
      const val = rng.pick([0, 1, 2, 0x7fffffff, 0xffffffff, u32le(b, v + field) + 1]);
      put32(b, v + field, val);
      if (e01 && field === 16) put32(b, v + 20, rng.pick([0, 0xffffffff, 0x200000]));
      const n = e01 ? 1048 : 90;
      if (v + n + 4 <= b.length) put32(b, v + n, adler32(b, v, v + n));
      return { kind: 'ewf-volume', bytes: b, rewrite: false };
    }
    case 3: { // table header: entry count or base offset
      const t = secs.find((x) => x.type === 'table' || x.type === 'table2');
      if (!t) return null;
      const h = t.offset + 76;
      if (rng.bool()) put32(b, h, rng.pick([0, 1, 0xffffffff, 1 << 24, (1 << 24) + 1, u32le(b, h) + 1, u32le(b, h) - 1]));
      else put64(b, h + 8, big);
      put32(b, h + 20, adler32(b, h, h + 20));
      return { kind: 'ewf-table-header', bytes: b, rewrite: false };
    }
    case 4: { // a table entry, footer checksum fixed
      const t = secs.find((x) => x.type === 'table' || x.type === 'table2');
      if (!t) return null;
      const h = t.offset + 76;
      const count = u32le(b, h);
      if (count === 0 || h + 24 + 4 * count + 4 > b.length) return null;
      const e = h + 24 + 4 * rng.int(count);
      put32(b, e, rng.pick([0, 0x7fffffff, 0x80000000, 0xffffffff, u32le(b, e) + 1, u32le(b, e) ^ 0x80000000, u32le(b, h + 24)]));
      // With chunks in "sectors" sections the entries carry a checksum: fixing it makes a forgery no reader can see
      // (an entry may then name another chunk's data). The original layout has none: that is plain damage.
      const footer = secs.some((x) => x.type === 'sectors');
      if (footer) put32(b, h + 24 + 4 * count, adler32(b, h + 24, h + 24 + 4 * count));
      return { kind: footer ? 'ewf-table-entry-forged' : 'ewf-table-entry', bytes: b, rewrite: footer };
    }
    default: { // chunk data replaced, its checksum (stored) or zlib stream (compressed) made consistent
      const sectors = secs.find((x) => x.type === 'sectors');
      if (!sectors || sectors.next - data < 64) return null;
      const at = data + rng.int(Math.max(1, sectors.next - data - 64));
      const len = Math.min(sectors.next - at, rng.pick([1, 16, 512]));
      if (rng.bool()) {
        // Zlib data of garbage, as a compressed chunk would hold (its length changes the chunk, a forgery).
        const z = deflateSync(Buffer.from(rng.bytes(len)));
        b.set(z.subarray(0, Math.min(z.length, sectors.next - at)), at);
        return { kind: 'ewf-chunk-forged', bytes: b, rewrite: true };
      }
      b.set(rng.bytes(len), at);
      return { kind: 'ewf-chunk-data', bytes: b, rewrite: false };
    }
  }
}

export interface EwfInput {
  readonly seed: EwfSeed;
  readonly kind: string;
  /** Which segment was mutated, and its new bytes. */
  readonly segment: number;
  readonly bytes: Uint8Array;
  /** The mutation rewrote data together with what checks it: differing reads are not a false read. */
  readonly rewrite: boolean;
}

export function makeEwfInput(rng: Rng, seeds: readonly EwfSeed[]): EwfInput | null {
  // A mutation that does not apply gives way to another: every input is mutated.
  for (let attempt = 0; attempt < 16; attempt++) {
    const input = tryEwfInput(rng, seeds);
    if (input) return input;
  }
  return null;
}

function tryEwfInput(rng: Rng, seeds: readonly EwfSeed[]): EwfInput | null {
  const seed = rng.pick(seeds);
  const segment = rng.int(seed.segments.length);
  const original = seed.segments[segment]!.bytes;
  if (rng.bool(0.5)) {
    const m = ewfMutation(rng, original);
    if (m) return { seed, kind: m.kind, segment, bytes: m.bytes, rewrite: m.rewrite };
  }
  const other = rng.pick(seeds).segments[0]!.bytes;
  const m: Mutant | null = rng.weighted(BYTE_MUTATORS)(rng, original, other);
  return m ? { seed, kind: m.kind, segment, bytes: m.bytes, rewrite: false } : null;
}

export interface EwfOutcome {
  /** opened: the image opened (and was read); rejected: opening threw EwfFormatError. */
  result: 'opened' | 'rejected';
  ms: number;
  /** Bytes read without error / lost to ImageReadError. */
  readable: number;
  unreadable: number;
  /** Bytes read without error that differ from the acquired media (and the mutation was no consistent rewrite). */
  falseBytes: number;
  crash?: string;
}

/** Most media read per input (a mutated sector count may claim gigabytes). */
const MAX_READ_BACK = 4 << 20;
const PIECE = 64 * 1024;

/** Writes the input's segment set into `dir`, opens it and reads it back. */
export function runEwfInput(input: EwfInput, dir: string): EwfOutcome {
  for (const f of readdirSync(dir)) rmSync(join(dir, f), { force: true });
  input.seed.segments.forEach((s, i) => writeFileSync(join(dir, s.name), i === input.segment ? input.bytes : s.bytes));
  const first = join(dir, input.seed.segments[0]!.name);
  const t0 = performance.now();
  let source: EwfSource;
  try {
    source = new EwfSource(first);
  } catch (e) {
    const ms = performance.now() - t0;
    if (e instanceof EwfFormatError) return { result: 'rejected', ms, readable: 0, unreadable: 0, falseBytes: 0 };
    return { result: 'rejected', ms, readable: 0, unreadable: 0, falseBytes: 0, crash: `open threw ${describe(e)}` };
  }
  let readable = 0;
  let unreadable = 0;
  let falseBytes = 0;
  try {
    const raw = input.seed.raw;
    const buf = new Uint8Array(PIECE);
    const end = Math.min(source.size, MAX_READ_BACK);
    for (let at = 0; at < end; at += PIECE) {
      const want = Math.min(PIECE, end - at);
      try {
        const n = source.readInto(at, buf, 0, want);
        if (n !== want) return { result: 'opened', ms: performance.now() - t0, readable, unreadable, falseBytes, crash: `short read: ${n} of ${want} bytes at ${at} inside the media` };
        readable += n;
        if (!input.rewrite) for (let i = 0; i < n; i++) if (buf[i] !== (raw[at + i] ?? -1)) falseBytes++;
      } catch (e) {
        if (!(e instanceof ImageReadError)) return { result: 'opened', ms: performance.now() - t0, readable, unreadable, falseBytes, crash: `read threw ${describe(e)}` };
        unreadable += want;
      }
    }
  } finally {
    source.close();
  }
  return { result: 'opened', ms: performance.now() - t0, readable, unreadable, falseBytes };
}

function describe(e: unknown): string {
  return e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 5).join('\n')}` : String(e);
}
