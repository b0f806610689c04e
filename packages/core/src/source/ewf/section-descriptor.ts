import { adler32 } from './adler32.js';
import { EwfFormatError } from './errors.js';
import { FILE_HEADER_SIZE, type SegmentFile } from './segment-file.js';

/** libewf "Section descriptor": type(16), next offset u64, section size u64, padding(40), Adler-32. */
export const DESCRIPTOR_SIZE = 76;
const CHECKSUMMED = 72;

export interface SectionDescriptor {
  /** "header", "volume", "sectors", "table", … (NUL-padded ASCII in the file). */
  readonly type: string;
  /** Offset of the descriptor in its segment file. */
  readonly offset: number;
  /** Offset of the next section's descriptor (the section itself for "done" and "next"). */
  readonly next: number;
  /** First byte after the descriptor: where the section's own data starts. */
  readonly dataStart: number;
  /** End of the section's data (exclusive). */
  readonly dataEnd: number;
}

/** A segment ends in "next" (more segments follow) or "done" (the last one). */
export type ChainEnd = 'next' | 'done';

/**
 * Walks the section chain of one segment file from just after the file
 * header to its "next" or "done" section. Each descriptor is checked: its
 * checksum, that it lies in the file, that the next section starts after it
 * (so a hostile chain cannot loop) and that its size agrees with the next offset.
 */
export function readSectionChain(seg: SegmentFile): { sections: SectionDescriptor[]; end: ChainEnd } {
  const sections: SectionDescriptor[] = [];
  let offset = FILE_HEADER_SIZE;
  for (;;) {
    const d = readSectionDescriptor(seg, offset);
    sections.push(d);
    if (d.type === 'done' || d.type === 'next') return { sections, end: d.type };
    offset = d.next;
  }
}

/** Reads and checks the descriptor at `offset` of `seg`. */
export function readSectionDescriptor(seg: SegmentFile, offset: number): SectionDescriptor {
  if (offset + DESCRIPTOR_SIZE > seg.size) {
    throw new EwfFormatError(seg.path, offset, `section descriptor runs past the end of the file (${seg.size} bytes): the segment is truncated`);
  }
  const b = seg.read(offset, DESCRIPTOR_SIZE, 'section descriptor');
  const view = new DataView(b.buffer);
  if (adler32(b, 0, CHECKSUMMED) !== view.getUint32(CHECKSUMMED, true)) {
    throw new EwfFormatError(seg.path, offset, 'section descriptor checksum mismatch: the section chain is corrupt');
  }
  const type = sectionType(b, seg, offset);
  const next = u64(view, 16, seg, offset, 'next section offset');
  const size = u64(view, 24, seg, offset + 24, 'section size');
  const dataStart = offset + DESCRIPTOR_SIZE;

  if (type === 'done' || type === 'next') {
    // EnCase points these at themselves with size 0; older writers (and
    // ewfacquire's "ewf"/"smart" formats) at the end of the descriptor with size 76.
    if ((next !== offset && next !== dataStart) || (size !== 0 && size !== DESCRIPTOR_SIZE)) {
      throw new EwfFormatError(seg.path, offset, `"${type}" section with next offset ${next} and size ${size}: expected itself and 0 or 76`);
    }
    return { type, offset, next, dataStart, dataEnd: dataStart };
  }
  if (next <= offset) {
    throw new EwfFormatError(seg.path, offset, `"${type}" section points back to offset ${next}: the section chain loops`);
  }
  if (next < dataStart || next > seg.size) {
    throw new EwfFormatError(seg.path, offset, `"${type}" section's next offset ${next} is outside ${dataStart}..${seg.size}: truncated or corrupt`);
  }
  // Expert Witness 1.35 leaves the size 0; otherwise it must end where the next section starts.
  if (size !== 0 && size !== next - offset) {
    throw new EwfFormatError(seg.path, offset, `"${type}" section size ${size} disagrees with its next offset ${next}`);
  }
  return { type, offset, next, dataStart, dataEnd: next };
}

/** A u64 field as a number; larger than 2^53 is not a real EWF offset. */
export function u64(view: DataView, at: number, seg: SegmentFile, fileOffset: number, what: string): number {
  const v = view.getBigUint64(at, true);
  if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new EwfFormatError(seg.path, fileOffset, `${what} ${v} is out of range`);
  return Number(v);
}

function sectionType(b: Uint8Array, seg: SegmentFile, offset: number): string {
  let end = 0;
  while (end < 16 && b[end] !== 0) end++;
  for (let i = 0; i < end; i++) {
    const c = b[i]!;
    if (c < 0x20 || c > 0x7e) throw new EwfFormatError(seg.path, offset, 'section type is not ASCII text: not a section descriptor');
  }
  if (end === 0) throw new EwfFormatError(seg.path, offset, 'empty section type: not a section descriptor');
  return String.fromCharCode(...b.subarray(0, end));
}
