import { UsageError } from '../errors.js';

/** A part of the image: `length` bytes from image offset `start`. */
export interface ByteRange {
  /** Image offset of the first byte. */
  start: number;
  /** Bytes in the range. */
  length: number;
}

/** One page of a scan: `length` bytes from image offset `start`, inside the scanned range. */
export interface PageSpan {
  /** Image offset of the page's first byte. */
  start: number;
  /** Bytes in the page. */
  length: number;
}

const UNITS: Record<string, number> = { '': 1, K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 };

/**
 * A byte count as examiners type it: `4096`, `64K`, `512M`, `2G`, `1T`
 * (binary units, as dd reads them; `KiB`/`MiB` and a trailing `B` are accepted).
 */
export function parseByteCount(text: string, what = 'byte count'): number {
  const m = /^\s*(\d+)\s*([KMGT]?)(?:i?B)?\s*$/i.exec(text);
  const n = m ? Number(m[1]) * UNITS[m[2]!.toUpperCase()]! : NaN;
  if (!Number.isSafeInteger(n)) throw new UsageError(`${what} "${text}" is not a whole number of bytes (e.g. 4096, 64K, 512M, 2G)`);
  return n;
}

/** `START:LENGTH` (`START:` runs to the end of the image), clipped to an image of `size` bytes. */
export function parseRange(text: string, size: number): ByteRange {
  const m = /^([^:]+):([^:]*)$/.exec(text.trim());
  if (!m) throw new UsageError(`range "${text}" must be START:LENGTH in bytes (K/M/G suffixes allowed), e.g. 0:64G`);
  const start = parseByteCount(m[1]!, 'range start');
  const length = m[2]!.trim() === '' ? size - start : parseByteCount(m[2]!, 'range length');
  if (start >= size && size > 0) throw new UsageError(`range start ${start} is past the end of the image (${size} bytes)`);
  if (length <= 0) throw new UsageError(`range "${text}" is empty`);
  return { start, length: Math.min(length, size - start) };
}

/**
 * Shard `index` (0-based) of `count`: consecutive ranges of whole pages, so a
 * shard starts where a single run's page starts and the merged shards give
 * what one run gives. The last shard takes the rest.
 */
export function shardRange(index: number, count: number, size: number, pageSize: number): ByteRange {
  if (!Number.isInteger(count) || count < 1 || !Number.isInteger(index) || index < 0 || index >= count) {
    throw new UsageError(`shard ${index}/${count}: the index must be 0..count-1`);
  }
  const pages = Math.ceil(size / pageSize);
  const per = Math.ceil(pages / count);
  const start = Math.min(size, index * per * pageSize);
  const end = index === count - 1 ? size : Math.min(size, (index + 1) * per * pageSize);
  return { start, length: end - start };
}

/** `I/N` as typed after --shard. */
export function parseShard(text: string): { index: number; count: number } {
  const m = /^\s*(\d+)\s*\/\s*(\d+)\s*$/.exec(text);
  if (!m) throw new UsageError(`shard "${text}" must be INDEX/COUNT, e.g. 0/8 (the index counts from 0)`);
  return { index: Number(m[1]), count: Number(m[2]) };
}

/**
 * The pages of a range: the whole run's page grid (multiples of `pageSize`
 * from offset 0) cut to the range. A shard therefore scans the same pages as
 * one run over the whole image, except where the range cuts one in two.
 */
export class PageGrid {
  /** Index, on the whole image's grid, of the range's first page. */
  readonly first: number;
  /** Pages in the range. */
  readonly count: number;

  constructor(
    readonly range: ByteRange,
    readonly pageSize: number,
  ) {
    const end = range.start + range.length;
    this.first = Math.floor(range.start / pageSize);
    this.count = range.length === 0 ? 0 : Math.ceil(end / pageSize) - this.first;
  }

  /** Page `i` of the range (0-based). */
  page(i: number): PageSpan {
    const start = Math.max(this.range.start, (this.first + i) * this.pageSize);
    const end = Math.min(this.range.start + this.range.length, (this.first + i + 1) * this.pageSize);
    return { start, length: end - start };
  }

  /** Bytes of the range in pages before page `i`: the prefix a checkpoint covers. */
  bytesBefore(i: number): number {
    return i >= this.count ? this.range.length : this.page(i).start - this.range.start;
  }
}
