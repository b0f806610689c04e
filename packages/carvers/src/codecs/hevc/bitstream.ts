/**
 * HEVC raw byte sequence payloads (ITU-T H.265 §7.3.1, §7.4.2): emulation
 * prevention removal and the fixed/exp-Golomb bit reader the parameter sets
 * and slice headers are written with (§9.2).
 */

/** A syntax problem: the bytes are not a conforming HEVC bitstream. */
export class HevcSyntaxError extends Error {
  override readonly name = 'HevcSyntaxError';
}

/** The bitstream uses a feature this parser does not implement: neither valid nor invalid. */
export class HevcUnsupported extends Error {
  override readonly name = 'HevcUnsupported';
}

/** An RBSP and where its bytes were in the NAL unit. */
export interface Rbsp {
  /** NAL unit bytes with every emulation_prevention_three_byte removed. */
  readonly bytes: Uint8Array;
  /** Ascending RBSP offsets before which one 0x03 was removed (to map back to NAL offsets). */
  readonly removedBefore: Int32Array;
}

const NO_REMOVALS = new Int32Array(0);

/**
 * The RBSP of a NAL unit (§7.3.1.1): every 0x03 that follows two zero bytes
 * is an emulation_prevention_three_byte and is dropped. One copy only when
 * there is something to drop.
 */
export function unescapeRbsp(nal: Uint8Array): Rbsp {
  let count = 0;
  for (let i = 0, zeros = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      count++;
      zeros = 0;
    } else zeros = b === 0 ? zeros + 1 : 0;
  }
  if (count === 0) return { bytes: nal, removedBefore: NO_REMOVALS };
  const out = new Uint8Array(nal.length - count);
  const removed = new Int32Array(count);
  let o = 0;
  let r = 0;
  for (let i = 0, zeros = 0; i < nal.length; i++) {
    const b = nal[i]!;
    if (zeros >= 2 && b === 3) {
      removed[r++] = o;
      zeros = 0;
      continue;
    }
    zeros = b === 0 ? zeros + 1 : 0;
    out[o++] = b;
  }
  return { bytes: out, removedBefore: removed };
}

/** The NAL unit offset of an RBSP offset (inverse of the emulation prevention removal). */
export function nalOffset(rbsp: Rbsp, rbspOffset: number): number {
  let n = 0;
  const r = rbsp.removedBefore;
  while (n < r.length && r[n]! <= rbspOffset) n++;
  return rbspOffset + n;
}

/** The RBSP offset of a NAL unit offset (entry points count emulation prevention bytes, §7.4.7.1). */
export function rbspOffset(rbsp: Rbsp, nalOff: number): number {
  let n = 0;
  const r = rbsp.removedBefore;
  while (n < r.length && r[n]! + n < nalOff) n++;
  return nalOff - n;
}

/** Bit reader for the u(n), ue(v) and se(v) descriptors (§7.2, §9.2). Throws HevcSyntaxError past the end. */
export class BitReader {
  /** Next bit to read, from the start of `bytes`. */
  pos: number;
  readonly end: number;

  constructor(readonly bytes: Uint8Array, startByte = 0, endByte = bytes.length) {
    this.pos = startByte * 8;
    this.end = endByte * 8;
  }

  /** u(1). */
  flag(): boolean {
    return this.u(1) === 1;
  }

  /** u(n), n ≤ 32. */
  u(n: number): number {
    if (this.pos + n > this.end) throw new HevcSyntaxError('parameter data ends early');
    let v = 0;
    for (let i = 0; i < n; i++) {
      const p = this.pos++;
      v = v * 2 + ((this.bytes[p >> 3]! >> (7 - (p & 7))) & 1);
    }
    return v;
  }

  /** ue(v), §9.2: at most 32 leading zeros (values up to 2^32 − 2). */
  ue(): number {
    let zeros = 0;
    while (this.u(1) === 0) {
      if (++zeros > 31) throw new HevcSyntaxError('exp-Golomb code longer than 32 bits');
    }
    return 2 ** zeros - 1 + this.u(zeros);
  }

  /** se(v), §9.2.2. */
  se(): number {
    const k = this.ue();
    return k % 2 === 1 ? (k + 1) / 2 : -(k / 2);
  }

  /** ue(v) that must lie in [min, max] (the spec's ranges for each element). */
  ueIn(min: number, max: number, what: string): number {
    const v = this.ue();
    if (v < min || v > max) throw new HevcSyntaxError(`${what} = ${v} is out of range [${min}, ${max}]`);
    return v;
  }

  /** se(v) that must lie in [min, max]. */
  seIn(min: number, max: number, what: string): number {
    const v = this.se();
    if (v < min || v > max) throw new HevcSyntaxError(`${what} = ${v} is out of range [${min}, ${max}]`);
    return v;
  }

  skip(n: number): void {
    if (this.pos + n > this.end) throw new HevcSyntaxError('parameter data ends early');
    this.pos += n;
  }

  /** byte_alignment() (§7.3.2.12): one bit equal to 1, then zero bits to the byte boundary. */
  byteAlignment(): void {
    if (this.u(1) !== 1) throw new HevcSyntaxError('alignment_bit_equal_to_one is 0');
    while (this.pos & 7) if (this.u(1) !== 0) throw new HevcSyntaxError('alignment_bit_equal_to_zero is 1');
  }
}
