import { adler32 } from './adler32.js';
import { view } from './section-data.js';
import type { SectionDescriptor } from './section-descriptor.js';
import type { SegmentFile } from './segment-file.js';

/**
 * A "table" or "table2" section (libewf "Table section"): a 24-byte header
 * (number of entries u32, padding, base offset u64, padding, Adler-32 of the
 * previous 20 bytes), the entries (u32 each: chunk offset from the base
 * offset, most significant bit set when the chunk is compressed) and, from
 * EnCase 2 on, an Adler-32 of the entries. In the original EWF layout the
 * chunks themselves follow the entries, inside the table section.
 */
export interface TableSection {
  readonly section: SectionDescriptor;
  readonly baseOffset: number;
  readonly entries: Uint32Array;
  /** Why the table cannot be trusted (a checksum failed); null when it checked out. */
  readonly problem: string | null;
}

const HEADER_SIZE = 24;
export const COMPRESSED_FLAG = 0x80000000;
export const OFFSET_MASK = 0x7fffffff;
/** ASR02 limits a table to 16375 entries; EWF-X and some writers go beyond. 2^24 still bounds memory. */
const MAX_ENTRIES = 1 << 24;

/**
 * Reads a table. `hasFooter`: the segment keeps its chunks in "sectors"
 * sections, so the table ends in the entries' checksum.
 */
export function readTableSection(seg: SegmentFile, d: SectionDescriptor, hasFooter: boolean): TableSection {
  const avail = d.dataEnd - d.dataStart;
  const none = (problem: string): TableSection => ({ section: d, baseOffset: 0, entries: new Uint32Array(0), problem });
  if (avail < HEADER_SIZE) return none(`"${d.type}" section at ${d.offset} of ${seg.path} is too small for a table header`);
  const head = seg.read(d.dataStart, HEADER_SIZE, 'table header');
  const hv = view(head);
  if (adler32(head, 0, 20) !== hv.getUint32(20, true)) return none(`"${d.type}" header checksum mismatch at ${d.dataStart} of ${seg.path}`);
  const count = hv.getUint32(0, true);
  const base = Number(hv.getBigUint64(8, true));
  const entriesBytes = count * 4;
  if (count > MAX_ENTRIES || HEADER_SIZE + entriesBytes + (hasFooter ? 4 : 0) > avail || !Number.isSafeInteger(base)) {
    return none(`"${d.type}" at ${d.offset} of ${seg.path} lists ${count} entries, more than its ${avail} bytes hold`);
  }
  const raw = seg.read(d.dataStart + HEADER_SIZE, entriesBytes + (hasFooter ? 4 : 0), 'table entries');
  let problem: string | null = null;
  if (hasFooter && adler32(raw, 0, entriesBytes) !== view(raw).getUint32(entriesBytes, true)) {
    problem = `"${d.type}" entries checksum mismatch at ${d.dataStart + HEADER_SIZE} of ${seg.path}`;
  }
  const entries = new Uint32Array(count);
  const rv = view(raw);
  for (let i = 0; i < count; i++) entries[i] = rv.getUint32(i * 4, true);
  return { section: d, baseOffset: base, entries, problem };
}

