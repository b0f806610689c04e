/**
 * ISO BMFF / QuickTime-aware mutators (HEIC, MOV/MP4, the box walker):
 * box size fields set to 0, 1 (with a largesize of 0, 1, 2^32−1, 2^64−1 or
 * one that points back), 2..7, 2^32−1, its parent's size; box types swapped;
 * entry counts set huge (stsz/stco/stsc/stts/stss/stsd/trun claiming 2^32−1
 * entries, iinf/ipma/iloc item counts, iloc extent counts); iloc base_offset,
 * offsets and lengths overflowing; sample tables pointing back into moov or
 * past 2^53; nesting depth bombs and floods of tiny boxes.
 */
import { allBoxes, boxTree, findBoxes, payloadOf, type BoxNode } from './bmff-tree.js';
import { concat, inPlace, INTERESTING_U16, INTERESTING_U32, readUint, writeUint, type Mutant, type Mutator, type Range } from './mutators.js';
import type { Rng } from './prng.js';

const TREE_CACHE = new WeakMap<Uint8Array, BoxNode[]>();

/** The box tree of an original, cached per buffer (originals are reused many times). */
export function treeOf(input: Uint8Array): BoxNode[] {
  let t = TREE_CACHE.get(input);
  if (!t) {
    t = boxTree(input);
    TREE_CACHE.set(input, t);
  }
  return t;
}

const ALL_CACHE = new WeakMap<Uint8Array, BoxNode[]>();
function nodesOf(input: Uint8Array): BoxNode[] {
  let n = ALL_CACHE.get(input);
  if (!n) {
    n = allBoxes(treeOf(input));
    ALL_CACHE.set(input, n);
  }
  return n;
}

/** A node, biased towards metadata boxes (everything but mdat) and deeper ones. */
function pickNode(rng: Rng, input: Uint8Array): BoxNode | null {
  const nodes = nodesOf(input);
  if (nodes.length === 0) return null;
  const meta = nodes.filter((n) => n.type !== 'mdat');
  return rng.bool(0.85) && meta.length > 0 ? rng.pick(meta) : rng.pick(nodes);
}

const field = (kind: string, input: Uint8Array, at: number, size: number, v: number | bigint, detail: string): Mutant | null =>
  at + size > input.length ? null : inPlace(kind, input, [{ start: at, end: at + size }], detail, (b) => writeUint(b, at, size, v));

/** Box size field rewrites. */
export const boxSize: Mutator = (rng, input) => {
  const n = pickNode(rng, input);
  if (!n) return null;
  const parentEnd = n.parent ? n.parent.end : input.length;
  const choice = rng.pick(['0', '1', 'small', 'u32max', 'parent', 'pastEnd', 'plus', 'minus', 'double', 'empty'] as const);
  if (choice === '1') {
    // Largesize in place of the first 8 payload bytes: 0, 1, 8, 2^32−1, 2^64−1, pointing back, the real size.
    // Not the box's own size: that would re-encode the header over 8 payload bytes (largesizeInsert does it right).
    const large = rng.pick([0n, 1n, 8n, 15n, 0xffffffffn, 0xffffffffffffffffn, 1n << 53n, BigInt(n.size + 8), BigInt(n.size + 1)]);
    if (n.start + 16 > input.length) return null;
    return inPlace('bmff-size-1-largesize', input, [{ start: n.start, end: n.start + 16 }], `'${n.type}'@${n.start} largesize=${large}`, (b) => {
      writeUint(b, n.start, 4, 1);
      writeUint(b, n.start + 8, 8, large);
    });
  }
  const size = {
    '0': 0,
    small: rng.range(2, 7),
    u32max: 0xffffffff,
    parent: n.parent ? n.parent.size : input.length,
    pastEnd: parentEnd - n.start + rng.range(1, 4096),
    plus: n.size + rng.range(1, 16),
    minus: Math.max(0, n.size - rng.range(1, 16)),
    double: n.size * 2,
    empty: 8,
  }[choice];
  if (n.headerSize === 16 || n.headerSize === 32) {
    // A box with a largesize: rewrite that instead, half of the time.
    if (rng.bool()) return field('bmff-largesize', input, n.start + 8, 8, rng.pick([0n, 1n, 7n, 0xffffffffn, 0xffffffffffffffffn, BigInt(size >>> 0)]), `'${n.type}'@${n.start}`);
  }
  return field(`bmff-size-${choice}`, input, n.start, 4, size >>> 0, `'${n.type}'@${n.start} size=${size >>> 0}`);
};

/** An 8-byte header turned into a 16-byte one (8 bytes inserted), with a right or wrong largesize. */
export const largesizeInsert: Mutator = (rng, input) => {
  const n = pickNode(rng, input);
  if (!n || n.headerSize !== 8) return null;
  const right = BigInt(n.size + 8);
  const large = rng.pick([right, right, 0n, 1n, 0xffffffffffffffffn, right - 1n, right + 1n]);
  const head = new Uint8Array(16);
  writeUint(head, 0, 4, 1);
  head.set(input.subarray(n.start + 4, n.start + 8), 4);
  writeUint(head, 8, 8, large);
  return { kind: 'bmff-largesize-insert', bytes: concat([input.subarray(0, n.start), head, input.subarray(n.start + 8)]), overwritten: null, from: n.start, detail: `'${n.type}'@${n.start} largesize=${large}` };
};

const TYPES = ['free', 'skip', 'mdat', 'moov', 'moof', 'meta', 'trak', 'ftyp', 'uuid', 'iloc', 'stco', 'co64', 'stsz', 'mvhd', 'wide', 'mfra', 'idat', 'iinf', 'ipco'];

export const boxType: Mutator = (rng, input) => {
  const n = pickNode(rng, input);
  if (!n) return null;
  const t = rng.bool(0.8) ? rng.pick(TYPES) : String.fromCharCode(rng.int(256), rng.int(256), rng.int(256), rng.int(256));
  if (t === n.type) return null;
  return inPlace('bmff-type', input, [{ start: n.start + 4, end: n.start + 8 }], `'${n.type}'@${n.start}->${JSON.stringify(t)}`, (b) => {
    for (let i = 0; i < 4; i++) b[n.start + 4 + i] = t.charCodeAt(i) & 0xff;
  });
};

/** Count and id fields of full boxes: [offset from the payload, bytes]. */
function countFields(input: Uint8Array, n: BoxNode): [number, number][] {
  const p = payloadOf(n);
  const v = input[p] ?? 0;
  switch (n.type) {
    case 'stsz': return [[4, 4], [8, 4]];
    case 'stz2': case 'stco': case 'co64': case 'stss': case 'stts': case 'ctts': case 'stsc': case 'elst': case 'stsd': case 'dref': case 'trun': case 'ipma': case 'sdtp':
      return n.type === 'stz2' ? [[8, 4]] : [[4, 4]];
    case 'iinf': return [[4, v === 0 ? 2 : 4]];
    case 'iloc': return [[6, v < 2 ? 2 : 4], [4, 2]];
    case 'pitm': return [[4, v === 0 ? 2 : 4]];
    case 'ispe': return [[4, 4], [8, 4]];
    case 'hvcC': return [[21, 1], [22, 1]];
    case 'avcC': return [[4, 1], [5, 1]];
    case 'tkhd': return [[v === 1 ? 20 : 12, 4]];
    case 'tfhd': case 'trex': return [[4, 4], [0, 4]];
    case 'mvhd': case 'mdhd': return [[v === 1 ? 20 : 12, 4]];
    default:
      if (n.parent?.type === 'iref') return [[n.parent && (input[payloadOf(n.parent)] ?? 0) === 0 ? 2 : 4, 2]];
      return [];
  }
}

/** Entry counts and ids set to boundary values (a table claiming 2^32−1 entries, an item count of 65535). */
export const countField: Mutator = (rng, input) => {
  const candidates = nodesOf(input).filter((n) => countFields(input, n).length > 0);
  if (candidates.length === 0) return null;
  const n = rng.pick(candidates);
  const [off, size] = rng.pick(countFields(input, n));
  const at = payloadOf(n) + off;
  const old = readUint(input, at, size);
  const v = size === 4 ? rng.pick([...INTERESTING_U32, old + 1, old - 1 >>> 0, old * 2]) : size === 2 ? rng.pick([...INTERESTING_U16, old + 1, (old + 0xffff) & 0xffff]) : rng.pick([0, 1, 3, 0x7f, 0xff, old ^ 3]);
  return field('bmff-count', input, at, size, v >>> 0, `'${n.type}'@${n.start}+${off}:u${size * 8}=${v >>> 0}`);
};

/** Sample tables pointing nowhere, back into moov, past 2^53 or claiming absurd sizes. */
export const sampleTable: Mutator = (rng, input) => {
  const tables = nodesOf(input).filter((n) => ['stco', 'co64', 'stsc', 'stsz', 'trun', 'tfhd'].includes(n.type));
  if (tables.length === 0) return null;
  const n = rng.pick(tables);
  const p = payloadOf(n);
  const moov = nodesOf(input).find((x) => x.type === 'moov');
  const entries = (first: number, size: number): number => Math.max(0, Math.floor((n.end - p - first) / size));
  switch (n.type) {
    case 'stco': {
      const k = entries(8, 4);
      if (k === 0) return null;
      const at = p + 8 + 4 * rng.int(k);
      return field('mov-stco', input, at, 4, rng.pick([0, 0xffffffff, 0x7fffffff, moov?.start ?? 0, n.start, readUint(input, at, 4) + 1]), `stco@${at}`);
    }
    case 'co64': {
      const k = entries(8, 8);
      if (k === 0) return null;
      const at = p + 8 + 8 * rng.int(k);
      return field('mov-co64', input, at, 8, rng.pick([0n, 0xffffffffffffffffn, 1n << 53n, (1n << 53n) - 1n, BigInt(moov?.start ?? 0)]), `co64@${at}`);
    }
    case 'stsc': {
      const k = entries(8, 12);
      if (k === 0) return null;
      const at = p + 8 + 12 * rng.int(k) + 4 * rng.int(3);
      return field('mov-stsc', input, at, 4, rng.pick([0, 1, 0xffffffff, 0x80000000, readUint(input, at, 4) + 1]), `stsc@${at}`);
    }
    case 'stsz': {
      const k = entries(12, 4);
      if (k === 0 || readUint(input, p + 4, 4) !== 0) return field('mov-stsz', input, p + 4, 4, rng.pick([0, 1, 0xffffffff]), `stsz sample_size`);
      const at = p + 12 + 4 * rng.int(k);
      return field('mov-stsz', input, at, 4, rng.pick([0, 1, 0xffffffff, 0x7fffffff, readUint(input, at, 4) + 1]), `stsz@${at}`);
    }
    case 'trun': {
      const flags = readUint(input, p + 1, 3);
      if (flags & 1 && rng.bool()) return field('mov-trun', input, p + 8, 4, rng.pick([0x80000000, 0xffffffff, 0x7fffffff, 0]), 'trun data_offset');
      return field('mov-trun', input, p + 4, 4, rng.pick([0xffffffff, 0x80000000, readUint(input, p + 4, 4) + 1]), 'trun sample_count');
    }
    default: {
      const flags = readUint(input, p + 1, 3);
      if (flags & 1) return field('mov-tfhd', input, p + 8, 8, rng.pick([0xffffffffffffffffn, 1n << 53n, 0n]), 'tfhd base_data_offset');
      return field('mov-tfhd', input, p + 4, 4, rng.pick([0, 0xffffffff, readUint(input, p + 4, 4) + 1]), 'tfhd track_ID');
    }
  }
};

interface IlocField {
  at: number;
  size: number;
  what: string;
}

/** Fields of an iloc box (ISO/IEC 14496-12 §8.11.3) of a valid file. */
function ilocFields(input: Uint8Array, n: BoxNode): IlocField[] {
  const out: IlocField[] = [];
  let at = payloadOf(n);
  const version = input[at]!;
  out.push({ at, size: 1, what: 'version' });
  at += 4;
  out.push({ at, size: 2, what: 'offset/length/base_offset/index sizes' });
  const sizes = readUint(input, at, 2);
  at += 2;
  const os = sizes >> 12;
  const ls = (sizes >> 8) & 15;
  const bs = (sizes >> 4) & 15;
  const is = version === 0 ? 0 : sizes & 15;
  const idSize = version < 2 ? 2 : 4;
  out.push({ at, size: idSize, what: 'item_count' });
  const count = readUint(input, at, idSize);
  at += idSize;
  for (let i = 0; i < count && at < n.end && out.length < 10_000; i++) {
    out.push({ at, size: idSize, what: 'item_ID' });
    at += idSize;
    if (version > 0) {
      out.push({ at, size: 2, what: 'construction_method' });
      at += 2;
    }
    out.push({ at, size: 2, what: 'data_reference_index' });
    at += 2;
    if (bs > 0) out.push({ at, size: bs, what: 'base_offset' });
    at += bs;
    out.push({ at, size: 2, what: 'extent_count' });
    const ec = readUint(input, at, 2);
    at += 2;
    for (let e = 0; e < ec && at < n.end; e++) {
      if (is > 0) out.push({ at, size: is, what: 'extent_index' });
      at += is;
      if (os > 0) out.push({ at, size: os, what: 'extent_offset' });
      at += os;
      if (ls > 0) out.push({ at, size: ls, what: 'extent_length' });
      at += ls;
    }
  }
  return out.filter((f) => f.at + f.size <= n.end);
}

/** HEIC iloc: huge item and extent counts, base_offset overflow, offsets pointing at the metadata itself. */
export const ilocField: Mutator = (rng, input) => {
  const ilocs = nodesOf(input).filter((n) => n.type === 'iloc');
  if (ilocs.length === 0) return null;
  const n = rng.pick(ilocs);
  const fields = ilocFields(input, n);
  if (fields.length === 0) return null;
  const f = rng.pick(fields);
  const max = f.size === 8 ? 0xffffffffffffffffn : BigInt(2 ** (8 * f.size) - 1);
  const old = BigInt(readUint(input, f.at, f.size));
  const v = f.what === 'offset/length/base_offset/index sizes'
    ? BigInt(rng.pick([0xffff, 0x8888, 0x4444, 0x0000, 0x3300, 0x4840, 0xf0f0]))
    : rng.pick([0n, 1n, max, max - 1n, old + 1n, old === 0n ? 0n : old - 1n, f.size >= 4 ? BigInt(n.start) : old ^ 1n, f.size === 8 ? 1n << 53n : max >> 1n]);
  return field('heic-iloc', input, f.at, f.size, v, `iloc ${f.what}@${f.at}=${v}`);
};

/** A container's payload replaced by nested containers, one inside the other, as deep as it holds. */
export const depthBomb: Mutator = (rng, input) => {
  const containers = nodesOf(input).filter((n) => n.children.length > 0 && n.end - n.childStart >= 64);
  if (containers.length === 0) return null;
  const n = rng.pick(containers);
  const start = n.childStart;
  const types = rng.pick([[n.type], ['moov', 'trak', 'mdia', 'minf', 'stbl'], ['iprp', 'ipco'], ['meta']]);
  const depth = Math.min(Math.floor((n.end - start) / 8), rng.pick([17, 33, 1000, 100_000]));
  return inPlace('bmff-depth-bomb', input, [{ start, end: start + depth * 8 }], `'${n.type}'@${n.start} depth ${depth}`, (b) => {
    for (let d = 0; d < depth; d++) {
      const at = start + d * 8;
      writeUint(b, at, 4, n.end - at);
      const t = types[d % types.length]!;
      for (let i = 0; i < 4; i++) b[at + 4 + i] = t.charCodeAt(i);
    }
  });
};

/** A container's payload replaced by a flood of empty 8-byte boxes. */
export const tinyBoxes: Mutator = (rng, input) => {
  const containers = nodesOf(input).filter((n) => n.children.length > 0 && n.end - n.childStart >= 16);
  if (containers.length === 0) return null;
  const n = rng.pick(containers);
  const count = Math.floor((n.end - n.childStart) / 8);
  const t = rng.pick(['free', 'trak', 'infe', 'mdat']);
  const end = n.childStart + count * 8;
  return inPlace('bmff-tiny-boxes', input, [{ start: n.childStart, end }], `'${n.type}'@${n.start} ×${count} '${t}'`, (b) => {
    for (let at = n.childStart; at < end; at += 8) {
      writeUint(b, at, 4, 8);
      for (let i = 0; i < 4; i++) b[at + 4 + i] = t.charCodeAt(i);
    }
  });
};

/** A child box swapped with its next sibling (order matters to some parsers). */
export const swapSiblings: Mutator = (rng, input) => {
  const parents = nodesOf(input).filter((n) => n.children.length >= 2);
  const tops = treeOf(input);
  const lists = [...parents.map((p) => p.children), ...(tops.length >= 2 ? [tops] : [])];
  if (lists.length === 0) return null;
  const kids = rng.pick(lists);
  const i = rng.int(kids.length - 1);
  const a = kids[i]!;
  const c = kids[i + 1]!;
  const range: Range = { start: a.start, end: c.end };
  return inPlace('bmff-swap', input, [range], `'${a.type}'@${a.start}<->'${c.type}'@${c.start}`, (b) => {
    b.set(concat([input.subarray(c.start, c.end), input.subarray(a.start, a.end)]), a.start);
  });
};

/** A whole box removed (the parent's size left as it was, or fixed up). */
export const dropBox: Mutator = (rng, input) => {
  const n = pickNode(rng, input);
  if (!n) return null;
  const fix = rng.bool();
  const bytes = concat([input.subarray(0, n.start), input.subarray(n.end)]);
  if (fix) {
    for (let p = n.parent; p; p = p.parent) {
      if (p.headerSize === 8) writeUint(bytes, p.start, 4, p.size - n.size);
      else if (p.headerSize === 16) writeUint(bytes, p.start + 8, 8, BigInt(p.size - n.size));
    }
  }
  return { kind: fix ? 'bmff-drop-fixed' : 'bmff-drop', bytes, overwritten: null, from: n.start, detail: `'${n.type}'@${n.start}` };
};

export const BMFF_MUTATORS: readonly (readonly [number, Mutator])[] = [
  [10, boxSize],
  [3, largesizeInsert],
  [4, boxType],
  [8, countField],
  [6, sampleTable],
  [6, ilocField],
  [2, depthBomb],
  [2, tinyBoxes],
  [2, swapSiblings],
  [3, dropBox],
];

/** ftyp + a chain of `depth` nested containers: a nesting bomb of 8 × depth bytes. */
export function nestingBomb(depth: number, major = 'isom', types = ['moov', 'trak', 'mdia', 'minf', 'stbl']): Uint8Array {
  const ftyp = ftypBox(major);
  const b = new Uint8Array(ftyp.length + depth * 8);
  b.set(ftyp);
  for (let d = 0; d < depth; d++) {
    const at = ftyp.length + d * 8;
    writeUint(b, at, 4, b.length - at);
    const t = types[d % types.length]!;
    for (let i = 0; i < 4; i++) b[at + 4 + i] = t.charCodeAt(i);
  }
  return b;
}

/** ftyp + a container holding `count` empty boxes. */
export function boxFlood(count: number, major = 'isom', container = 'moov', child = 'free'): Uint8Array {
  const ftyp = ftypBox(major);
  const b = new Uint8Array(ftyp.length + 8 + count * 8);
  b.set(ftyp);
  writeUint(b, ftyp.length, 4, 8 + count * 8);
  for (let i = 0; i < 4; i++) b[ftyp.length + 4 + i] = container.charCodeAt(i);
  for (let k = 0; k < count; k++) {
    const at = ftyp.length + 8 + k * 8;
    writeUint(b, at, 4, 8);
    for (let i = 0; i < 4; i++) b[at + 4 + i] = child.charCodeAt(i);
  }
  return b;
}

export function ftypBox(major: string, compatible: string[] = [major, 'mif1']): Uint8Array {
  const b = new Uint8Array(16 + 4 * compatible.length);
  writeUint(b, 0, 4, b.length);
  const text = 'ftyp' + major + '\0\0\0\0' + compatible.join('');
  for (let i = 0; i < text.length; i++) b[4 + i] = text.charCodeAt(i);
  return b;
}

export { findBoxes };
