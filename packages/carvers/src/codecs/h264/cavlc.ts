/**
 * Macroblock-level syntax elements read with Exp-Golomb codes and CAVLC
 * (ITU-T H.264 §7.3.5 descriptors ue/se/te/me, residual_block_cavlc()
 * §7.3.5.3.2 with the code tables of §9.2). Each VLC table becomes a
 * lookup on the next `maxLen` bits, built once at module load.
 */
import type { BitReader } from './bitstream.js';
import {
  CBP_INTER, CBP_INTRA, CHROMA422_DC_COEFF_TOKEN_CODE, CHROMA422_DC_COEFF_TOKEN_LEN, CHROMA422_DC_TOTAL_ZEROS_CODE, CHROMA422_DC_TOTAL_ZEROS_LEN,
  CHROMA_DC_COEFF_TOKEN_CODE, CHROMA_DC_COEFF_TOKEN_LEN, CHROMA_DC_TOTAL_ZEROS_CODE, CHROMA_DC_TOTAL_ZEROS_LEN, COEFF_TOKEN_CODE, COEFF_TOKEN_LEN,
  RUN_BEFORE_CODE, RUN_BEFORE_LEN, TOTAL_ZEROS_CODE, TOTAL_ZEROS_LEN,
} from './cavlc-tables.js';
import { Cat, type Entropy } from './macroblock.js';
import type { MbState } from './neighbours.js';
import { SliceType } from './slice-header.js';

/** A prefix-code lookup: entry (value << 5 | length) for every `maxLen`-bit window; 0 where no code matches. */
interface Vlc {
  maxLen: number;
  lut: Uint16Array;
}

function buildVlc(len: Uint8Array, code: Uint8Array, from: number, count: number): Vlc {
  let maxLen = 1;
  for (let i = 0; i < count; i++) maxLen = Math.max(maxLen, len[from + i]!);
  const lut = new Uint16Array(1 << maxLen);
  for (let i = 0; i < count; i++) {
    const l = len[from + i]!;
    if (l === 0) continue;
    const first = code[from + i]! << (maxLen - l);
    lut.fill((i << 5) | l, first, first + (1 << (maxLen - l)));
  }
  return { maxLen, lut };
}

/** coeff_token by table (0 ≤ nC < 2, 2 ≤ nC < 4, 4 ≤ nC < 8, 8 ≤ nC), then nC = −1, nC = −2 (Table 9-5). */
const COEFF_TOKEN = [0, 1, 2, 3].map((t) => buildVlc(COEFF_TOKEN_LEN, COEFF_TOKEN_CODE, t * 68, 68));
const COEFF_TOKEN_DC420 = buildVlc(CHROMA_DC_COEFF_TOKEN_LEN, CHROMA_DC_COEFF_TOKEN_CODE, 0, 20);
const COEFF_TOKEN_DC422 = buildVlc(CHROMA422_DC_COEFF_TOKEN_LEN, CHROMA422_DC_COEFF_TOKEN_CODE, 0, 36);
/** total_zeros by tzVlcIndex − 1 (Tables 9-7, 9-8, 9-9). */
const TOTAL_ZEROS = Array.from({ length: 15 }, (_, i) => buildVlc(TOTAL_ZEROS_LEN, TOTAL_ZEROS_CODE, i * 16, 16 - i));
const TOTAL_ZEROS_DC420 = Array.from({ length: 3 }, (_, i) => buildVlc(CHROMA_DC_TOTAL_ZEROS_LEN, CHROMA_DC_TOTAL_ZEROS_CODE, i * 4, 4 - i));
const TOTAL_ZEROS_DC422 = Array.from({ length: 7 }, (_, i) => buildVlc(CHROMA422_DC_TOTAL_ZEROS_LEN, CHROMA422_DC_TOTAL_ZEROS_CODE, i * 8, 8 - i));
/** run_before by min(zerosLeft, 7) − 1 (Table 9-10). */
const RUN_BEFORE = Array.from({ length: 7 }, (_, i) => buildVlc(RUN_BEFORE_LEN, RUN_BEFORE_CODE, i * 16, i < 6 ? i + 2 : 15));
/** Table 9-4 for ChromaArrayType 0 (and 3): codeNum → coded_block_pattern. */
const CBP_INTRA_MONO = new Uint8Array([15, 0, 7, 11, 13, 14, 3, 5, 10, 12, 1, 2, 4, 8, 6, 9]);
const CBP_INTER_MONO = new Uint8Array([0, 1, 2, 4, 8, 3, 5, 10, 12, 15, 7, 11, 13, 14, 6, 9]);
/** Profiles without FRExt limit level_prefix to 15 (§9.2.2.1). */
const BASE_PROFILES = new Set([66, 77, 88]);

/** CAVLC reading of the macroblock syntax. */
export class CavlcSyntax implements Entropy {
  error = '';
  readonly cabac = false;
  sliceType: SliceType = SliceType.I;
  /** Largest level_prefix the profile allows. */
  maxLevelPrefix = 15;

  constructor(private readonly s: MbState, private readonly r: BitReader) {}

  beginSlice(sliceType: SliceType, profileIdc: number): void {
    this.sliceType = sliceType;
    this.error = '';
    // 8-bit FRExt streams stay far below 2^15 levels; a prefix above 25 cannot code a legal level.
    this.maxLevelPrefix = BASE_PROFILES.has(profileIdc) ? 15 : 25;
  }

  private failed(reason: string): false {
    this.error = reason;
    return false;
  }

  private fail(reason: string): -1 {
    this.error = reason;
    return -1;
  }

  /** Reads one code of `v`; −1 when the bits match no code. */
  private vlc(v: Vlc): number {
    const e = v.lut[this.r.peek(v.maxLen)]!;
    if (e === 0) return -1;
    this.r.skip(e & 31);
    return e >> 5;
  }

  mbType(): number {
    const t = this.r.ue();
    const max = this.sliceType === SliceType.I ? 25 : this.sliceType === SliceType.P ? 30 : 48;
    return t < 0 || t > max ? this.fail('mb_type out of range') : t;
  }

  subMbType(): number {
    const t = this.r.ue();
    return t < 0 || t > (this.sliceType === SliceType.P ? 3 : 12) ? this.fail('sub_mb_type out of range') : t;
  }

  transformSize8x8Flag(): number {
    return this.r.u1();
  }

  intraPredModes(n: number): boolean {
    // prev_intra_pred_mode_flag u(1), then rem_intra_pred_mode u(3) when it is 0.
    for (let i = 0; i < n; i++) if (!this.r.u1()) this.r.skip(3);
    return true;
  }

  intraChromaPredMode(): number {
    const m = this.r.ue();
    return m < 0 || m > 3 ? this.fail('intra_chroma_pred_mode out of range') : m;
  }

  /** ref_idx_lX te(v) with range 0..numActive − 1 (§9.1.2). */
  refIdx(_list: number, _x: number, _y: number, numActive: number): number {
    const v = this.r.te(numActive - 1);
    return v < 0 || v >= numActive ? this.fail('ref_idx out of range') : v;
  }

  mvd(): number {
    const v = this.r.se();
    if (!(v >= -32768 && v <= 32767)) {
      this.error = 'mvd out of range';
      return NaN;
    }
    return v;
  }

  /** coded_block_pattern me(v) (§9.1.2, Table 9-4). */
  codedBlockPattern(intra: boolean): number {
    const k = this.r.ue();
    if (this.s.chromaBlocks === 0) {
      if (k < 0 || k > 15) return this.fail('coded_block_pattern out of range');
      return (intra ? CBP_INTRA_MONO : CBP_INTER_MONO)[k]!;
    }
    if (k < 0 || k > 47) return this.fail('coded_block_pattern out of range');
    const c = (intra ? CBP_INTRA : CBP_INTER)[k]!;
    return (c & 15) | ((c >> 4) << 4);
  }

  mbQpDelta(): number {
    return this.r.se();
  }

  /** residual_block_cavlc() (§7.3.5.3.2). Returns TotalCoeff, −1 on error; records it for later nC. */
  residual(cat: Cat, comp: number, blk: number, maxNumCoeff: number): number {
    const s = this.s;
    const r = this.r;
    let tokenVlc: Vlc;
    if (cat === Cat.ChromaDC) {
      tokenVlc = maxNumCoeff === 4 ? COEFF_TOKEN_DC420 : COEFF_TOKEN_DC422;
    } else {
      // nC from the neighbouring blocks' TotalCoeff (§9.2.1).
      let nA: number;
      let nB: number;
      if (cat === Cat.ChromaAC) {
        nA = s.chromaLeft(comp, blk & 1, blk >> 1);
        nB = s.chromaAbove(comp, blk & 1, blk >> 1);
      } else {
        nA = s.lumaLeft(blk & 3, blk >> 2);
        nB = s.lumaAbove(blk & 3, blk >> 2);
      }
      const nC = nA >= 0 && nB >= 0 ? (nA + nB + 1) >> 1 : nA >= 0 ? nA : nB >= 0 ? nB : 0;
      tokenVlc = COEFF_TOKEN[nC < 2 ? 0 : nC < 4 ? 1 : nC < 8 ? 2 : 3]!;
    }
    const token = this.vlc(tokenVlc);
    if (token < 0) return this.fail('no coeff_token matches');
    const totalCoeff = token >> 2;
    const trailingOnes = token & 3;
    if (totalCoeff > maxNumCoeff) return this.fail('TotalCoeff exceeds the block size');
    if (cat === Cat.ChromaAC) s.nzC[s.curr * 16 + comp * 8 + blk] = totalCoeff;
    else if (cat !== Cat.ChromaDC && cat !== Cat.LumaDC) s.nzY[s.curr * 16 + blk] = totalCoeff;
    if (totalCoeff === 0) return 0;
    r.skip(trailingOnes); // trailing_ones_sign_flag
    let suffixLength = totalCoeff > 10 && trailingOnes < 3 ? 1 : 0;
    for (let i = trailingOnes; i < totalCoeff; i++) {
      // level_prefix: leading zero bits (§9.2.2.1).
      let prefix = 0;
      while (r.u1() === 0) {
        if (++prefix > this.maxLevelPrefix || r.overrun) return this.fail('level_prefix too long');
      }
      let levelCode = Math.min(15, prefix) << suffixLength;
      if (suffixLength > 0 || prefix >= 14) {
        const size = prefix === 14 && suffixLength === 0 ? 4 : prefix >= 15 ? prefix - 3 : suffixLength;
        if (size > 0) levelCode += r.u(size);
      }
      if (prefix >= 15 && suffixLength === 0) levelCode += 15;
      if (prefix >= 16) levelCode += (1 << (prefix - 3)) - 4096;
      if (i === trailingOnes && trailingOnes < 3) levelCode += 2;
      const absLevel = (levelCode + 2) >> 1;
      if (suffixLength === 0) suffixLength = 1;
      if (absLevel > 3 << (suffixLength - 1) && suffixLength < 6) suffixLength++;
    }
    let zerosLeft = 0;
    if (totalCoeff < maxNumCoeff) {
      const tables = cat === Cat.ChromaDC ? (maxNumCoeff === 4 ? TOTAL_ZEROS_DC420 : TOTAL_ZEROS_DC422) : TOTAL_ZEROS;
      zerosLeft = this.vlc(tables[totalCoeff - 1]!);
      if (zerosLeft < 0) return this.fail('no total_zeros code matches');
      if (zerosLeft > maxNumCoeff - totalCoeff) return this.fail('total_zeros exceeds the block size');
    }
    for (let i = 0; i < totalCoeff - 1 && zerosLeft > 0; i++) {
      const run = this.vlc(RUN_BEFORE[Math.min(zerosLeft, 7) - 1]!);
      if (run < 0 || run > zerosLeft) return this.fail('run_before out of range');
      zerosLeft -= run;
    }
    return totalCoeff;
  }

  /** pcm_alignment_zero_bit and the 8-bit samples of an I_PCM macroblock. */
  pcm(): boolean {
    const r = this.r;
    while (!r.byteAligned()) if (r.u1() !== 0) return this.failed('pcm_alignment_zero_bit is 1');
    r.skip(8 * (256 + 2 * 16 * this.s.chromaBlocks));
    return true;
  }
}
