import type { SectionDescriptor } from './section-descriptor.js';
import { COMPRESSED_FLAG, OFFSET_MASK, type TableSection } from './table-section.js';

/** The tables of one segment file, with the sections the chunks live in. */
export interface SegmentTables {
  readonly sections: readonly SectionDescriptor[];
  readonly tables: readonly TableSection[];
}

/** Where one chunk's stored bytes are. */
export interface ChunkLocation {
  segment: number;
  offset: number;
  storedSize: number;
  compressed: boolean;
}

/**
 * Every chunk of the image in order: segment, file offset and stored size.
 * Kept in typed arrays (14 bytes a chunk: 100 GiB of 32 KiB chunks is 45 MB
 * per open source) because every worker opens its own source.
 *
 * A table entry gives only the chunk's start; the chunk ends where the next
 * entry starts, and the last one of a table where the section holding it
 * ends (the "sectors" section, or the table section itself in the original
 * EWF layout). An entry that points outside its section, backwards or at
 * something too large is kept as a problem: reading that chunk fails with
 * the reason, the others still read.
 */
export class ChunkTable {
  readonly count: number;
  private readonly segment: Uint16Array;
  private readonly offset: Float64Array;
  private readonly stored: Uint32Array;
  private readonly compressed: Uint8Array;
  private readonly problems = new Map<number, string>();

  constructor(segments: readonly SegmentTables[], maxStoredSize: number) {
    let count = 0;
    for (const s of segments) for (const t of s.tables) count += t.entries.length;
    this.count = count;
    this.segment = new Uint16Array(count);
    this.offset = new Float64Array(count);
    this.stored = new Uint32Array(count);
    this.compressed = new Uint8Array(count);
    let i = 0;
    segments.forEach((s, seg) => {
      let previous = -1;
      for (const t of s.tables) {
        const starts = Array.from(t.entries, (e) => t.baseOffset + (e & OFFSET_MASK));
        // Tables list a segment's chunks in file order. One that goes back over earlier chunks (a table2
        // mirror renamed "table", a table read twice) would shift every later chunk to a wrong media offset.
        if (starts.length > 0 && starts[0]! <= previous) throw new ChunkOrderError(seg, starts[0]!, previous);
        if (starts.length > 0) previous = starts[starts.length - 1]!;
        let holder: SectionDescriptor | undefined;
        starts.forEach((start, k) => {
          this.segment[i] = seg;
          this.offset[i] = start;
          this.compressed[i] = (t.entries[k]! & COMPRESSED_FLAG) !== 0 ? 1 : 0;
          // Consecutive chunks share their section: look further only when the last one does not hold it.
          if (holder === undefined || start < holder.dataStart || start >= holder.dataEnd) {
            holder = s.sections.find((d) => d.dataStart <= start && start < d.dataEnd);
          }
          const next = starts[k + 1];
          const end = holder === undefined ? start : next !== undefined && next <= holder.dataEnd ? next : holder.dataEnd;
          const size = end - start;
          if (holder === undefined) this.problems.set(i, `its table entry points at file offset ${start}, outside every section`);
          else if (size <= 0) this.problems.set(i, `its table entry (file offset ${start}) is not before the next one (${next}): corrupt table, or a segment over 2 GiB without a base offset`);
          else if (size > maxStoredSize) this.problems.set(i, `its stored size ${size} exceeds the ${maxStoredSize}-byte bound`);
          else this.stored[i] = size;
          i++;
        });
      }
    });
  }

  /** Where chunk `i` is stored, or why it cannot be read. */
  locate(i: number): ChunkLocation | string {
    const problem = this.problems.get(i);
    if (problem !== undefined) return problem;
    return { segment: this.segment[i]!, offset: this.offset[i]!, storedSize: this.stored[i]!, compressed: this.compressed[i] === 1 };
  }
}

/** Thrown when a segment's tables go back over chunks listed before (the loader turns it into an EwfFormatError). */
export class ChunkOrderError extends Error {
  constructor(
    readonly segment: number,
    readonly start: number,
    readonly previous: number,
  ) {
    super(`a table of segment ${segment + 1} starts at file offset ${start}, not after the chunks listed before it (up to ${previous}): tables repeat or overlap`);
    this.name = 'ChunkOrderError';
  }
}
