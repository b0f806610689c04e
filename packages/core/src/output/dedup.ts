import type { FileRecord } from '../report/types.js';

/**
 * Identical files are kept once: the copy at the lowest image offset owns the
 * name, every other copy is listed in its `duplicates`. The key is size +
 * xxHash64; SHA-256 must agree too before two files count as identical.
 */
export class Deduplicator {
  private readonly owners = new Map<string, FileRecord>();

  /** Unique files so far. */
  get count(): number {
    return this.owners.size;
  }

  /**
   * Registers a written file. Returns the record that lost (whose written
   * file must be deleted), or null when the file is unique.
   */
  add(record: FileRecord): FileRecord | null {
    const key = `${record.size}:${record.xxh64}:${record.sha256}`;
    const owner = this.owners.get(key);
    if (!owner) {
      this.owners.set(key, record);
      return null;
    }
    const [keep, lose] = owner.imgOffset <= record.imgOffset ? [owner, record] : [record, owner];
    keep.duplicates = [...keep.duplicates, lose.imgOffset, ...lose.duplicates].sort((a, b) => a - b);
    lose.duplicates = [];
    this.owners.set(key, keep);
    return lose;
  }

  /** Unique files, in image-offset order. */
  files(): FileRecord[] {
    return [...this.owners.values()].sort((a, b) => a.imgOffset - b.imgOffset);
  }
}
