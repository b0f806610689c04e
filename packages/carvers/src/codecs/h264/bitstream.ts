/**
 * RBSP extraction (ITU-T H.264 §7.3.1, §7.4.1: emulation_prevention_three_byte
 * removal) and the bit reader of §7.2 (u(n), ue(v), se(v), more_rbsp_data()).
 *
 * The reader never throws: reads past the end return zero bits and leave
 * `pos` beyond `end`, which callers test (`overrun`) at syntax boundaries.
 * This keeps the hot paths branch-light and makes hostile input harmless.
 */

/** Zero bytes kept after the RBSP so that peeks past its end read zeros. */
const PAD = 8;

/** An RBSP extracted from one NAL unit, with the map back to raw NAL offsets. */
export class Rbsp {
  /** RBSP bytes (header byte excluded), followed by PAD zero bytes. */
  buf = new Uint8Array(1024);
  /** RBSP length in bytes. */
  length = 0;
  /** RBSP byte index at which each removed 0x03 would have been (ascending). */
  private epb = new Int32Array(64);
  private epbCount = 0;
  /** Raw NAL offset of the first RBSP byte (past the NAL header). */
  private headerBytes = 1;

  /**
   * Fills the buffer from `nal[from..to)` (the NAL unit without its length
   * prefix): drops the one-byte NAL header and every emulation-prevention byte.
   */
  load(nal: Uint8Array, from: number, to: number): void {
    const n = Math.max(0, to - from - 1);
    if (this.buf.length < n + PAD) this.buf = new Uint8Array(Math.max(n + PAD, this.buf.length * 2));
    const out = this.buf;
    let len = 0;
    let zeros = 0;
    this.epbCount = 0;
    this.headerBytes = 1;
    for (let i = from + 1; i < to; i++) {
      const b = nal[i]!;
      // §7.4.1: 0x000003 — the 03 is not part of the RBSP.
      if (zeros >= 2 && b === 3) {
        this.pushEpb(len);
        zeros = 0;
        continue;
      }
      out[len++] = b;
      zeros = b === 0 ? zeros + 1 : 0;
    }
    out.fill(0, len, len + PAD);
    this.length = len;
  }

  private pushEpb(at: number): void {
    if (this.epbCount === this.epb.length) {
      const grown = new Int32Array(this.epb.length * 2);
      grown.set(this.epb);
      this.epb = grown;
    }
    this.epb[this.epbCount++] = at;
  }

  /** Raw offset in the NAL unit (header and emulation-prevention bytes counted) of RBSP byte `i`. */
  rawOffset(i: number): number {
    let removed = 0;
    for (let k = 0; k < this.epbCount && this.epb[k]! <= i; k++) removed++;
    return i + removed + this.headerBytes;
  }

  /** Bit index of the rbsp_stop_one_bit: the last 1 bit of the RBSP; -1 if all bits are zero. */
  stopBit(): number {
    for (let i = this.length - 1; i >= 0; i--) {
      const b = this.buf[i]!;
      if (b !== 0) return i * 8 + 7 - (31 - Math.clz32(b & -b));
    }
    return -1;
  }
}

/** MSB-first bit reader over an RBSP (§7.2). */
export class BitReader {
  buf: Uint8Array = new Uint8Array(PAD);
  /** Next bit to read. */
  pos = 0;
  /** Bits in the RBSP. */
  end = 0;

  reset(rbsp: Rbsp, bitPos = 0): void {
    this.buf = rbsp.buf;
    this.pos = bitPos;
    this.end = rbsp.length * 8;
  }

  /** Read more than there is: the syntax ran out of data. */
  get overrun(): boolean {
    return this.pos > this.end;
  }

  /** u(1). */
  u1(): number {
    const p = this.pos;
    if (p >= this.end) {
      this.pos = p + 1;
      return 0;
    }
    this.pos = p + 1;
    return (this.buf[p >>> 3]! >>> (7 - (p & 7))) & 1;
  }

  /** Next `n` (0..24) bits without consuming them; zeros past the end. */
  peek(n: number): number {
    const p = this.pos;
    if (p >= this.end) return 0;
    const i = p >>> 3;
    const b = this.buf;
    // 32 bits from the byte holding p; the PAD bytes make i + 3 always readable.
    const w = ((b[i]! << 24) | (b[i + 1]! << 16) | (b[i + 2]! << 8) | b[i + 3]!) >>> 0;
    return ((w << (p & 7)) >>> 0) >>> (32 - n);
  }

  skip(n: number): void {
    this.pos += n;
  }

  /** u(n), n ≤ 32. */
  u(n: number): number {
    let v = 0;
    while (n > 16) {
      v = v * 65536 + this.peek(16);
      this.pos += 16;
      n -= 16;
    }
    if (n === 0) return v;
    const w = this.pos < this.end ? this.peek(n) : 0;
    this.pos += n;
    return v * (1 << n) + w;
  }

  /**
   * ue(v) (§9.1). Returns -1 when the code is longer than 32 bits or runs off
   * the end (both impossible in a conforming stream).
   */
  ue(): number {
    let zeros = 0;
    while (this.u1() === 0) {
      if (++zeros > 31 || this.pos > this.end) return -1;
    }
    if (zeros === 0) return 0;
    return Math.pow(2, zeros) - 1 + this.u(zeros);
  }

  /** se(v) (§9.1.1); NaN where ue(v) failed. */
  se(): number {
    const k = this.ue();
    if (k < 0) return NaN;
    return k & 1 ? (k + 1) / 2 : -k / 2;
  }

  /** te(v) (§9.1.2) for a syntax element whose range maximum is `max` (≥ 1). */
  te(max: number): number {
    return max > 1 ? this.ue() : 1 - this.u1();
  }

  byteAligned(): boolean {
    return (this.pos & 7) === 0;
  }
}
