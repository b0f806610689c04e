/**
 * The MBR partition table (four primary entries at byte 446, 0x55AA at 510)
 * and the chain of extended boot records holding logical partitions.
 * A protective 0xEE entry means the disk is GPT (see gpt.ts).
 */
import type { Reader } from '../reader/reader.js';
import { u32le } from '../reader/reader.js';

export interface Partition {
  /** 1-based: primaries 1-4, logical partitions from 5, GPT entries in table order. */
  index: number;
  /** Image offset of the partition's first byte. */
  offset: number;
  /** Bytes (clipped to the image). */
  length: number;
  /** MBR type byte (hex), or the GPT type GUID. */
  type: string;
}

const EXTENDED = new Set([0x05, 0x0f, 0x85]);
const SECTOR = 512;
/** Logical partitions followed before the chain is taken for a loop. */
const MAX_LOGICAL = 128;

/** The partitions of an MBR in `sector0` (null when it is not one); 'gpt' when a protective entry says the disk is GPT. */
export function parseMbr(reader: Reader): Partition[] | 'gpt' | null {
  const s = reader.bytes(0, SECTOR);
  if (s.length < SECTOR || s[510] !== 0x55 || s[511] !== 0xaa) return null;
  const entries = [0, 1, 2, 3].map((i) => entry(s, i));
  if (entries.some((e) => e !== null && e.status !== 0x00 && e.status !== 0x80)) return null;
  if (entries.some((e) => e?.type === 0xee)) return 'gpt';
  const out: Partition[] = [];
  entries.forEach((e, i) => {
    if (e === null || EXTENDED.has(e.type)) return;
    push(out, i + 1, e.start, e.count, e.type, reader.size);
  });
  const ext = entries.find((e) => e !== null && EXTENDED.has(e.type));
  if (ext) logical(reader, ext.start, out);
  return out;
}

interface Entry {
  status: number;
  type: number;
  start: number;
  count: number;
}

function entry(s: Uint8Array, i: number): Entry | null {
  const at = 446 + 16 * i;
  const type = s[at + 4]!;
  const start = u32le(s, at + 8);
  const count = u32le(s, at + 12);
  if (type === 0 || start === 0 || count === 0) return null;
  return { status: s[at]!, type, start, count };
}

function push(out: Partition[], index: number, startLba: number, count: number, type: number, size: number): void {
  const offset = startLba * SECTOR;
  if (offset >= size) return;
  out.push({ index, offset, length: Math.min(count * SECTOR, size - offset), type: type.toString(16).padStart(2, '0') });
}

/** Extended boot records: each holds one logical partition (relative to itself) and a link to the next (relative to the extended partition). */
function logical(reader: Reader, extStart: number, out: Partition[]): void {
  const seen = new Set<number>();
  let ebr = extStart;
  for (let n = 0; n < MAX_LOGICAL && !seen.has(ebr); n++) {
    seen.add(ebr);
    const s = reader.bytes(ebr * SECTOR, SECTOR);
    if (s.length < SECTOR || s[510] !== 0x55 || s[511] !== 0xaa) return;
    const part = entry(s, 0);
    if (part && !EXTENDED.has(part.type)) push(out, 5 + n, ebr + part.start, part.count, part.type, reader.size);
    const next = entry(s, 1);
    if (!next || !EXTENDED.has(next.type)) return;
    ebr = extStart + next.start;
  }
}
