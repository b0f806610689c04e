/**
 * Bit-level reads of header fields (H.264/HEVC parameter sets, frame
 * headers, packed flags), most significant bit first. Reads past the end
 * throw a {@link BitReaderError}: a carver catches it and treats the field as
 * invalid, as it does with {@link BoxFieldError} for box fields.
 *
 * For entropy-coded data read at speed (a JPEG scan), write a specialised
 * reader: this one favours checks over throughput.
 */

/** A read ran past the end of the bits a {@link BitReader} was given. */
export class BitReaderError extends RangeError {
  constructor(
    /** Bit position (from the first bit of the view) where the read started. */
    readonly bitOffset: number,
    /** Bits asked for. */
    readonly bits: number,
  ) {
    super(`read of ${bits} bits at bit ${bitOffset} runs past the end of the data`);
    this.name = 'BitReaderError';
  }
}

/** Reads bits from a byte view, most significant bit first. */
export class BitReader {
  private pos: number;
  private readonly end: number;

  /**
   * @param bytes the data (a view from Reader.bytes is fine: nothing is copied)
   * @param bitOffset where to start, in bits from bytes[0]
   */
  constructor(
    private readonly bytes: Uint8Array,
    bitOffset = 0,
  ) {
    this.end = bytes.length * 8;
    if (!(bitOffset >= 0 && bitOffset <= this.end)) throw new BitReaderError(bitOffset, 0);
    this.pos = bitOffset;
  }

  /** Bits consumed so far, from bytes[0]. */
  get position(): number {
    return this.pos;
  }

  /** Bits left before the end. */
  get left(): number {
    return this.end - this.pos;
  }

  /** One bit (0 or 1). */
  bit(): number {
    if (this.pos >= this.end) throw new BitReaderError(this.pos, 1);
    const b = (this.bytes[this.pos >>> 3]! >>> (7 - (this.pos & 7))) & 1;
    this.pos++;
    return b;
  }

  /** An unsigned value of `n` bits (0 ≤ n ≤ 32), most significant first. */
  bits(n: number): number {
    if (!Number.isInteger(n) || n < 0 || n > 32) throw new RangeError(`bits(${n}): 0..32 bits at a time`);
    if (n > this.left) throw new BitReaderError(this.pos, n);
    let v = 0;
    for (let k = 0; k < n; ) {
      const inByte = 8 - (this.pos & 7);
      const take = Math.min(inByte, n - k);
      const byte = this.bytes[this.pos >>> 3]!;
      const part = (byte >>> (inByte - take)) & ((1 << take) - 1);
      v = v * (1 << take) + part; // multiplication keeps 32-bit values unsigned
      this.pos += take;
      k += take;
    }
    return v;
  }

  /** Skips `n` bits. */
  skip(n: number): void {
    if (!(n >= 0) || n > this.left) throw new BitReaderError(this.pos, n);
    this.pos += n;
  }

  /** Skips to the next byte boundary (no-op when already on one). */
  align(): void {
    this.pos = Math.min(this.end, (this.pos + 7) & ~7);
  }

  /**
   * Unsigned Exp-Golomb code ue(v) (H.264 §9.1, HEVC §9.2). At most 31
   * leading zeros are accepted: longer runs are corrupt data, not a value.
   */
  ue(): number {
    const start = this.pos;
    let zeros = 0;
    while (this.bit() === 0) {
      if (++zeros > 31) throw new BitReaderError(start, zeros);
    }
    return zeros === 0 ? 0 : 2 ** zeros - 1 + this.bits(zeros);
  }

  /** Signed Exp-Golomb code se(v): 0, 1, −1, 2, −2, ... */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }
}
