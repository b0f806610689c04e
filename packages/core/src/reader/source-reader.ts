import type { ImageSource } from '../source/image-source.js';
import { readInto, type Unreadable } from '../pool/read-salvaging.js';
import type { ScanIssue } from '../scan/carve-page.js';
import { MAX_READ, ReaderRangeError, type Reader } from './reader.js';

/** Unreadable ranges a SourceReader remembers (a failing disk can have many; the oldest are forgotten). */
const MAX_UNREADABLE = 4096;

/** Cache granularity and size: the scanner reads forward in big blocks; random access (reassembly) wants small ones, many. */
export interface SourceReaderCache {
  /** Block size in bytes (a power of two). */
  readonly blockSize: number;
  readonly blocks: number;
}

/** 1 MiB aligned blocks, 16 of them: sequential reads of samples and entropy data past the scanner's window. */
export const SEQUENTIAL_CACHE: SourceReaderCache = { blockSize: 1 << 20, blocks: 16 };
/** 64 KiB blocks, 512 of them (32 MiB): many small reads all over the image, as fragment reassembly makes. */
export const RANDOM_ACCESS_CACHE: SourceReaderCache = { blockSize: 1 << 16, blocks: 512 };

/**
 * A Reader over an ImageSource with an optional pinned window (the scanner's
 * page plus margin, already in memory) and an LRU of aligned blocks for
 * everything else. Memory is bounded: window + blockSize × blocks.
 */
export class SourceReader implements Reader {
  /** Size of the image in bytes. */
  readonly size: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowBase = 0;
  private readonly cache = new Map<number, Uint8Array>(); // block index -> bytes (insertion order = LRU)
  /**
   * Image ranges this reader could not read (I/O errors, short reads): zeros
   * stand in for them, so a file touching one is never complete.
   */
  readonly unreadable: Unreadable[] = [];

  private readonly blockSize: number;
  private readonly maxBlocks: number;

  constructor(
    private readonly source: ImageSource,
    cache: SourceReaderCache = SEQUENTIAL_CACHE,
  ) {
    this.size = source.size;
    this.blockSize = cache.blockSize;
    this.maxBlocks = cache.blocks;
  }

  /** Pins bytes already read from the image at `base` (zero-copy reads there). */
  setWindow(base: number, bytes: Uint8Array): void {
    this.windowBase = base;
    this.window = bytes;
  }

  /** See {@link Reader.bytes}: a view of the window or of a cached block when the range lies in one, else a fresh copy. */
  bytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || length > MAX_READ || !Number.isFinite(offset)) {
      throw new ReaderRangeError(offset, length);
    }
    const end = Math.min(offset + length, this.size);
    if (end <= offset) return new Uint8Array(0);
    const w = offset - this.windowBase;
    if (w >= 0 && end - this.windowBase <= this.window.length) {
      return this.window.subarray(w, end - this.windowBase);
    }
    const BLOCK = this.blockSize;
    const block = Math.floor(offset / BLOCK);
    if (Math.floor((end - 1) / BLOCK) === block) {
      const b = this.block(block);
      return b.subarray(offset - block * BLOCK, end - block * BLOCK);
    }
    // Spans blocks: one positioned read into a fresh buffer.
    const out = new Uint8Array(end - offset);
    this.salvage(offset, out);
    return out;
  }

  /** See {@link Reader.chunk}: up to the end of the window or of the cached block holding `offset`. */
  chunk(offset: number, maxLength: number): Uint8Array {
    if (offset < 0 || !Number.isFinite(offset)) throw new ReaderRangeError(offset, maxLength);
    if (offset >= this.size || maxLength <= 0) return new Uint8Array(0);
    const w = offset - this.windowBase;
    if (w >= 0 && w < this.window.length) {
      return this.window.subarray(w, Math.min(this.window.length, w + maxLength));
    }
    const block = Math.floor(offset / this.blockSize);
    const b = this.block(block);
    const start = offset - block * this.blockSize;
    return b.subarray(start, Math.min(b.length, start + maxLength));
  }

  private block(index: number): Uint8Array {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const start = index * this.blockSize;
    const bytes = new Uint8Array(Math.min(this.blockSize, this.size - start));
    this.salvage(start, bytes);
    if (this.cache.size >= this.maxBlocks) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(index, bytes);
    return bytes;
  }

  /** Reads `into.length` bytes at `offset`; unreadable parts are zeros and remembered in {@link unreadable}. */
  private salvage(offset: number, into: Uint8Array): void {
    const issues: ScanIssue[] = []; // the page holding the bad bytes reports them; files touching them get a note
    readInto(this.source, offset, into, 0, into.length, issues, this.unreadable);
    if (this.unreadable.length > MAX_UNREADABLE) this.unreadable.splice(0, this.unreadable.length - MAX_UNREADABLE);
  }
}

/** A Reader over bytes in memory (tests, plugin authors, already-read data). */
export class BufferReader implements Reader {
  /** Length of the bytes given. */
  readonly size: number;
  constructor(private readonly data: Uint8Array) {
    this.size = data.length;
  }
  /** See {@link Reader.bytes}: always a zero-copy view. */
  bytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || length > MAX_READ || !Number.isFinite(offset)) {
      throw new ReaderRangeError(offset, length);
    }
    return this.data.subarray(Math.min(offset, this.size), Math.min(offset + length, this.size));
  }
  /** See {@link Reader.chunk}: the whole rest of the data, up to maxLength (and MAX_READ). */
  chunk(offset: number, maxLength: number): Uint8Array {
    return this.bytes(offset, Math.min(maxLength, MAX_READ));
  }
}
