/**
 * macroblock_layer() of ITU-T H.264 §7.3.5 (with mb_pred §7.3.5.1,
 * sub_mb_pred §7.3.5.2 and residual §7.3.5.3) for frame macroblocks,
 * written once over an `Entropy` that reads each syntax element either
 * with CAVLC (§9.2) or CABAC (§9.3). Partition shapes and prediction lists
 * come from Tables 7-11 to 7-14 and 7-17, 7-18.
 */
import { BLK_RASTER, Kind, type MbState } from './neighbours.js';
import { SliceType, type SliceHeader } from './slice-header.js';

/** Residual block categories (ctxBlockCat, Table 9-42); CAVLC uses the same numbering. */
export enum Cat { LumaDC = 0, LumaAC = 1, Luma4x4 = 2, ChromaDC = 3, ChromaAC = 4, Luma8x8 = 5 }

/**
 * One entropy coder's reading of the macroblock syntax elements. Methods
 * return −1 (or NaN for signed values) on a syntax error, after recording
 * the reason in `error`.
 */
export interface Entropy {
  error: string;
  readonly cabac: boolean;
  /** mb_type in the numbering of the current slice type (Tables 7-11, 7-13, 7-14). */
  mbType(): number;
  /** sub_mb_type (Tables 7-17, 7-18). */
  subMbType(): number;
  transformSize8x8Flag(): number;
  /** n pairs of prev_intra_pred_mode_flag / rem_intra_pred_mode; false on error. */
  intraPredModes(n: number): boolean;
  intraChromaPredMode(): number;
  /** ref_idx_lX of the partition whose top-left 4x4 block is (x, y); `numActive` ≥ 2. */
  refIdx(list: number, x: number, y: number, numActive: number): number;
  /** mvd_lX[comp] of the partition whose top-left 4x4 block is (x, y). */
  mvd(list: number, comp: number, x: number, y: number): number;
  /** coded_block_pattern: luma bits 0..3, chroma in bits 4..5. */
  codedBlockPattern(intra: boolean): number;
  mbQpDelta(): number;
  /**
   * residual_block() of category `cat` for chroma component `comp`, block
   * `blk` (raster index for luma 4x4, 8x8 index for Luma8x8, 2-wide raster
   * for chroma AC), with `maxNumCoeff` coefficients. Returns the number of
   * non-zero coefficients, −1 on error.
   */
  residual(cat: Cat, comp: number, blk: number, maxNumCoeff: number): number;
  /** pcm_alignment_zero_bit and the samples of an I_PCM macroblock. */
  pcm(): boolean;
}

/** P partitions (Table 7-13), by mb_type 0..4: count, width and height in 4x4 blocks. */
const P_PARTS = [1, 2, 2, 4, 4];
const P_W = [4, 4, 2, 2, 2];
const P_H = [4, 2, 4, 2, 2];
/** B mb_type 1..21 (Table 7-14): lists of partition 0 and 1 (1 = L0, 2 = L1, 3 = Bi). */
const B_PRED0 = [0, 1, 2, 3, 1, 1, 2, 2, 1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 3, 3, 3, 3];
const B_PRED1 = [0, 0, 0, 0, 1, 1, 2, 2, 2, 2, 1, 1, 3, 3, 3, 3, 1, 1, 2, 2, 3, 3];
/** B sub_mb_type (Table 7-18): lists (0 = direct) and shape (0 8x8, 1 8x4, 2 4x8, 3 4x4). */
const B_SUB_PRED = [0, 1, 2, 3, 1, 1, 2, 2, 3, 3, 1, 2, 3];
const B_SUB_SHAPE = [0, 0, 0, 0, 1, 2, 1, 2, 1, 2, 3, 3, 3];
/** Sub-partitions by shape: count, width, height (4x4 blocks). */
const SUB_N = [1, 2, 2, 4];
const SUB_W = [2, 2, 1, 1];
const SUB_H = [2, 1, 2, 1];

/** Reusable per-macroblock scratch (no allocation per macroblock). */
const subType = new Int32Array(4);
const subPred = new Int32Array(4);

/** Parses one macroblock_layer() of the current macroblock `s.curr`. False on a syntax error (reason in `e.error`). */
export function macroblockLayer(s: MbState, e: Entropy, h: SliceHeader): boolean {
  const a = s.curr;
  const t = e.mbType();
  if (t < 0) return false;
  const st = h.sliceType;
  const pps = h.pps;
  const intraT = st === SliceType.I ? t : st === SliceType.P ? t - 5 : t - 23;
  let cbp: number;
  let noSubMbPartSizeLessThan8x8 = true;
  if (intraT >= 0) {
    if (intraT > 25) return fail(e, 'mb_type out of range');
    if (intraT === 25) {
      s.markPcm();
      return e.pcm();
    }
    const chroma = s.chromaBlocks > 0;
    if (intraT === 0) {
      s.kind[a] = Kind.INxN;
      let t8 = 0;
      if (pps.transform8x8Mode && (t8 = e.transformSize8x8Flag()) < 0) return false;
      s.transform8x8[a] = t8;
      if (!e.intraPredModes(t8 ? 4 : 16)) return false;
      if (chroma && !chromaPred(s, e)) return false;
      cbp = e.codedBlockPattern(true);
      if (cbp < 0) return false;
    } else {
      s.kind[a] = Kind.I16x16;
      if (chroma && !chromaPred(s, e)) return false;
      cbp = (intraT >= 13 ? 15 : 0) | ((((intraT - 1) >> 2) % 3) << 4);
      if (!chroma && cbp > 15) return fail(e, 'chroma coded in a monochrome picture');
    }
  } else {
    s.kind[a] = Kind.Inter;
    const ok = st === SliceType.P ? interP(s, e, h, t) : interB(s, e, h, t);
    if (ok < 0) return false;
    noSubMbPartSizeLessThan8x8 = ok === 1;
    cbp = e.codedBlockPattern(false);
    if (cbp < 0) return false;
    if ((cbp & 15) !== 0 && pps.transform8x8Mode && noSubMbPartSizeLessThan8x8 && (s.kind[a] !== Kind.BDirect16x16 || h.sps.direct8x8Inference)) {
      const t8 = e.transformSize8x8Flag();
      if (t8 < 0) return false;
      s.transform8x8[a] = t8;
    }
  }
  s.cbp[a] = cbp;
  const i16 = s.kind[a] === Kind.I16x16;
  if (cbp === 0 && !i16) return true;
  const dqp = e.mbQpDelta();
  // §7.4.5: −(26 + QpBdOffsetY / 2) .. 25 + QpBdOffsetY / 2, 8-bit video.
  if (!(dqp >= -26 && dqp <= 25)) return e.error ? false : fail(e, 'mb_qp_delta out of range');
  return residual(s, e, i16, cbp);
}

function fail(e: Entropy, reason: string): false {
  e.error = reason;
  return false;
}

function chromaPred(s: MbState, e: Entropy): boolean {
  const m = e.intraChromaPredMode();
  if (m < 0) return false;
  s.intraChromaPredMode[s.curr] = m;
  return true;
}

/** mb_pred / sub_mb_pred of a P macroblock. Returns −1 on error, else noSubMbPartSizeLessThan8x8Flag. */
function interP(s: MbState, e: Entropy, h: SliceHeader, t: number): number {
  const nRef = h.numRefIdxL0Active;
  if (t < 3) return partitions(s, e, nRef, 0, P_PARTS[t]!, P_W[t]!, P_H[t]!, 1, 1) ? 1 : -1;
  let noSmall = 1;
  for (let i = 0; i < 4; i++) {
    const st = e.subMbType();
    if (st < 0 || st > 3) return st < 0 ? -1 : (fail(e, 'P sub_mb_type out of range'), -1);
    subType[i] = st;
    subPred[i] = 1;
    if (st !== 0) noSmall = 0;
  }
  // P_8x8ref0 (CAVLC mb_type 4): every ref_idx_l0 is inferred 0.
  return subPartitions(s, e, h, t === 4 ? 1 : nRef, 0, SUB_SHAPE_P) ? noSmall : -1;
}

const SUB_SHAPE_P = [0, 1, 2, 3];

/** mb_pred / sub_mb_pred of a B macroblock. Returns −1 on error, else noSubMbPartSizeLessThan8x8Flag. */
function interB(s: MbState, e: Entropy, h: SliceHeader, t: number): number {
  if (t === 0) {
    s.kind[s.curr] = Kind.BDirect16x16;
    return h.sps.direct8x8Inference ? 1 : 0;
  }
  if (t < 22) {
    const parts = t < 4 ? 1 : 2;
    const w = t < 4 || (t & 1) === 0 ? 4 : 2;
    const hgt = t < 4 || (t & 1) === 1 ? 4 : 2;
    return partitions(s, e, h.numRefIdxL0Active, h.numRefIdxL1Active, parts, w, hgt, B_PRED0[t]!, B_PRED1[t]!) ? 1 : -1;
  }
  if (t !== 22) return fail(e, 'B mb_type out of range'), -1;
  let noSmall = 1;
  for (let i = 0; i < 4; i++) {
    const st = e.subMbType();
    if (st < 0 || st > 12) return st < 0 ? -1 : (fail(e, 'B sub_mb_type out of range'), -1);
    subType[i] = st;
    subPred[i] = B_SUB_PRED[st]!;
    if (st === 0 ? !h.sps.direct8x8Inference : B_SUB_SHAPE[st] !== 0) noSmall = 0;
  }
  return subPartitions(s, e, h, h.numRefIdxL0Active, h.numRefIdxL1Active, B_SUB_SHAPE) ? noSmall : -1;
}

/** ref_idx and mvd of up to two macroblock partitions (§7.3.5.1) with lists pred0 / pred1. */
function partitions(s: MbState, e: Entropy, nRef0: number, nRef1: number, parts: number, w: number, h: number, pred0: number, pred1: number): boolean {
  // Partition 1 sits right of partition 0 for 8x16, below it for 16x8.
  const x1 = w === 2 ? 2 : 0;
  const y1 = h === 2 ? 2 : 0;
  for (let l = 0; l < 2; l++) {
    const nRef = l === 0 ? nRef0 : nRef1;
    for (let p = 0; p < parts; p++) {
      if (((p === 0 ? pred0 : pred1) & (1 << l)) === 0) continue;
      const x = p === 0 ? 0 : x1;
      const y = p === 0 ? 0 : y1;
      const r = nRef > 1 ? e.refIdx(l, x, y, nRef) : 0;
      if (r < 0) return false;
      s.setRef(l, x, y, w, h, r);
    }
  }
  for (let l = 0; l < 2; l++) {
    for (let p = 0; p < parts; p++) {
      if (((p === 0 ? pred0 : pred1) & (1 << l)) === 0) continue;
      const x = p === 0 ? 0 : x1;
      const y = p === 0 ? 0 : y1;
      if (!mvdPair(s, e, l, x, y, w, h)) return false;
    }
  }
  return true;
}

/** ref_idx and mvd of the four sub-macroblocks (§7.3.5.2), types in subType / subPred. */
function subPartitions(s: MbState, e: Entropy, h: SliceHeader, nRef0: number, nRef1: number, shapes: readonly number[]): boolean {
  for (let l = 0; l < 2; l++) {
    const nRef = l === 0 ? nRef0 : nRef1;
    for (let i = 0; i < 4; i++) {
      if ((subPred[i]! & (1 << l)) === 0) continue;
      const x = (i & 1) * 2;
      const y = (i >> 1) * 2;
      const r = nRef > 1 ? e.refIdx(l, x, y, nRef) : 0;
      if (r < 0) return false;
      s.setRef(l, x, y, 2, 2, r);
    }
  }
  for (let l = 0; l < 2; l++) {
    for (let i = 0; i < 4; i++) {
      if ((subPred[i]! & (1 << l)) === 0) continue;
      const shape = shapes[subType[i]!]!;
      const w = SUB_W[shape]!;
      const hh = SUB_H[shape]!;
      for (let k = 0; k < SUB_N[shape]!; k++) {
        // Sub-partitions in raster order inside the 8x8 block.
        const x = (i & 1) * 2 + (w === 1 ? k & 1 : 0);
        const y = (i >> 1) * 2 + (hh === 1 ? (w === 1 ? k >> 1 : k) : 0);
        if (!mvdPair(s, e, l, x, y, w, hh)) return false;
      }
    }
  }
  void h;
  return true;
}

/** mvd_lX[0] and [1] of one partition, recorded for later ctxIdxInc derivations. */
function mvdPair(s: MbState, e: Entropy, l: number, x: number, y: number, w: number, h: number): boolean {
  const mx = e.mvd(l, 0, x, y);
  if (Number.isNaN(mx)) return false;
  const my = e.mvd(l, 1, x, y);
  if (Number.isNaN(my)) return false;
  s.setMvd(l, x, y, w, h, mx, my);
  return true;
}

/** residual() (§7.3.5.3) for 4:2:0 / 4:2:2 / monochrome, startIdx 0, endIdx 15. */
function residual(s: MbState, e: Entropy, i16: boolean, cbp: number): boolean {
  const t8 = s.transform8x8[s.curr] === 1;
  if (i16 && e.residual(Cat.LumaDC, 0, 0, 16) < 0) return false;
  for (let b8 = 0; b8 < 4; b8++) {
    if ((cbp & (1 << b8)) === 0) continue;
    if (t8 && e.cabac) {
      if (e.residual(Cat.Luma8x8, 0, b8, 64) < 0) return false;
      continue;
    }
    // CAVLC codes an 8x8 transform block as four interleaved 4x4 blocks (§7.3.5.3.2).
    for (let b4 = 0; b4 < 4; b4++) {
      const blk = BLK_RASTER[b8 * 4 + b4]!;
      if (e.residual(i16 ? Cat.LumaAC : Cat.Luma4x4, 0, blk, i16 ? 15 : 16) < 0) return false;
    }
  }
  const cbpC = cbp >> 4;
  if (cbpC === 0 || s.chromaBlocks === 0) return true;
  for (let c = 0; c < 2; c++) if (e.residual(Cat.ChromaDC, c, 0, s.chromaBlocks) < 0) return false;
  if (cbpC < 2) return true;
  for (let c = 0; c < 2; c++) {
    for (let b = 0; b < s.chromaBlocks; b++) if (e.residual(Cat.ChromaAC, c, b, 15) < 0) return false;
  }
  return true;
}
