import type { EwfCaseInfo } from './case-info.js';
import { ChunkOrderError, ChunkTable, type SegmentTables } from './chunk-table.js';
import { EwfFormatError } from './errors.js';
import {
  readDigestSection, readError2Section, readHashSection, readHeader2Section, readHeaderSection, readXhashSection,
  type EwfAcquiryError, type EwfHashes,
} from './metadata-sections.js';
import { readSectionChain, type SectionDescriptor } from './section-descriptor.js';
import { findSegments, isFirstSegmentName, segmentName } from './segment-names.js';
import { SegmentFile } from './segment-file.js';
import { readTableSection, type TableSection } from './table-section.js';
import { readVolumeSection, type EwfVolume } from './volume-section.js';

/** What an EWF image says about itself, for reports and `rawcarve verify`. */
export interface EwfInfo {
  /** The segment files, in order. */
  readonly segments: readonly string[];
  /** The volume (or disk, data) section: geometry and media type. */
  readonly volume: EwfVolume;
  /** Bytes per chunk: sectors per chunk × bytes per sector. */
  readonly chunkSize: number;
  /** Case metadata from header2 (Unicode) or else header; null when neither has a main category. */
  readonly case: EwfCaseInfo | null;
  /** MD5 (hash, digest) and SHA1 (digest) of the media data, as the acquiring tool stored them. */
  readonly hashes: EwfHashes;
  /** Sectors the acquiring tool could not read (error2), stored as zeros. */
  readonly acquiryErrors: readonly EwfAcquiryError[];
  /** Damage that did not stop the image from opening (a table checksum failed and its table2 copy was used, …). */
  readonly warnings: readonly string[];
}

export interface LoadedEwf {
  readonly files: SegmentFile[];
  readonly info: EwfInfo;
  readonly chunks: ChunkTable;
  /** Media size: sector count × bytes per sector. */
  readonly size: number;
}

/** Opens every segment of the set that `first` starts, walks their sections and builds the chunk table. */
export function loadSegments(first: string): LoadedEwf {
  const names = isFirstSegmentName(first) ? findSegments(first) : [first];
  if (names.length === 0) names.push(first); // let the open below report what is wrong with it
  const files: SegmentFile[] = [];
  try {
    return load(first, names, files);
  } catch (err) {
    for (const f of files) f.close();
    throw err;
  }
}

function load(first: string, names: string[], files: SegmentFile[]): LoadedEwf {
  const warnings: string[] = [];
  const layouts: SegmentTables[] = [];
  const hashes: EwfHashes = {};
  const acquiryErrors: EwfAcquiryError[] = [];
  let header: EwfCaseInfo | null = null;
  let header2: EwfCaseInfo | null = null;
  let volume: EwfVolume | null = null;
  let done = false;
  // Damaged metadata (case text, hashes) must not keep the examiner from the data: it becomes a warning.
  const metadata = (read: () => void): void => {
    try {
      read();
    } catch (err) {
      warnings.push(err instanceof Error ? err.message : String(err));
    }
  };

  for (const [i, name] of names.entries()) {
    const seg = new SegmentFile(name);
    files.push(seg);
    if (seg.number !== i + 1) {
      throw new EwfFormatError(name, 9, `file header says segment ${seg.number}, but this is file ${i + 1} of the set`);
    }
    const { sections, end } = readSectionChain(seg);
    for (const d of sections) {
      switch (d.type) {
        case 'header': metadata(() => (header ??= readHeaderSection(seg, d))); break;
        case 'header2': metadata(() => (header2 ??= readHeader2Section(seg, d))); break;
        case 'volume':
        case 'disk':
        case 'data': volume = sameVolume(volume, readVolumeSection(seg, d), seg, d, warnings); break;
        case 'hash': metadata(() => mergeHashes(hashes, readHashSection(seg, d), warnings, name)); break;
        case 'digest': metadata(() => mergeHashes(hashes, readDigestSection(seg, d), warnings, name)); break;
        case 'xhash': metadata(() => mergeHashes(hashes, readXhashSection(seg, d), warnings, name)); break;
        case 'error2': metadata(() => acquiryErrors.push(...readError2Section(seg, d))); break;
        default: break; // sectors (chunk data), tables (below), session, ltree, xheader: nothing to read here
      }
    }
    layouts.push({ sections, tables: segmentTables(seg, sections, warnings) });
    if (end === 'done') {
      done = true;
      if (i + 1 < names.length) warnings.push(`${names[i + 1]} and later files follow the "done" section of ${name} and were ignored`);
      names.length = i + 1;
      break;
    }
  }
  const last = files[files.length - 1]!;
  if (!done) {
    const missing = segmentName(first, files.length + 1) ?? 'the next segment';
    throw new EwfFormatError(last.path, last.size, `ends in a "next" section but ${missing} is missing: the segment set is incomplete`);
  }
  if (volume === null) throw new EwfFormatError(files[0]!.path, 13, 'no volume, disk or data section: cannot tell the chunk size');

  const chunkSize = volume.sectorsPerChunk * volume.bytesPerSector;
  const size = volume.sectorCount * volume.bytesPerSector;
  // A stored chunk is its data plus an Adler-32; zlib can grow incompressible data a little.
  let chunks: ChunkTable;
  try {
    chunks = new ChunkTable(layouts, chunkSize + 4 + 1024 + (chunkSize >>> 8));
  } catch (err) {
    if (err instanceof ChunkOrderError) throw new EwfFormatError(files[err.segment]!.path, err.start, err.message);
    throw err;
  }
  const needed = Math.ceil(size / chunkSize);
  if (chunks.count < needed) {
    throw new EwfFormatError(last.path, 0, `the tables list ${chunks.count} chunks but ${size} bytes of media need ${needed}: segment files are missing or corrupt`);
  }
  if (chunks.count !== volume.chunkCount && volume.chunkCount !== 0) {
    warnings.push(`the volume section says ${volume.chunkCount} chunks, the tables list ${chunks.count}`);
  }
  const info: EwfInfo = { segments: names, volume, chunkSize, case: header2 ?? header, hashes, acquiryErrors, warnings };
  return { files, info, chunks, size };
}

/**
 * The tables of a segment. Each "table" is usually followed by a "table2"
 * mirror, read only when the table's own checksums fail.
 */
function segmentTables(seg: SegmentFile, sections: readonly SectionDescriptor[], warnings: string[]): TableSection[] {
  const hasFooter = sections.some((d) => d.type === 'sectors');
  const out: TableSection[] = [];
  sections.forEach((d, k) => {
    const prev = sections[k - 1];
    if (d.type === 'table2' && prev?.type === 'table') {
      const primary = out[out.length - 1]!;
      if (primary.problem === null) return;
      const mirror = readTableSection(seg, d, hasFooter);
      if (mirror.problem === null) {
        warnings.push(`${primary.problem}; used the table2 copy`);
        out[out.length - 1] = mirror;
      } else warnings.push(`${primary.problem}, and its table2 copy too: ${mirror.problem}`);
      return;
    }
    if (d.type !== 'table' && d.type !== 'table2') return;
    const t = readTableSection(seg, d, hasFooter);
    if (t.problem !== null && sections[k + 1]?.type !== 'table2') warnings.push(t.problem);
    out.push(t);
  });
  return out;
}

/**
 * Later segments repeat the volume as "data". Another set identifier means a
 * segment of another acquisition; other differences may be a writer's quirk,
 * so the first segment's geometry is kept and the difference noted.
 */
function sameVolume(known: EwfVolume | null, v: EwfVolume, seg: SegmentFile, d: SectionDescriptor, warnings: string[]): EwfVolume {
  if (known === null) return v;
  if (known.setIdentifier !== null && v.setIdentifier !== null && known.setIdentifier !== v.setIdentifier) {
    throw new EwfFormatError(seg.path, d.offset, `set identifier ${v.setIdentifier} differs from the first segment's ${known.setIdentifier}: a segment of another image`);
  }
  const same = known.chunkCount === v.chunkCount && known.sectorCount === v.sectorCount &&
    known.sectorsPerChunk === v.sectorsPerChunk && known.bytesPerSector === v.bytesPerSector;
  if (!same) warnings.push(`${seg.path}: its "${d.type}" section describes other geometry than the first segment's; kept the first`);
  return known;
}

function mergeHashes(into: EwfHashes, h: EwfHashes, warnings: string[], file: string): void {
  for (const k of ['md5', 'sha1'] as const) {
    const v = h[k];
    if (v === undefined) continue;
    if (into[k] !== undefined && into[k] !== v) warnings.push(`${file}: stored ${k.toUpperCase()} ${v} differs from ${into[k]} stored earlier; kept the first`);
    else into[k] = v;
  }
}
