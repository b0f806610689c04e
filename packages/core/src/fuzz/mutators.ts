/**
 * Byte-level mutators for fuzzing carvers and parsers (format-agnostic).
 *
 * Every mutator takes a PRNG and an original (valid) file and returns a
 * Mutant: the mutated bytes plus *where* the mutation happened, in the
 * original's coordinates. That is what lets an oracle decide whether a
 * `complete` verdict on the mutant is legitimate: a mutation that only
 * overwrote bytes the format never checks may come back complete, anything
 * else must not (see packages/carvers/src/fuzz/oracle.ts).
 *
 * Kinds: bit flips (single and bursts), interesting byte and integer values,
 * byte insertion and deletion, truncation, chunk duplication and moves,
 * sectors overwritten by zeros / 0xFF / random data (what a file system does
 * to a deleted file), splicing two files, random bytes appended. Format-aware
 * mutators live beside this file (bmff-mutators.ts) and in the carvers
 * package (JPEG markers).
 */
import type { Rng } from './prng.js';

export interface Range {
  readonly start: number;
  readonly end: number;
}

export interface Mutant {
  /** Mutator name, for per-kind counts. */
  readonly kind: string;
  readonly bytes: Uint8Array;
  /**
   * In-place mutations: the original ranges whose bytes may now differ (every
   * other byte is unchanged and at its original offset). Null when bytes were
   * inserted, deleted or moved (offsets after `from` no longer match).
   */
  readonly overwritten: readonly Range[] | null;
  /** Lowest original offset whose byte changed or moved. */
  readonly from: number;
  /** What was done, for reproduction notes. */
  readonly detail: string;
}

export type Mutator = (rng: Rng, input: Uint8Array, other?: Uint8Array) => Mutant | null;

/** Values that break parsers: boundaries of signed/unsigned 8-, 16-, 32-bit fields. */
export const INTERESTING_U8 = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff] as const;
export const INTERESTING_U16 = [0, 1, 2, 0x7fff, 0x8000, 0xfffe, 0xffff] as const;
export const INTERESTING_U32 = [0, 1, 2, 7, 8, 0x7fffffff, 0x80000000, 0xfffffffe, 0xffffffff] as const;

/** A copy of `input` with in-place edits applied by `edit`. */
export function inPlace(kind: string, input: Uint8Array, ranges: Range[], detail: string, edit: (b: Uint8Array) => void): Mutant {
  const bytes = Uint8Array.from(input);
  edit(bytes);
  const from = ranges.reduce((m, r) => Math.min(m, r.start), Infinity);
  return { kind, bytes, overwritten: ranges, from: Number.isFinite(from) ? from : 0, detail };
}

function concat(parts: Uint8Array[]): Uint8Array {
  let n = 0;
  for (const p of parts) n += p.length;
  const out = new Uint8Array(n);
  let at = 0;
  for (const p of parts) {
    out.set(p, at);
    at += p.length;
  }
  return out;
}

/** A position in the file, biased to the first 64 KiB (where headers are) half of the time. */
export function position(rng: Rng, length: number): number {
  if (length <= 0) return 0;
  return rng.bool(0.5) ? rng.int(Math.min(length, 65536)) : rng.int(length);
}

export const bitflip: Mutator = (rng, input) => {
  if (input.length === 0) return null;
  const n = rng.pick([1, 1, 1, 2, 3, 4, 8]);
  const ranges: Range[] = [];
  const bits: [number, number][] = [];
  for (let i = 0; i < n; i++) {
    const at = position(rng, input.length);
    bits.push([at, rng.int(8)]);
    ranges.push({ start: at, end: at + 1 });
  }
  return inPlace('bitflip', input, ranges, bits.map(([a, b]) => `${a}.${b}`).join(','), (b) => {
    for (const [at, bit] of bits) b[at]! ^= 1 << bit;
  });
};

export const bitflipBurst: Mutator = (rng, input) => {
  if (input.length === 0) return null;
  const at = position(rng, input.length);
  const len = Math.min(input.length - at, rng.range(1, 16));
  const mask = rng.bytes(len);
  return inPlace('bitflip-burst', input, [{ start: at, end: at + len }], `${at}+${len}`, (b) => {
    for (let i = 0; i < len; i++) b[at + i]! ^= mask[i]! | 1;
  });
};

export const byteSet: Mutator = (rng, input) => {
  if (input.length === 0) return null;
  const at = position(rng, input.length);
  const v = rng.bool(0.7) ? rng.pick(INTERESTING_U8) : rng.int(256);
  if (input[at] === v) return null;
  return inPlace('byte-set', input, [{ start: at, end: at + 1 }], `${at}=${v}`, (b) => {
    b[at] = v;
  });
};

/** An interesting 16- or 32-bit value, big- or little-endian, at a random position. */
export const intSet: Mutator = (rng, input) => {
  const wide = rng.bool();
  const size = wide ? 4 : 2;
  if (input.length < size) return null;
  const at = position(rng, input.length - size + 1);
  const v = wide ? rng.pick(INTERESTING_U32) : rng.pick(INTERESTING_U16);
  const le = rng.bool(0.3);
  return inPlace('int-set', input, [{ start: at, end: at + size }], `${at}:u${size * 8}${le ? 'le' : 'be'}=${v}`, (b) => {
    writeUint(b, at, size, v, le);
  });
};

export const insertBytes: Mutator = (rng, input) => {
  const at = position(rng, input.length + 1);
  const n = rng.pick([1, 1, 2, 3, 4, 7, 16, 512, 4096]);
  const ins = rng.bool(0.3) ? new Uint8Array(n).fill(rng.pick([0, 0xff])) : rng.bytes(n);
  return { kind: 'insert', bytes: concat([input.subarray(0, at), ins, input.subarray(at)]), overwritten: null, from: at, detail: `${n}@${at}` };
};

export const deleteBytes: Mutator = (rng, input) => {
  if (input.length < 2) return null;
  const at = position(rng, input.length);
  const n = Math.min(input.length - at, rng.pick([1, 1, 2, 3, 4, 8, 16, 512, 4096]));
  return { kind: 'delete', bytes: concat([input.subarray(0, at), input.subarray(at + n)]), overwritten: null, from: at, detail: `${n}@${at}` };
};

export const truncate: Mutator = (rng, input) => {
  if (input.length < 2) return null;
  // Half anywhere, half close to the end (the common case: a file cut by the image end).
  const at = rng.bool() ? rng.int(input.length) : Math.max(0, input.length - 1 - rng.int(Math.min(input.length, 4096)));
  return { kind: 'truncate', bytes: input.slice(0, at), overwritten: null, from: at, detail: `at ${at}` };
};

/** A chunk of the file inserted again elsewhere (a duplicated cluster). */
export const duplicateChunk: Mutator = (rng, input) => {
  if (input.length < 2) return null;
  const src = rng.int(input.length);
  const n = Math.min(input.length - src, rng.pick([4, 16, 512, 4096, 32768]));
  const at = position(rng, input.length + 1);
  const chunk = input.slice(src, src + n);
  return { kind: 'dup-chunk', bytes: concat([input.subarray(0, at), chunk, input.subarray(at)]), overwritten: null, from: at, detail: `${src}+${n}->${at}` };
};

/** A chunk of the file copied over another place of the same length (an interleaved cluster). */
export const copyOver: Mutator = (rng, input) => {
  if (input.length < 8) return null;
  const n = Math.min(input.length >> 1, rng.pick([4, 16, 512, 4096]));
  const src = rng.int(input.length - n + 1);
  const dst = position(rng, input.length - n + 1);
  if (src === dst) return null;
  return inPlace('copy-over', input, [{ start: dst, end: dst + n }], `${src}+${n}->${dst}`, (b) => {
    b.set(input.subarray(src, src + n), dst);
  });
};

/** A sector-aligned run overwritten with zeros, 0xFF (erased flash) or random data. */
export const sectorOverwrite: Mutator = (rng, input) => {
  if (input.length < 512) return null;
  const sectors = Math.ceil(input.length / 512);
  const first = rng.int(sectors);
  const count = rng.pick([1, 1, 2, 8, 64]);
  const start = first * 512;
  const end = Math.min(input.length, start + count * 512);
  const fill = rng.pick(['zero', 'ff', 'random'] as const);
  const random = fill === 'random' ? rng.bytes(end - start) : null;
  return inPlace(`sector-${fill}`, input, [{ start, end }], `${start}..${end}`, (b) => {
    if (random) b.set(random, start);
    else b.fill(fill === 'zero' ? 0 : 0xff, start, end);
  });
};

/** The first part of this file, then the rest of another one (a fragment followed by foreign data). */
export const splice: Mutator = (rng, input, other) => {
  if (!other || input.length < 2 || other.length < 2) return null;
  const at = rng.bool() ? rng.int(input.length) : 512 * rng.int(Math.max(1, Math.ceil(input.length / 512)));
  const from = rng.int(other.length);
  const cut = Math.min(at, input.length);
  return { kind: 'splice', bytes: concat([input.subarray(0, cut), other.subarray(from)]), overwritten: null, from: cut, detail: `${cut}|other@${from}` };
};

/** Random bytes after the file (what follows a file on a disk). */
export const appendRandom: Mutator = (rng, input) => {
  const n = rng.pick([1, 16, 512, 8192]);
  return { kind: 'append', bytes: concat([input, rng.bytes(n)]), overwritten: null, from: input.length, detail: `${n}` };
};

/** The generic mutators with their weights. */
export const BYTE_MUTATORS: readonly (readonly [number, Mutator])[] = [
  [20, bitflip],
  [6, bitflipBurst],
  [8, byteSet],
  [8, intSet],
  [6, insertBytes],
  [6, deleteBytes],
  [8, truncate],
  [4, duplicateChunk],
  [4, copyOver],
  [6, sectorOverwrite],
  [4, splice],
  [2, appendRandom],
];

/** Big- or little-endian unsigned write of 1, 2, 4 or 8 bytes (8: value as a number, high word from it). */
export function writeUint(b: Uint8Array, at: number, size: number, v: number | bigint, le = false): void {
  let x = BigInt(v);
  for (let i = 0; i < size; i++) {
    const byte = Number(x & 0xffn);
    x >>= 8n;
    b[le ? at + i : at + size - 1 - i] = byte;
  }
}

/** Unsigned big-endian read (for mutators and oracles over known-good originals). */
export function readUint(b: Uint8Array, at: number, size: number): number {
  let v = 0;
  for (let i = 0; i < size; i++) v = v * 256 + (b[at + i] ?? 0);
  return v;
}

export { concat };
