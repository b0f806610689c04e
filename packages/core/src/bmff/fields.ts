/**
 * Sequential, bounds-checked reads of a box's fields, in the order the spec
 * lists them. Any read past the box throws BoxFieldError, which the box's
 * parser turns into a typed failure naming the image offset.
 */
import { fourcc, u32be, u64be } from '../reader/reader.js';

/** A field read ran past its box (a size or count field lied); names the image offset. */
export class BoxFieldError extends RangeError {
  constructor(readonly imgOffset: number, what: string) {
    super(`${what} at image offset ${imgOffset}`);
    this.name = 'BoxFieldError';
  }
}

/**
 * A cursor over a box's payload: each method reads the next field (big-endian)
 * and throws {@link BoxFieldError} when it would run past the payload.
 */
export class Fields {
  /** Offset of the next field in `b`. */
  pos = 0;
  constructor(
    readonly b: Uint8Array,
    /** Image offset of b[0], for messages. */
    readonly base: number,
  ) {}

  /** Bytes left after the cursor. */
  get left(): number {
    return this.b.length - this.pos;
  }
  /** Image offset of the next field. */
  get imgOffset(): number {
    return this.base + this.pos;
  }

  private need(n: number): number {
    if (n < 0 || this.pos + n > this.b.length) throw new BoxFieldError(this.base + this.pos, `field of ${n} bytes runs past the box`);
    const at = this.pos;
    this.pos += n;
    return at;
  }
  /** An unsigned 8-bit field. */
  u8(): number {
    return this.b[this.need(1)]!;
  }
  /** An unsigned 16-bit field. */
  u16(): number {
    const i = this.need(2);
    return (this.b[i]! << 8) | this.b[i + 1]!;
  }
  /** An unsigned 24-bit field (a full box's flags). */
  u24(): number {
    const i = this.need(3);
    return (this.b[i]! << 16) | (this.b[i + 1]! << 8) | this.b[i + 2]!;
  }
  /** An unsigned 32-bit field. */
  u32(): number {
    return u32be(this.b, this.need(4));
  }
  /** An unsigned 64-bit field; values past 2^53 throw (no image is that large). */
  u64(): number {
    const v = u64be(this.b, this.need(8));
    if (!Number.isFinite(v)) throw new BoxFieldError(this.base + this.pos - 8, '64-bit value beyond 2^53');
    return v;
  }
  /** An unsigned field of 0, 1, 2, 4 or 8 bytes (iloc's offset_size etc.). */
  uN(bytes: number): number {
    switch (bytes) {
      case 0: return 0;
      case 1: return this.u8();
      case 2: return this.u16();
      case 4: return this.u32();
      case 8: return this.u64();
      default: throw new BoxFieldError(this.base + this.pos, `field size ${bytes} is not 0, 1, 2, 4 or 8`);
    }
  }
  /** A four-character code. */
  fourcc(): string {
    return fourcc(this.b, this.need(4));
  }
  /** The next `n` bytes, as a view (no copy). */
  bytes(n: number): Uint8Array {
    const i = this.need(n);
    return this.b.subarray(i, i + n);
  }
  /** Skips `n` bytes (reserved fields). */
  skip(n: number): void {
    this.need(n);
  }
  /** A NUL-terminated UTF-8 string; a missing terminator ends it at the box end. */
  cstring(): string {
    let e = this.pos;
    while (e < this.b.length && this.b[e] !== 0) e++;
    const s = Buffer.from(this.b.subarray(this.pos, e)).toString('utf8');
    this.pos = Math.min(this.b.length, e + 1);
    return s;
  }
}
