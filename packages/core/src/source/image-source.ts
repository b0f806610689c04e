/**
 * An ImageSource is evidence: a read-only, random-access byte range.
 *
 * Reads are synchronous positioned reads. Carving runs in worker threads,
 * where blocking is cheap and a Promise per read (thousands per file) is not.
 * Raw files and block devices are sources today; E01 and split raw are just
 * other implementations of the same interface.
 */
export interface ImageSource {
  /** How this source was opened, for reports ("raw", "blockdevice", ...). */
  readonly kind: string;
  /** The path the examiner gave. */
  readonly path: string;
  /** Size of the evidence in bytes. */
  readonly size: number;
  /**
   * Reads up to `length` bytes at `offset` into `into[intoOffset...]`.
   * Returns the number of bytes read: less than `length` only at the end of
   * the image. Throws an {@link ImageReadError} naming the offset on I/O errors.
   */
  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number): number;
  /** Releases the file handle. The source must not be used afterwards. */
  close(): void;
}

/** An I/O error while reading evidence, with the image offset it happened at. */
export class ImageReadError extends Error {
  constructor(
    readonly path: string,
    readonly offset: number,
    readonly length: number,
    cause: unknown,
  ) {
    const why = cause instanceof Error ? cause.message : String(cause);
    super(
      `read of ${length} bytes at image offset ${offset} of ${path} failed: ${why}. ` +
        `Check the device or image file; the rest of the image is still scanned.`,
      { cause },
    );
    this.name = 'ImageReadError';
  }
}
