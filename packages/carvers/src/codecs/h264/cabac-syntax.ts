/**
 * Macroblock-level syntax elements read with CABAC: binarizations of
 * ITU-T H.264 §9.3.2 and the ctxIdx / ctxIdxInc assignments of §9.3.3.1
 * (Table 9-34 offsets; Table 9-39 for bins past the first), frame
 * macroblocks only. Residual blocks (§7.3.5.3.3) are here too.
 */
import { CabacEngine } from './cabac.js';
import { LAST_8X8, SIG_8X8_FRAME } from './cabac-tables.js';
import { Cat, type Entropy } from './macroblock.js';
import { DC_CB, DC_CR, DC_LUMA, Kind, type MbState } from './neighbours.js';
import { SliceType } from './slice-header.js';

/** ctxBlockCatOffset (Table 9-40) for coded_block_flag, significance/last maps and coeff_abs_level_minus1, cat 0..4. */
const CBF_OFF = [0, 4, 8, 12, 16];
const SIG_OFF = [0, 15, 29, 44, 47];
const ABS_OFF = [0, 10, 20, 30, 39];
/** |mvd| bound: mvd_lX lies in −8192..8191.75 samples (§7.4.5.1), i.e. ±32768 quarter samples. */
const MAX_MVD = 32768;

/** CABAC reading of the macroblock syntax, over the state of the current slice. */
export class CabacSyntax extends CabacEngine implements Entropy {
  error = '';
  readonly cabac = true;
  sliceType: SliceType = SliceType.I;
  /** mb_qp_delta of the previous macroblock in decoding order (0 when absent), and of the current one. */
  private prevQpDelta = 0;
  private currQpDelta = 0;

  constructor(private readonly s: MbState) {
    super();
  }

  /** Starts a slice: no previous macroblock. */
  beginSlice(sliceType: SliceType): void {
    this.sliceType = sliceType;
    this.prevQpDelta = 0;
    this.currQpDelta = 0;
    this.bins = 0;
    this.error = '';
  }

  /** Moves on to the next macroblock in decoding order. */
  beginMb(): void {
    this.prevQpDelta = this.currQpDelta;
    this.currQpDelta = 0;
  }

  private failed(reason: string): false {
    this.error = reason;
    return false;
  }

  private fail(reason: string): -1 {
    this.error = reason;
    return -1;
  }

  /** mb_skip_flag (ctxIdx 11..13 in P, 24..26 in B): neighbours that were not skipped raise ctxIdxInc. */
  mbSkipFlag(): number {
    const s = this.s;
    const inc = (s.mbA >= 0 && s.kind[s.mbA] !== Kind.Skip ? 1 : 0) + (s.mbB >= 0 && s.kind[s.mbB] !== Kind.Skip ? 1 : 0);
    return this.decision((this.sliceType === SliceType.B ? 24 : 11) + inc);
  }

  mbType(): number {
    const s = this.s;
    const A = s.mbA;
    const B = s.mbB;
    if (this.sliceType === SliceType.I) {
      // ctxIdx 3..5: neighbours other than I_NxN raise ctxIdxInc (§9.3.3.1.1.3).
      const inc = (A >= 0 && s.kind[A] !== Kind.INxN ? 1 : 0) + (B >= 0 && s.kind[B] !== Kind.INxN ? 1 : 0);
      if (!this.decision(3 + inc)) return 0;
      return this.intraSuffix(3, true);
    }
    if (this.sliceType === SliceType.P) {
      // Table 9-37(b): prefix bins on ctxIdx 14..20.
      if (this.decision(14)) return 5 + this.intraPrefixed(17);
      if (!this.decision(15)) return 3 * this.decision(16);
      return 2 - this.decision(17);
    }
    // B slice, ctxIdx 27..35: B_Skip and B_Direct_16x16 neighbours do not raise ctxIdxInc.
    const inc = (A >= 0 && s.kind[A] !== Kind.Skip && s.kind[A] !== Kind.BDirect16x16 ? 1 : 0) + (B >= 0 && s.kind[B] !== Kind.Skip && s.kind[B] !== Kind.BDirect16x16 ? 1 : 0);
    if (!this.decision(27 + inc)) return 0;
    if (!this.decision(30)) return 1 + this.decision(32);
    let bits = this.decision(31) << 3;
    bits |= this.decision(32) << 2;
    bits |= this.decision(32) << 1;
    bits |= this.decision(32);
    if (bits < 8) return bits + 3;
    if (bits === 13) return 23 + this.intraPrefixed(32);
    if (bits === 14) return 11;
    if (bits === 15) return 22;
    return ((bits << 1) | this.decision(32)) - 4;
  }

  /** Intra mb_type as the suffix in P/B slices (prefix ctxIdx `base`, Table 9-39). */
  private intraPrefixed(base: number): number {
    if (!this.decision(base)) return 0;
    return this.intraSuffix(base, false);
  }

  /** The I mb_type bins after the first (Table 9-36): I_PCM via the terminate bin, else I_16x16 fields. */
  private intraSuffix(base: number, islice: boolean): number {
    if (this.terminate()) return 25;
    const k = islice ? 1 : 0;
    let t = 1 + 12 * this.decision(base + (islice ? 3 : 1));
    if (this.decision(base + (islice ? 4 : 2))) t += 4 + 4 * this.decision(base + 2 + 3 * k);
    t += 2 * this.decision(base + 3 + 3 * k);
    t += this.decision(base + 3 + 4 * k);
    return t;
  }

  subMbType(): number {
    if (this.sliceType === SliceType.P) {
      // ctxIdx 21..23 (Table 9-38).
      if (this.decision(21)) return 0;
      if (!this.decision(22)) return 1;
      return this.decision(23) ? 2 : 3;
    }
    // ctxIdx 36..39.
    if (!this.decision(36)) return 0;
    if (!this.decision(37)) return 1 + this.decision(39);
    let t = 3;
    if (this.decision(38)) {
      if (this.decision(39)) return 11 + this.decision(39);
      t += 4;
    }
    t += 2 * this.decision(39);
    return t + this.decision(39);
  }

  /** transform_size_8x8_flag (ctxIdx 399..401): neighbours using the 8x8 transform raise ctxIdxInc. */
  transformSize8x8Flag(): number {
    const s = this.s;
    const inc = (s.mbA >= 0 && s.transform8x8[s.mbA] ? 1 : 0) + (s.mbB >= 0 && s.transform8x8[s.mbB] ? 1 : 0);
    return this.decision(399 + inc);
  }

  /** prev_intra4x4/8x8_pred_mode_flag (ctxIdx 68) and rem_intra_pred_mode (three bins, ctxIdx 69). */
  intraPredModes(n: number): boolean {
    for (let i = 0; i < n; i++) {
      if (!this.decision(68)) {
        this.decision(69);
        this.decision(69);
        this.decision(69);
      }
    }
    return true;
  }

  /** intra_chroma_pred_mode, TU cMax 3 (ctxIdx 64..67): neighbours with a non-DC chroma mode raise ctxIdxInc. */
  intraChromaPredMode(): number {
    const s = this.s;
    // Inter and I_PCM neighbours keep mode 0 in the state, which is the rule's "condTermFlagN = 0".
    const inc = (s.mbA >= 0 && s.intraChromaPredMode[s.mbA] !== 0 ? 1 : 0) + (s.mbB >= 0 && s.intraChromaPredMode[s.mbB] !== 0 ? 1 : 0);
    if (!this.decision(64 + inc)) return 0;
    if (!this.decision(67)) return 1;
    return this.decision(67) ? 3 : 2;
  }

  /** ref_idx_lX, unary (ctxIdx 54..59): neighbouring partitions with ref_idx > 0 raise ctxIdxInc (§9.3.3.1.1.6). */
  refIdx(list: number, x: number, y: number, numActive: number): number {
    const s = this.s;
    let ctx = 54 + (s.refLeft(list, x, y) > 0 ? 1 : 0) + (s.refAbove(list, x, y) > 0 ? 2 : 0);
    let ref = 0;
    while (this.decision(ctx)) {
      if (++ref >= numActive) return this.fail('ref_idx beyond num_ref_idx_active');
      ctx = ref === 1 ? 58 : 59;
    }
    return ref;
  }

  /** mvd_lX, UEG3 with uCoff 9 (ctxIdx 40..46 / 47..53); ctxIdxInc from the neighbours' absMvdComp sum (§9.3.3.1.1.7). */
  mvd(list: number, comp: number, x: number, y: number): number {
    const s = this.s;
    const sum = s.mvdLeft(list, comp, x, y) + s.mvdAbove(list, comp, x, y);
    const base = comp === 0 ? 40 : 47;
    if (!this.decision(base + (sum < 3 ? 0 : sum > 32 ? 2 : 1))) return 0;
    let v = 1;
    let ctx = base + 3;
    while (v < 9 && this.decision(ctx)) {
      if (v < 4) ctx++;
      v++;
    }
    if (v >= 9) {
      let k = 3;
      while (this.bypass()) {
        v += 1 << k;
        if (++k > 16) return (this.fail('mvd suffix too long'), NaN);
      }
      while (k-- > 0) v += this.bypass() << k;
      if (v > MAX_MVD) return (this.fail('mvd out of range'), NaN);
    }
    return this.bypass() ? -v : v;
  }

  /** coded_block_pattern: four luma bins (ctxIdx 73..76), chroma TU cMax 2 (77..84) (§9.3.3.1.1.4). */
  codedBlockPattern(): number {
    const s = this.s;
    const a = s.mbA;
    const b = s.mbB;
    // Unavailable neighbours count as "coded" for luma (condTermFlagN = 0); I_PCM stores luma 15.
    const ca = a >= 0 ? s.cbp[a]! : 0x0f;
    const cb = b >= 0 ? s.cbp[b]! : 0x0f;
    let cbp = this.decision(73 + ((ca >> 1) & 1 ? 0 : 1) + ((cb >> 2) & 1 ? 0 : 2));
    cbp |= this.decision(73 + (cbp & 1 ? 0 : 1) + ((cb >> 3) & 1 ? 0 : 2)) << 1;
    cbp |= this.decision(73 + ((ca >> 3) & 1 ? 0 : 1) + (cbp & 1 ? 0 : 2)) << 2;
    cbp |= this.decision(73 + ((cbp >> 2) & 1 ? 0 : 1) + ((cbp >> 1) & 1 ? 0 : 2)) << 3;
    if (s.chromaBlocks === 0) return cbp;
    const xa = a >= 0 ? s.cbp[a]! >> 4 : 0;
    const xb = b >= 0 ? s.cbp[b]! >> 4 : 0;
    if (!this.decision(77 + (xa > 0 ? 1 : 0) + (xb > 0 ? 2 : 0))) return cbp;
    return cbp | ((1 + this.decision(81 + (xa === 2 ? 1 : 0) + (xb === 2 ? 2 : 0))) << 4);
  }

  /** mb_qp_delta, unary over ctxIdx 60..63; ctxIdxInc of the first bin from the previous macroblock's delta. */
  mbQpDelta(): number {
    if (!this.decision(60 + (this.prevQpDelta !== 0 ? 1 : 0))) return 0;
    let k = 1;
    let ctx = 62;
    while (this.decision(ctx)) {
      if (++k > 52) return (this.fail('mb_qp_delta too long'), NaN);
      ctx = 63;
    }
    const v = k & 1 ? (k + 1) >> 1 : -(k >> 1);
    this.currQpDelta = v;
    return v;
  }

  /** residual_block_cabac() (§7.3.5.3.3): coded_block_flag, significance map, levels. Returns the coefficient count. */
  residual(cat: Cat, comp: number, blk: number, maxNumCoeff: number): number {
    const s = this.s;
    const a = s.curr;
    if (cat !== Cat.Luma8x8) {
      if (!this.codedBlockFlag(cat, comp, blk)) return 0;
    } else {
      // 4:2:0 / 4:2:2: the 8x8 block's coded_block_flag is inferred 1 (§7.4.5.3.3); its 4x4 blocks count as coded.
      const x = (blk & 1) * 2;
      const y = (blk >> 1) * 2;
      const o = a * 16 + y * 4 + x;
      s.nzY[o] = s.nzY[o + 1] = s.nzY[o + 4] = s.nzY[o + 5] = 1;
    }
    let sig: number;
    let last: number;
    let abs: number;
    if (cat === Cat.Luma8x8) {
      sig = 402;
      last = 417;
      abs = 426;
    } else {
      sig = 105 + SIG_OFF[cat]!;
      last = 166 + SIG_OFF[cat]!;
      abs = 227 + ABS_OFF[cat]!;
    }
    const shift = cat === Cat.ChromaDC && s.chromaBlocks === 8 ? 1 : 0;
    let count = 0;
    let i = 0;
    const n1 = maxNumCoeff - 1;
    for (; i < n1; i++) {
      const inc = cat === Cat.Luma8x8 ? SIG_8X8_FRAME[i]! : cat === Cat.ChromaDC ? Math.min(i >> shift, 2) : i;
      if (this.decision(sig + inc)) {
        count++;
        if (this.decision(last + (cat === Cat.Luma8x8 ? LAST_8X8[i]! : inc))) break;
      }
    }
    if (i === n1) count++;
    // coeff_abs_level_minus1: prefix TU cMax 14 (ctxIdxInc by the levels decoded so far, §9.3.3.1.3), UEG0 suffix; then the sign.
    let gt1 = 0;
    let eq1 = 0;
    const gtMax = cat === Cat.ChromaDC ? 3 : 4;
    for (let k = 0; k < count; k++) {
      if (!this.decision(abs + (gt1 !== 0 ? 0 : Math.min(4, 1 + eq1)))) {
        eq1++;
      } else {
        const ctx = abs + 5 + Math.min(gtMax, gt1);
        let prefix = 1;
        while (prefix < 14 && this.decision(ctx)) prefix++;
        if (prefix === 14) {
          let e = 0;
          while (this.bypass()) if (++e > 16) return this.fail('coeff_abs_level_minus1 suffix too long');
          while (e-- > 0) this.bypass();
        }
        gt1++;
      }
      this.bypass();
    }
    return count;
  }

  /** coded_block_flag (ctxIdx 85..104) with ctxIdxInc from the neighbouring blocks (§9.3.3.1.1.9); records the flag. */
  private codedBlockFlag(cat: Cat, comp: number, blk: number): number {
    const s = this.s;
    const a = s.curr;
    const k = s.kind[a]!;
    // Unavailable neighbours: 1 for an intra macroblock, 0 for an inter one.
    const na = k === Kind.INxN || k === Kind.I16x16 ? 1 : 0;
    let fa: number;
    let fb: number;
    if (cat === Cat.LumaDC || cat === Cat.ChromaDC) {
      const bit = cat === Cat.LumaDC ? DC_LUMA : comp === 0 ? DC_CB : DC_CR;
      fa = s.mbA < 0 ? na : s.dcCbf[s.mbA]! & bit ? 1 : 0;
      fb = s.mbB < 0 ? na : s.dcCbf[s.mbB]! & bit ? 1 : 0;
    } else if (cat === Cat.ChromaAC) {
      const x = blk & 1;
      const y = blk >> 1;
      const l = s.chromaLeft(comp, x, y);
      const t = s.chromaAbove(comp, x, y);
      fa = l < 0 ? na : l !== 0 ? 1 : 0;
      fb = t < 0 ? na : t !== 0 ? 1 : 0;
    } else {
      const x = blk & 3;
      const y = blk >> 2;
      const l = s.lumaLeft(x, y);
      const t = s.lumaAbove(x, y);
      fa = l < 0 ? na : l !== 0 ? 1 : 0;
      fb = t < 0 ? na : t !== 0 ? 1 : 0;
    }
    const f = this.decision(85 + CBF_OFF[cat]! + fa + 2 * fb);
    if (f) {
      if (cat === Cat.LumaDC) s.dcCbf[a] |= DC_LUMA;
      else if (cat === Cat.ChromaDC) s.dcCbf[a] |= comp === 0 ? DC_CB : DC_CR;
      else if (cat === Cat.ChromaAC) s.nzC[a * 16 + comp * 8 + blk] = 1;
      else s.nzY[a * 16 + blk] = 1;
    }
    return f;
  }

  /** The samples of an I_PCM macroblock (8-bit), then the engine restarts (§9.3.1.2). */
  pcm(): boolean {
    // pcm_alignment_zero_bits up to the byte boundary. Encoders flush CABAC differently before
    // the samples (see the flush gap in slice.ts), so those bits are not checked.
    this.pos = (this.pos + 7) & ~7;
    this.pos += 8 * (256 + 2 * 16 * this.s.chromaBlocks);
    if (this.pos > this.end) return this.failed('I_PCM samples run past the slice');
    this.currQpDelta = 0;
    if (!this.initEngine(this.buf, this.pos, this.end)) return this.failed('codIOffset 510/511 after I_PCM');
    return true;
  }
}
