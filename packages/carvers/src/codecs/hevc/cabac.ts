/**
 * The CABAC arithmetic decoding engine of ITU-T H.265 §9.3.4.3, over an RBSP.
 *
 * The spec's 9-bit ivlOffset is kept scaled by 7 bits inside `value`, with
 * up to 7 bits read ahead (the usual byte-wise formulation): `bitsNeeded`
 * counts up to the next byte fetch. consumedBits() gives the spec's position
 * (how many bits read_bits( ) would have returned), which is what tells
 * whether a slice ends exactly at its rbsp_stop_one_bit.
 */
import { HevcSyntaxError } from './bitstream.js';
import { RANGE_TAB_LPS, TRANS_IDX_LPS } from '../cabac-tables.js';
import { NUM_CONTEXTS } from './contexts.js';

/** Renormalisation shifts after an LPS, by ivlLpsRange >> 3 (RenormD of §9.3.4.3.3 done at once). */
const RENORM_SHIFT = Uint8Array.from([6, 5, 4, 4, 3, 3, 3, 3, 2, 2, 2, 2, 2, 2, 2, 2, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1]);

/** One CABAC decoder over an RBSP: engine registers plus the context states it updates. */
export class Cabac {
  private data: Uint8Array = new Uint8Array(0);
  /** Next RBSP byte to fetch (may run past `end`: bytes there read as 0 and count as consumed). */
  pos = 0;
  private end = 0;
  private value = 0;
  private range = 510;
  private bitsNeeded = -8;
  /** Bins decoded so far (decisions, bypass and terminate), to bound the work on hostile input. */
  bins = 0;
  /** Context states, pStateIdx << 1 | valMps. */
  readonly ctx = new Uint8Array(NUM_CONTEXTS);

  /**
   * Initialisation of the arithmetic decoding engine (§9.3.2.5) at RBSP byte
   * `from`. A conforming stream never starts with ivlOffset 510 or 511.
   */
  start(data: Uint8Array, from: number, end: number): void {
    this.data = data;
    this.end = end;
    this.pos = from;
    this.range = 510;
    this.value = (this.byte() << 8) | this.byte();
    this.bitsNeeded = -8;
    if (this.value >= 510 << 7) throw new HevcSyntaxError('ivlOffset is 510 or 511 at the engine initialisation');
  }

  private byte(): number {
    const p = this.pos++;
    return p < this.end ? this.data[p]! : 0;
  }

  /** Bits of the RBSP the spec's engine has read so far (9 at initialisation, one per renormalisation shift). */
  consumedBits(): number {
    return 8 * this.pos + 1 + this.bitsNeeded;
  }

  /** DecodeDecision (§9.3.4.3.2) with context ctxIdx, and the state transition of §9.3.4.3.2.2. */
  decision(ctxIdx: number): number {
    this.bins++;
    const s = this.ctx[ctxIdx]!;
    const pState = s >> 1;
    let mps = s & 1;
    const lps = RANGE_TAB_LPS[(pState << 2) + ((this.range >> 6) & 3)]!;
    this.range -= lps;
    const scaled = this.range << 7;
    if (this.value < scaled) {
      this.ctx[ctxIdx] = ((pState < 62 ? pState + 1 : 62) << 1) | mps;
      if (scaled < 256 << 7) {
        this.range = scaled >> 6;
        this.value <<= 1;
        if (++this.bitsNeeded === 0) {
          this.bitsNeeded = -8;
          this.value |= this.byte();
        }
      }
      return mps;
    }
    const bin = 1 - mps;
    const shift = RENORM_SHIFT[lps >> 3]!;
    this.value = (this.value - scaled) << shift;
    this.range = lps << shift;
    if (pState === 0) mps = 1 - mps;
    this.ctx[ctxIdx] = (TRANS_IDX_LPS[pState]! << 1) | mps;
    this.bitsNeeded += shift;
    if (this.bitsNeeded >= 0) {
      this.value |= this.byte() << this.bitsNeeded;
      this.bitsNeeded -= 8;
    }
    return bin;
  }

  /** DecodeBypass (§9.3.4.3.4). */
  bypass(): number {
    this.bins++;
    this.value <<= 1;
    if (++this.bitsNeeded >= 0) {
      this.bitsNeeded = -8;
      this.value |= this.byte();
    }
    const scaled = this.range << 7;
    if (this.value >= scaled) {
      this.value -= scaled;
      return 1;
    }
    return 0;
  }

  /** n bypass bins, most significant first (FL binarization, §9.3.3.5), n ≤ 30. */
  bypassBits(n: number): number {
    let v = 0;
    for (let i = 0; i < n; i++) v = (v << 1) | this.bypass();
    return v;
  }

  /** DecodeTerminate (§9.3.4.3.5). After a 1 the engine has read up to and including the flushed final bit. */
  terminate(): number {
    this.bins++;
    this.range -= 2;
    const scaled = this.range << 7;
    if (this.value >= scaled) return 1;
    if (scaled < 256 << 7) {
      this.range = scaled >> 6;
      this.value <<= 1;
      if (++this.bitsNeeded === 0) {
        this.bitsNeeded = -8;
        this.value |= this.byte();
      }
    }
    return 0;
  }
}
