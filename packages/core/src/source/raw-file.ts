import { closeSync, fstatSync, openSync, readFileSync, readSync, constants } from 'node:fs';
import { basename } from 'node:path';
import { ImageReadError, type ImageSource } from './image-source.js';

/**
 * A raw (dd) image file or a block device, opened read-only.
 * O_RDONLY only: the evidence is never opened for writing.
 */
export class RawFileSource implements ImageSource {
  /** "raw" for a file, "blockdevice" for a device. */
  readonly kind: string;
  /** Size in bytes (of the device, from sysfs, for a block device). */
  readonly size: number;
  private fd: number;

  constructor(readonly path: string) {
    this.fd = openSync(path, constants.O_RDONLY);
    const st = fstatSync(this.fd);
    if (st.isBlockDevice()) {
      this.kind = 'blockdevice';
      this.size = blockDeviceSize(path, st.rdev);
    } else if (st.isFile()) {
      this.kind = 'raw';
      this.size = st.size;
    } else {
      closeSync(this.fd);
      throw new Error(`${path} is neither a regular file nor a block device`);
    }
  }

  /** See {@link ImageSource.readInto}. */
  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number): number {
    const want = Math.max(0, Math.min(length, this.size - offset));
    let done = 0;
    try {
      while (done < want) {
        const n = readSync(this.fd, into, intoOffset + done, want - done, offset + done);
        if (n === 0) break; // the file shrank under us: report a short read
        done += n;
      }
    } catch (err) {
      throw new ImageReadError(this.path, offset + done, want - done, err);
    }
    return done;
  }

  /** See {@link ImageSource.close}. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/** fstat reports size 0 for block devices; Linux publishes it in 512-byte sectors in sysfs. */
function blockDeviceSize(path: string, rdev: number): number {
  const major = Math.floor(rdev / 256) & 0xfff;
  const minor = (rdev & 0xff) | ((rdev >> 12) & 0xfff00);
  for (const f of [`/sys/dev/block/${major}:${minor}/size`, `/sys/class/block/${basename(path)}/size`]) {
    try {
      return Number(readFileSync(f, 'utf8').trim()) * 512;
    } catch {
      // try the next place
    }
  }
  throw new Error(`cannot determine the size of block device ${path} (no sysfs entry)`);
}
