/**
 * The CABAC arithmetic decoding engine of ITU-T H.264 §9.3.1.2 (context
 * initialisation) and §9.3.3.2 (DecodeDecision, DecodeBypass,
 * DecodeTerminate, RenormD), reading straight from the RBSP bytes.
 *
 * Bits past the RBSP end read as zeros; the slice loop compares `pos` with
 * the RBSP length after every macroblock, so running out of data is caught
 * without a test per bin. `bins` counts decisions so the caller can bound
 * the work a hostile slice costs.
 */
import { RANGE_TAB_LPS, TRANS_IDX_LPS } from '../cabac-tables.js';
import { CTX_COUNT, CTX_INIT_I, CTX_INIT_PB0, CTX_INIT_PB1, CTX_INIT_PB2 } from './cabac-tables.js';

const PB = [CTX_INIT_PB0, CTX_INIT_PB1, CTX_INIT_PB2];

/** Arithmetic decoder state over one slice's data. */
export class CabacEngine {
  /** pStateIdx << 1 | valMPS for every context. */
  readonly state = new Uint8Array(CTX_COUNT);
  buf: Uint8Array = new Uint8Array(8);
  /** Next bit of the RBSP to shift into codIOffset. */
  pos = 0;
  end = 0;
  range = 510;
  offset = 0;
  /** Bins decoded since the slice started (decisions, bypass and terminate). */
  bins = 0;

  /**
   * §9.3.1.1: initialises every context for a slice of QP `qp`, I slices
   * (`cabacInitIdc` −1) or P/B slices with the given cabac_init_idc.
   */
  initContexts(qp: number, cabacInitIdc: number): void {
    const t = cabacInitIdc < 0 ? CTX_INIT_I : PB[cabacInitIdc]!;
    const q = qp < 0 ? 0 : qp > 51 ? 51 : qp;
    for (let i = 0; i < CTX_COUNT; i++) {
      let pre = ((t[2 * i]! * q) >> 4) + t[2 * i + 1]!;
      pre = pre < 1 ? 1 : pre > 126 ? 126 : pre;
      this.state[i] = pre <= 63 ? (63 - pre) << 1 : ((pre - 64) << 1) | 1;
    }
  }

  /** §9.3.1.2: starts the engine at bit `pos` (byte-aligned). False when codIOffset is 510 or 511 (forbidden). */
  initEngine(buf: Uint8Array, pos: number, end: number): boolean {
    this.buf = buf;
    this.pos = pos;
    this.end = end;
    this.range = 510;
    this.offset = this.bits(9);
    return this.offset < 510;
  }

  /** Reads n (1..9) bits; zeros past the RBSP end (never stale bytes of an earlier, longer NAL unit). */
  bits(n: number): number {
    const p = this.pos;
    if (p >= this.end) {
      this.pos = p + n;
      return 0;
    }
    const i = p >>> 3;
    const b = this.buf;
    const w = ((b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!) & 0xffffff;
    this.pos = p + n;
    return (w >>> (24 - (p & 7) - n)) & ((1 << n) - 1);
  }

  /** DecodeDecision (§9.3.3.2.1) with context ctxIdx. */
  decision(ctxIdx: number): number {
    this.bins++;
    const s = this.state[ctxIdx]!;
    let p = s >> 1;
    let mps = s & 1;
    let range = this.range;
    const lps = RANGE_TAB_LPS[(p << 2) + ((range >> 6) & 3)]!;
    range -= lps;
    let bin: number;
    if (this.offset >= range) {
      bin = mps ^ 1;
      this.offset -= range;
      range = lps;
      if (p === 0) mps ^= 1;
      p = TRANS_IDX_LPS[p]!;
    } else {
      bin = mps;
      if (p < 62) p++;
    }
    this.state[ctxIdx] = (p << 1) | mps;
    // RenormD (§9.3.3.2.2) in one step: shift until codIRange ≥ 256.
    if (range < 256) {
      const n = Math.clz32(range) - 23;
      range <<= n;
      this.offset = (this.offset << n) | this.bits(n);
    }
    this.range = range;
    return bin;
  }

  /** DecodeBypass (§9.3.3.2.3). */
  bypass(): number {
    this.bins++;
    this.offset = (this.offset << 1) | this.bits(1);
    if (this.offset >= this.range) {
      this.offset -= this.range;
      return 1;
    }
    return 0;
  }

  /**
   * DecodeTerminate (§9.3.3.2.2.3). On 1 the engine stops without
   * renormalising: `pos` is then just past the last bit the encoder's flush
   * wrote, which is the rbsp_stop_one_bit at the end of a slice (§9.3.4.5).
   */
  terminate(): number {
    this.bins++;
    this.range -= 2;
    if (this.offset >= this.range) return 1;
    if (this.range < 256) {
      this.range <<= 1;
      this.offset = (this.offset << 1) | this.bits(1);
    }
    return 0;
  }
}
