/**
 * The GUID partition table (UEFI spec, chapter 5): the header at LBA 1
 * ("EFI PART"), the entry array it points to. Sector sizes 512 and 4096 are
 * tried. CRCs are not required: a carver wants the partitions even when a
 * header was damaged.
 */
import type { Reader } from '../reader/reader.js';
import { u32le } from '../reader/reader.js';
import type { Partition } from './mbr.js';

const MAX_ENTRIES = 1024;

export function parseGpt(reader: Reader): Partition[] | null {
  for (const sector of [512, 4096]) {
    const h = reader.bytes(sector, 92);
    if (h.length < 92 || String.fromCharCode(...h.subarray(0, 8)) !== 'EFI PART') continue;
    const entryLba = u64(h, 72);
    const count = Math.min(u32le(h, 80), MAX_ENTRIES);
    const size = u32le(h, 84);
    if (size < 128 || size > 4096 || size % 8 !== 0 || entryLba < 2) return null;
    const table = reader.bytes(entryLba * sector, count * size);
    const out: Partition[] = [];
    for (let i = 0; (i + 1) * size <= table.length; i++) {
      const e = table.subarray(i * size, (i + 1) * size);
      if (e.subarray(0, 16).every((b) => b === 0)) continue;
      const first = u64(e, 32);
      const last = u64(e, 40);
      if (last < first || first * sector >= reader.size) continue;
      const offset = first * sector;
      out.push({ index: i + 1, offset, length: Math.min((last - first + 1) * sector, reader.size - offset), type: guid(e.subarray(0, 16)) });
    }
    return out;
  }
  return null;
}

function u64(b: Uint8Array, i: number): number {
  const hi = u32le(b, i + 4);
  return hi >= 0x200000 ? Number.MAX_SAFE_INTEGER : hi * 0x100000000 + u32le(b, i);
}

/** A GUID as text (mixed-endian, as GPT stores it). */
function guid(b: Uint8Array): string {
  const hex = (from: number, to: number, rev: boolean): string => {
    const part = Array.from(b.subarray(from, to), (x) => x.toString(16).padStart(2, '0'));
    return (rev ? part.reverse() : part).join('');
  };
  return `${hex(0, 4, true)}-${hex(4, 6, true)}-${hex(6, 8, true)}-${hex(8, 10, false)}-${hex(10, 16, false)}`.toUpperCase();
}
