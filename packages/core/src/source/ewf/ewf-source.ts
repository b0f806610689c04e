import { ImageReadError, type ImageSource } from '../image-source.js';
import { ChunkCache } from './chunk-cache.js';
import { decodeChunk } from './chunk-codec.js';
import type { ChunkTable } from './chunk-table.js';
import { loadSegments, type EwfInfo } from './load-segments.js';
import type { SegmentFile } from './segment-file.js';

/** Decoded chunks kept: 16 of the usual 32 KiB, fewer when chunks are large. */
const CACHE_CHUNKS = 16;
const CACHE_BYTES = 16 * 1024 * 1024;

/**
 * An EnCase (EWF-E01) image: one or more segment files (`.E01`, `.E02`, …)
 * read as the media they hold. Opening walks every segment's sections and
 * reads the chunk tables (nothing of the data); reads decode chunks on demand
 * through a small LRU. A chunk that does not decode or fails its checksum
 * throws an {@link ImageReadError} naming its image offset: the scanner
 * zero-fills it, logs it and goes on.
 */
export class EwfSource implements ImageSource {
  /** Always "ewf". */
  readonly kind = 'ewf';
  /** Size of the media data in bytes (sectors × bytes per sector), not of the segment files. */
  readonly size: number;
  /** Case metadata, geometry, stored hashes and the segment files. */
  readonly info: EwfInfo;
  private readonly files: SegmentFile[];
  private readonly chunks: ChunkTable;
  private readonly chunkSize: number;
  private readonly cache: ChunkCache;

  /** `path`: the first segment (`x.E01`); the others are found beside it. */
  constructor(readonly path: string) {
    const loaded = loadSegments(path);
    this.files = loaded.files;
    this.info = loaded.info;
    this.chunks = loaded.chunks;
    this.chunkSize = loaded.info.chunkSize;
    this.cache = new ChunkCache(Math.max(2, Math.min(CACHE_CHUNKS, Math.floor(CACHE_BYTES / this.chunkSize))));
    this.size = this.sizeWithPartialSector(loaded.size);
  }

  /** See {@link ImageSource.readInto}. */
  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number): number {
    if (!Number.isSafeInteger(offset) || offset < 0) throw new RangeError(`image offset ${offset} is not a non-negative integer`);
    const want = Math.max(0, Math.min(length, this.size - offset, into.length - intoOffset));
    let done = 0;
    while (done < want) {
      const at = offset + done;
      const index = Math.floor(at / this.chunkSize);
      const within = at - index * this.chunkSize;
      const data = this.chunk(index);
      const n = Math.min(data.length - within, want - done);
      into.set(data.subarray(within, within + n), intoOffset + done);
      done += n;
    }
    return done;
  }

  /** See {@link ImageSource.close}. */
  close(): void {
    for (const f of this.files) f.close();
    this.cache.clear();
  }

  /**
   * The sector count leaves out a final partial sector (media that are
   * files, not disks), but libewf stores and hashes those bytes in the last
   * chunk: count them, so reads and `verify` see what was acquired.
   */
  private sizeWithPartialSector(bySectors: number): number {
    if (bySectors % this.chunkSize === 0 || bySectors === 0) return bySectors;
    const last = Math.floor(bySectors / this.chunkSize);
    try {
      return last * this.chunkSize + this.decode(last, bySectors - last * this.chunkSize).length;
    } catch {
      return bySectors; // a bad last chunk is reported when it is read
    }
  }

  /** The media data of chunk `index`, decoded (or from the cache). */
  private chunk(index: number): Uint8Array {
    const cached = this.cache.get(index);
    if (cached !== undefined) return cached;
    const start = index * this.chunkSize;
    const expected = Math.min(this.chunkSize, this.size - start);
    const decoded = this.decode(index, expected);
    const data = decoded.length > expected ? decoded.subarray(0, expected) : decoded;
    this.cache.set(index, data);
    return data;
  }

  /** Reads and decodes chunk `index`; throws an ImageReadError naming its image offset. */
  private decode(index: number, expected: number): Uint8Array {
    const start = index * this.chunkSize;
    const where = this.chunks.locate(index);
    if (typeof where === 'string') throw new ImageReadError(this.path, start, expected, new Error(`EWF chunk ${index}: ${where}`));
    const file = this.files[where.segment]!;
    try {
      const stored = file.read(where.offset, where.storedSize, `chunk ${index}`);
      return decodeChunk(stored, where.compressed, expected, this.chunkSize, this.info.volume.bytesPerSector);
    } catch (err) {
      const why = err instanceof Error ? err.message : String(err);
      throw new ImageReadError(this.path, start, expected, new Error(`EWF chunk ${index} (${file.path}, file offset ${where.offset}): ${why}`));
    }
  }
}
