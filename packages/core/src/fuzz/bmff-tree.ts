/**
 * An independent ISO BMFF / QuickTime box tree of a *known-good* file, for
 * mutators and oracles. Deliberately separate from bmff/box.ts (the code
 * under test): it only needs to be right on valid originals, and a container
 * whose children do not tile it exactly is kept as a leaf.
 */
import { readUint } from './mutators.js';

export interface BoxNode {
  readonly type: string;
  readonly start: number;
  readonly headerSize: number;
  readonly size: number;
  readonly end: number;
  /** Payload offset of the first child (after full-box header and counts), when a container. */
  readonly childStart: number;
  readonly children: BoxNode[];
  readonly depth: number;
  readonly parent: BoxNode | null;
}

/** Containers and where their children start (bytes after the header). */
const CONTAINER_SKIP: Record<string, number> = {
  moov: 0, trak: 0, mdia: 0, minf: 0, stbl: 0, dinf: 0, edts: 0, mvex: 0, moof: 0, traf: 0, mfra: 0,
  udta: 0, iprp: 0, ipco: 0, meco: 0, tref: 0, sinf: 0, schi: 0, ilst: 0, gmhd: 0,
  meta: 4, iref: 4, dref: 8, stsd: 8,
};
const VISUAL_ENTRIES = new Set(['avc1', 'avc3', 'hvc1', 'hev1', 'dvh1', 'dvhe', 'mp4v', 'jpeg', 'mjpa', 's263', 'h263', 'av01', 'vp09', 'apcn', 'apch']);
const AUDIO_ENTRIES = new Set(['mp4a', 'sowt', 'twos', 'lpcm', 'ac-3', 'ec-3', 'samr', 'Opus', 'alac', 'ipcm', 'fpcm']);

const MAX_NODES = 200_000;

function fourcc(b: Uint8Array, i: number): string {
  return String.fromCharCode(b[i]!, b[i + 1]!, b[i + 2]!, b[i + 3]!);
}

function header(b: Uint8Array, at: number, limit: number): { type: string; headerSize: number; size: number } | null {
  if (at + 8 > limit) return null;
  let size = readUint(b, at, 4);
  const type = fourcc(b, at + 4);
  for (let i = 4; i < 8; i++) {
    const c = b[at + i]!;
    if (!((c >= 0x20 && c <= 0x7e) || c === 0xa9)) return null;
  }
  let headerSize = 8;
  if (size === 1) {
    if (at + 16 > limit) return null;
    size = readUint(b, at + 8, 8);
    headerSize = 16;
  } else if (size === 0) {
    size = limit - at;
  }
  if (type === 'uuid') headerSize += 16;
  if (size < headerSize || at + size > limit) return null;
  return { type, headerSize, size };
}

/** Boxes tiling [start, end), or null when they do not tile it exactly. */
function list(b: Uint8Array, start: number, end: number, depth: number, parent: BoxNode | null, count: { n: number }): BoxNode[] | null {
  const out: BoxNode[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 8) return end - at === 4 && readUint(b, at, 4) === 0 ? out : null; // QuickTime's 4-byte terminator
    if (++count.n > MAX_NODES) return null;
    const h = header(b, at, end);
    if (!h) return null;
    const node = makeNode(b, at, h, depth, parent, count);
    out.push(node);
    at = node.end;
  }
  return out;
}

function childSkip(b: Uint8Array, type: string, payload: number, end: number, parent: BoxNode | null): number | null {
  if (type in CONTAINER_SKIP) {
    // QuickTime's meta is a plain container; ISO's is a full box.
    if (type === 'meta') return end - payload >= 12 && header(b, payload, end) ? 0 : 4;
    return CONTAINER_SKIP[type]!;
  }
  if (parent?.type === 'stsd') {
    if (VISUAL_ENTRIES.has(type)) return 78;
    if (AUDIO_ENTRIES.has(type)) {
      const version = readUint(b, payload + 8, 2);
      return version === 1 ? 44 : version === 2 ? 64 : 28;
    }
  }
  if (type === 'iinf') return readUint(b, payload, 1) === 0 ? 6 : 8;
  return null;
}

function makeNode(b: Uint8Array, start: number, h: { type: string; headerSize: number; size: number }, depth: number, parent: BoxNode | null, count: { n: number }): BoxNode {
  const end = start + h.size;
  const payload = start + h.headerSize;
  const node: BoxNode = { type: h.type, start, headerSize: h.headerSize, size: h.size, end, childStart: payload, children: [], depth, parent };
  const skip = childSkip(b, h.type, payload, end, parent);
  if (skip !== null && depth < 32 && payload + skip <= end) {
    const kids = list(b, payload + skip, end, depth + 1, node, count);
    if (kids) {
      (node as { childStart: number }).childStart = payload + skip;
      node.children.push(...kids);
    }
  }
  return node;
}

/** The top-level boxes of a valid file (stops at the first non-box). */
export function boxTree(b: Uint8Array, start = 0, end = b.length): BoxNode[] {
  const out: BoxNode[] = [];
  const count = { n: 0 };
  let at = start;
  while (at + 8 <= end && count.n < MAX_NODES) {
    const h = header(b, at, end);
    if (!h) break;
    count.n++;
    const node = makeNode(b, at, h, 0, null, count);
    out.push(node);
    at = node.end;
  }
  return out;
}

/** Every node, depth first. */
export function allBoxes(tree: readonly BoxNode[]): BoxNode[] {
  const out: BoxNode[] = [];
  const visit = (n: BoxNode): void => {
    out.push(n);
    for (const c of n.children) visit(c);
  };
  for (const n of tree) visit(n);
  return out;
}

export function findBoxes(tree: readonly BoxNode[], type: string): BoxNode[] {
  return allBoxes(tree).filter((n) => n.type === type);
}

export const payloadOf = (n: BoxNode): number => n.start + n.headerSize;
