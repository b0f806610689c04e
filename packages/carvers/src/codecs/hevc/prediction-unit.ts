/**
 * The inter prediction syntax of P and B slices (ITU-T H.265 §7.3.8.5
 * part_mode, §7.3.8.6 prediction_unit( ), §7.3.8.9 mvd_coding( )) with their
 * binarizations (§9.3.3) and context selection (§9.3.4.2). Syntax only: no
 * merge candidate or motion vector is derived, since no later syntax element
 * depends on one.
 */
import { HevcSyntaxError } from './bitstream.js';
import type { Cabac } from './cabac.js';
import {
  INTER_PRED_IDC, MERGE_FLAG, MERGE_IDX, MVD_GREATER0, MVD_GREATER1, MVP_FLAG, PART_MODE, PART_MODE_INTER, REF_IDX,
} from './contexts.js';
import { B_SLICE, type SliceHeader } from './slice-header.js';

/** PartMode values (Table 7-10). */
export const PART_2Nx2N = 0;
export const PART_2NxN = 1;
export const PART_Nx2N = 2;
export const PART_NxN = 3;
export const PART_2NxnU = 4;
export const PART_2NxnD = 5;
export const PART_nLx2N = 6;
export const PART_nRx2N = 7;

const PRED_L0 = 0;
const PRED_L1 = 1;
const PRED_BI = 2;

/** Largest |MvdLX| (§7.4.9.9: MvdLX lies in [−2^15, 2^15 − 1]). */
const MAX_MVD = 1 << 15;

/** Parses the prediction units of inter coding units of one slice segment. */
export class PredictionUnitParser {
  private readonly b: boolean;

  constructor(private readonly c: Cabac, private readonly sh: SliceHeader) {
    this.b = sh.sliceType === B_SLICE;
  }

  /**
   * part_mode of an inter coding unit (binarization of §9.3.3.7, Table 9-43;
   * ctxInc of Table 9-41: bins 0 and 1 context 0 and 1, the third 2 at the
   * minimum size or 3 for the AMP bin, the AMP position bypass).
   */
  partMode(log2CbSize: number): number {
    const c = this.c;
    const sps = this.sh.sps;
    if (c.decision(PART_MODE)) return PART_2Nx2N;
    if (log2CbSize === sps.minCbLog2) {
      if (c.decision(PART_MODE_INTER)) return PART_2NxN;
      if (log2CbSize === 3) return PART_Nx2N;
      return c.decision(PART_MODE_INTER + 1) ? PART_Nx2N : PART_NxN;
    }
    const vertical = c.decision(PART_MODE_INTER) === 0;
    if (!sps.ampEnabled) return vertical ? PART_Nx2N : PART_2NxN;
    if (c.decision(PART_MODE_INTER + 2)) return vertical ? PART_Nx2N : PART_2NxN;
    const second = c.bypass();
    return vertical ? (second ? PART_nRx2N : PART_nLx2N) : second ? PART_2NxnD : PART_2NxnU;
  }

  /**
   * prediction_unit( x0, y0, nPbW, nPbH ) (§7.3.8.6) at coding tree depth
   * ctDepth; returns merge_flag (inferred 1 in a skipped coding unit).
   */
  predictionUnit(nPbW: number, nPbH: number, ctDepth: number, skip: boolean): number {
    const c = this.c;
    const sh = this.sh;
    if (skip || c.decision(MERGE_FLAG)) {
      // merge_idx: TR with cMax MaxNumMergeCand − 1, first bin context coded, the rest bypass (Table 9-43).
      if (sh.maxNumMergeCand > 1 && c.decision(MERGE_IDX)) {
        let v = 1;
        while (v < sh.maxNumMergeCand - 1 && c.bypass()) v++;
      }
      return 1;
    }
    let idc = PRED_L0;
    if (this.b) {
      // inter_pred_idc (§9.3.3.8): "1" is PRED_BI (ctxInc CtDepth), then "00" / "01" (ctxInc 4);
      // 8×4 and 4×8 blocks cannot be bi-predicted and have the second bin only.
      if (nPbW + nPbH !== 12 && c.decision(INTER_PRED_IDC + ctDepth)) idc = PRED_BI;
      else idc = c.decision(INTER_PRED_IDC + 4) ? PRED_L1 : PRED_L0;
    }
    if (idc !== PRED_L1) {
      this.refIdx(sh.numRefIdx[0]);
      this.mvdCoding();
      c.decision(MVP_FLAG);
    }
    if (idc !== PRED_L0) {
      this.refIdx(sh.numRefIdx[1]);
      if (!(sh.mvdL1Zero && idc === PRED_BI)) this.mvdCoding();
      c.decision(MVP_FLAG);
    }
    return 0;
  }

  /** ref_idx_lX: TR with cMax num_ref_idx_active − 1, bins 0 and 1 context coded, the rest bypass. */
  private refIdx(numRefIdx: number): void {
    if (numRefIdx <= 1) return;
    const c = this.c;
    const cMax = numRefIdx - 1;
    let v = 0;
    while (v < cMax && (v < 2 ? c.decision(REF_IDX + v) : c.bypass())) v++;
  }

  /** mvd_coding( ) (§7.3.8.9): abs_mvd_minus2 is EG1 bypass (§9.3.3.3), then the sign. */
  private mvdCoding(): void {
    const c = this.c;
    const g0x = c.decision(MVD_GREATER0);
    const g0y = c.decision(MVD_GREATER0);
    const g1x = g0x ? c.decision(MVD_GREATER1) : 0;
    const g1y = g0y ? c.decision(MVD_GREATER1) : 0;
    if (g0x) {
      if (g1x) this.absMvdMinus2();
      c.bypass();
    }
    if (g0y) {
      if (g1y) this.absMvdMinus2();
      c.bypass();
    }
  }

  private absMvdMinus2(): void {
    const c = this.c;
    let k = 1;
    let v = 0;
    while (c.bypass()) {
      v += 1 << k;
      if (++k > 16) throw new HevcSyntaxError('abs_mvd_minus2 prefix too long');
    }
    v += c.bypassBits(k);
    if (v + 2 > MAX_MVD) throw new HevcSyntaxError(`|MvdLX| ${v + 2} is out of range`);
  }
}
