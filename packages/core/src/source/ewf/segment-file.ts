import { closeSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { EwfFormatError } from './errors.js';

/** "EVF" 09 0D 0A FF 00: EWF version 1 (EWF-E01, EWF-S01), libewf "File header". */
export const EVF_SIGNATURE = Uint8Array.of(0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00);
const LVF_SIGNATURE = Uint8Array.of(0x4c, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00);
const EVF2_PREFIX = Uint8Array.of(0x45, 0x56, 0x46, 0x32); // "EVF2": EnCase 7 Ex01
const LEF2_PREFIX = Uint8Array.of(0x4c, 0x45, 0x46, 0x32); // "LEF2": EnCase 7 Lx01
export const FILE_HEADER_SIZE = 13;

/**
 * True when the bytes start with an EWF signature, whatever the file is
 * called: EWF-E01, or the L01 and EWF2 kinds, which opening then refuses by
 * name rather than letting them be carved as raw bytes.
 */
export function hasEwfSignature(head: Uint8Array): boolean {
  return [EVF_SIGNATURE, LVF_SIGNATURE, EVF2_PREFIX, LEF2_PREFIX].some((sig) => startsWith(head, sig));
}

/**
 * One segment file, opened read-only. Every read is bounds-checked against
 * the file size: a table entry or section offset from the file is untrusted.
 */
export class SegmentFile {
  readonly size: number;
  /** The segment number from the file header (1 for `.E01`). */
  readonly number: number;
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, constants.O_RDONLY);
    try {
      this.size = fstatSync(this.fd).size;
      this.number = this.readFileHeader();
    } catch (err) {
      this.close();
      throw err;
    }
  }

  /** Reads exactly `length` bytes at `offset` of the file, or throws naming `what` was read. */
  read(offset: number, length: number, what: string): Uint8Array {
    // Checked before allocating: `length` comes from the file.
    this.checkRange(offset, length, what);
    const out = new Uint8Array(length);
    this.readInto(offset, out, 0, length, what);
    return out;
  }

  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number, what: string): void {
    this.checkRange(offset, length, what);
    let done = 0;
    while (done < length) {
      const n = readSync(this.fd, into, intoOffset + done, length - done, offset + done);
      if (n === 0) throw new EwfFormatError(this.path, offset + done, `${what}: the file ended early`);
      done += n;
    }
  }

  private checkRange(offset: number, length: number, what: string): void {
    if (!Number.isSafeInteger(offset) || offset < 0 || !Number.isSafeInteger(length) || length < 0 || offset + length > this.size) {
      throw new EwfFormatError(this.path, offset, `${what} (${length} bytes) lies outside the file (${this.size} bytes); the segment is truncated or corrupt`);
    }
  }

  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }

  /**
   * File header (libewf "EWF, EWF-E01 and EWF-S01"): signature(8), 0x01 start
   * of fields, segment number u16, 0x0000 end of fields.
   */
  private readFileHeader(): number {
    const h = this.read(0, FILE_HEADER_SIZE, 'file header');
    if (!startsWith(h, EVF_SIGNATURE)) throw new EwfFormatError(this.path, 0, notEvfReason(h));
    const view = new DataView(h.buffer);
    const segment = view.getUint16(9, true);
    if (h[8] !== 0x01 || view.getUint16(11, true) !== 0 || segment === 0) {
      throw new EwfFormatError(this.path, 8, 'malformed EWF file header fields (start/end of fields or segment number 0)');
    }
    return segment;
  }
}

function notEvfReason(h: Uint8Array): string {
  if (startsWith(h, LVF_SIGNATURE)) return 'an EWF-L01 logical evidence file (files, not a disk image): not supported';
  if (startsWith(h, EVF2_PREFIX) || startsWith(h, LEF2_PREFIX)) return 'an EWF2 (Ex01/Lx01, EnCase 7+) file: only EWF-E01 is supported';
  return 'not an EWF-E01 file (no "EVF\\x09\\x0d\\x0a\\xff\\x00" signature)';
}

function startsWith(bytes: Uint8Array, prefix: Uint8Array): boolean {
  if (bytes.length < prefix.length) return false;
  for (let i = 0; i < prefix.length; i++) if (bytes[i] !== prefix[i]) return false;
  return true;
}
