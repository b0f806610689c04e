import type { ImageSource } from '../source/image-source.js';
import { MAX_READ, ReaderRangeError, type Reader } from './reader.js';

const BLOCK = 1 << 20; // cache granularity: 1 MiB, aligned
const CACHE_BLOCKS = 16;

/**
 * A Reader over an ImageSource with an optional pinned window (the scanner's
 * page plus margin, already in memory) and a small LRU of 1 MiB blocks for
 * everything else. Memory is bounded: window + 16 MiB.
 */
export class SourceReader implements Reader {
  readonly size: number;
  private window: Uint8Array = new Uint8Array(0);
  private windowBase = 0;
  private readonly cache = new Map<number, Uint8Array>(); // block index -> bytes (insertion order = LRU)

  constructor(private readonly source: ImageSource) {
    this.size = source.size;
  }

  /** Pins bytes already read from the image at `base` (zero-copy reads there). */
  setWindow(base: number, bytes: Uint8Array): void {
    this.windowBase = base;
    this.window = bytes;
  }

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
    const block = Math.floor(offset / BLOCK);
    if (Math.floor((end - 1) / BLOCK) === block) {
      const b = this.block(block);
      return b.subarray(offset - block * BLOCK, end - block * BLOCK);
    }
    // Spans blocks: one positioned read into a fresh buffer.
    const out = new Uint8Array(end - offset);
    const n = this.source.readInto(offset, out, 0, out.length);
    return n === out.length ? out : out.subarray(0, n);
  }

  chunk(offset: number, maxLength: number): Uint8Array {
    if (offset < 0 || !Number.isFinite(offset)) throw new ReaderRangeError(offset, maxLength);
    if (offset >= this.size || maxLength <= 0) return new Uint8Array(0);
    const w = offset - this.windowBase;
    if (w >= 0 && w < this.window.length) {
      return this.window.subarray(w, Math.min(this.window.length, w + maxLength));
    }
    const block = Math.floor(offset / BLOCK);
    const b = this.block(block);
    const start = offset - block * BLOCK;
    return b.subarray(start, Math.min(b.length, start + maxLength));
  }

  private block(index: number): Uint8Array {
    const hit = this.cache.get(index);
    if (hit) {
      this.cache.delete(index);
      this.cache.set(index, hit);
      return hit;
    }
    const start = index * BLOCK;
    const buf = new Uint8Array(Math.min(BLOCK, this.size - start));
    const n = this.source.readInto(start, buf, 0, buf.length);
    const bytes = n === buf.length ? buf : buf.subarray(0, n);
    if (this.cache.size >= CACHE_BLOCKS) {
      const oldest = this.cache.keys().next().value;
      if (oldest !== undefined) this.cache.delete(oldest);
    }
    this.cache.set(index, bytes);
    return bytes;
  }
}

/** A Reader over bytes in memory (tests, plugin authors, already-read data). */
export class BufferReader implements Reader {
  readonly size: number;
  constructor(private readonly data: Uint8Array) {
    this.size = data.length;
  }
  bytes(offset: number, length: number): Uint8Array {
    if (offset < 0 || length < 0 || length > MAX_READ || !Number.isFinite(offset)) {
      throw new ReaderRangeError(offset, length);
    }
    return this.data.subarray(Math.min(offset, this.size), Math.min(offset + length, this.size));
  }
  chunk(offset: number, maxLength: number): Uint8Array {
    return this.bytes(offset, Math.min(maxLength, MAX_READ));
  }
}
