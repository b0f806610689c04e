import type { Reader } from '@rawcarve/core';

const CHUNK = 1 << 20;

/**
 * Reads the entropy-coded segment bit by bit (T.81 F.2.2.5): undoes byte
 * stuffing (FF 00), skips fill bytes (FF FF ...), and stops at the first
 * marker. Past a marker or the image end it feeds zero bits, as decoders do,
 * but counts them: consuming any of them means the scan ended early.
 */
export class BitReader {
  /** Image offset of the next raw byte to load. */
  off: number;
  /** Bit accumulator (the low `n` bits are valid, MSB first). */
  acc = 0;
  n = 0;
  /** Zero bits fed after the data ended; they sit in the lowest bits of acc. */
  fake = 0;
  /** The marker code that ended the data (0xD0.. etc.), −1 while none, −2 at the image end. */
  marker = -1;
  /** Image offset of the marker's FF byte (the data's end; the first of its fill bytes). */
  markerOffset = -1;
  /** Image offset just past the marker's code byte (where the data goes on after an RST). */
  private afterMarker = -1;
  /** Set when a decoder consumed bits that were not in the data. */
  overrun = false;

  /** The reader window holding `off` (read by the hot loop in sequential.ts). */
  chunk: Uint8Array = new Uint8Array(0);
  /** Image offset of chunk[0]. */
  chunkBase = 0;

  constructor(
    private readonly reader: Reader,
    start: number,
    /** Reading stops (as at the image end) here: the carver's size limit. */
    private readonly limit: number,
  ) {
    this.off = start;
  }

  /** Next raw byte, or −1 at the image end or the limit. */
  private raw(): number {
    const i = this.off - this.chunkBase;
    if (i < this.chunk.length) {
      this.off++;
      return this.chunk[i]!;
    }
    if (this.off >= this.limit) return -1;
    this.chunk = this.reader.chunk(this.off, Math.min(CHUNK, this.limit - this.off));
    this.chunkBase = this.off;
    if (this.chunk.length === 0) return -1;
    this.off++;
    return this.chunk[0]!;
  }

  /** Next data byte with stuffing removed, or a fake zero once a marker or the end was met. */
  private dataByte(): number {
    if (this.marker === -1) {
      const b = this.raw();
      if (b === 0xff) {
        const at = this.off - 1;
        let c = this.raw();
        while (c === 0xff) c = this.raw();
        if (c === 0) return 0xff;
        this.marker = c < 0 ? -2 : c;
        this.markerOffset = c < 0 ? this.off : at;
        this.afterMarker = this.off;
      } else if (b >= 0) {
        return b;
      } else {
        this.marker = -2;
        this.markerOffset = this.off;
      }
    }
    this.fake += 8;
    return 0;
  }

  /**
   * Ensures at least 17 bits in the accumulator. The accumulator is kept
   * below 2^24 so V8 stores it as a small integer, never a boxed double.
   */
  fill(): void {
    // Fast path: plain data bytes straight from the current chunk; FF (stuffing,
    // markers), chunk ends and the end of data take the careful path.
    let chunk = this.chunk;
    let i = this.off - this.chunkBase;
    let acc = this.acc;
    let n = this.n;
    while (n <= 16) {
      if (this.marker === -1 && i < chunk.length) {
        const b = chunk[i]!;
        if (b !== 0xff) {
          acc = ((acc & 0xffff) << 8) | b;
          n += 8;
          i++;
          continue;
        }
      }
      this.off = this.chunkBase + i;
      acc = ((acc & 0xffff) << 8) | this.dataByte();
      n += 8;
      chunk = this.chunk; // dataByte may have loaded the next chunk
      i = this.off - this.chunkBase;
    }
    this.off = this.chunkBase + i;
    this.acc = acc;
    this.n = n;
  }

  peek(bits: number): number {
    if (this.n < bits) this.fill();
    return (this.acc >>> (this.n - bits)) & ((1 << bits) - 1);
  }

  skip(bits: number): void {
    this.n -= bits;
    if (this.n < this.fake) this.overrun = true;
  }

  bit(): number {
    if (this.n < 1) this.fill();
    this.n--;
    if (this.n < this.fake) this.overrun = true;
    return (this.acc >>> this.n) & 1;
  }

  /** `bits` raw bits as an unsigned number (bits ≤ 16). */
  bits(bits: number): number {
    if (bits === 0) return 0;
    if (this.n < bits) this.fill();
    this.n -= bits;
    if (this.n < this.fake) this.overrun = true;
    return (this.acc >>> this.n) & ((1 << bits) - 1);
  }

  /** Real (not fake) whole bytes still buffered: data the decoder did not use. */
  unusedBytes(): number {
    return Math.max(0, (this.n - this.fake) >> 3);
  }

  /**
   * After a complete interval or scan: drops the padding bits of the last
   * byte and finds the marker that must follow. Returns how many data bytes
   * were left over before it (encoders leave none).
   */
  seekMarker(maxExtra: number): number {
    let extra = this.unusedBytes();
    this.acc = 0;
    this.n = 0;
    this.fake = 0;
    while (this.marker === -1 && extra <= maxExtra) {
      this.dataByte();
      if (this.marker === -1) extra++;
      this.fake = 0;
    }
    return extra;
  }

  /** Continues after an RST marker: the next data starts after its code byte (fill bytes may precede it, B.1.1.2). */
  restart(): void {
    this.off = this.afterMarker;
    this.marker = -1;
    this.markerOffset = -1;
    this.acc = 0;
    this.n = 0;
    this.fake = 0;
  }

  /** Image offset just past the last byte the decoder has consumed bits from. */
  consumedUntil(): number {
    const end = this.marker === -1 ? this.off : this.markerOffset;
    return end - Math.max(0, (this.n - this.fake) >> 3);
  }
}
