/**
 * coding_tree_unit( ) and everything under it (ITU-T H.265 §7.3.8.2 to
 * §7.3.8.12): SAO parameters, the coding quadtree, coding units (skipped,
 * inter with their prediction units, intra with PCM, luma modes and their
 * most probable mode derivation of §8.4.2, chroma modes of §8.4.3), the
 * transform tree and transform units.
 */
import { HevcSyntaxError } from './bitstream.js';
import type { Cabac } from './cabac.js';
import {
  CBF_CHROMA, CBF_LUMA, CU_CHROMA_QP_OFFSET_FLAG, CU_CHROMA_QP_OFFSET_IDX, CU_QP_DELTA_ABS, CU_SKIP, CU_TRANSQUANT_BYPASS,
  INTRA_CHROMA_PRED_MODE, LOG2_RES_SCALE_ABS, PART_MODE, PRED_MODE, PREV_INTRA_LUMA_PRED, RES_SCALE_SIGN, RQT_ROOT_CBF,
  SPLIT_CU, SPLIT_TRANSFORM,
} from './contexts.js';
import type { PictureState } from './picture.js';
import {
  PART_2Nx2N, PART_2NxN, PART_2NxnD, PART_2NxnU, PART_nLx2N, PART_Nx2N, PART_nRx2N, PredictionUnitParser,
} from './prediction-unit.js';
import { INTER, ResidualParser } from './residual.js';
import { parseSao } from './sao.js';
import { I_SLICE, type SliceHeader } from './slice-header.js';

/** Table 8-3: IntraPredModeC for 4:2:2, from the mode derived as for 4:2:0. */
const MODE_422 = Uint8Array.from([0, 1, 2, 2, 2, 2, 3, 5, 7, 8, 10, 12, 13, 15, 17, 18, 19, 20, 21, 22, 23, 23, 24, 24, 25, 25, 26, 27, 27, 28, 28, 29, 29, 30, 31]);
/** intra_chroma_pred_mode 0..3 → planar, vertical, horizontal, DC (§8.4.3). */
const CHROMA_MODES = [0, 26, 10, 1];

/** Parses the CTUs of one slice segment; the caller runs the slice_segment_data( ) loop. */
export class CtuParser {
  readonly residual: ResidualParser;
  private readonly pu: PredictionUnitParser;
  private readonly interSlice: boolean;
  private readonly chromaArrayType: number;
  private readonly log2MinCuQpDelta: number;
  private readonly log2MinCuChromaQpOffset: number;
  private readonly qpDeltaMin: number;
  private readonly qpDeltaMax: number;
  private isCuQpDeltaCoded = false;
  private isCuChromaQpOffsetCoded = false;
  // The coding unit being parsed.
  private cuTransquantBypass = false;
  private cuNxN = false;
  /** CuPredMode is MODE_INTER; interSplitFlag of §7.4.9.8 at the CU's transform tree root. */
  private cuInter = false;
  private cuInterSplit = false;
  private cuX = 0;
  private cuY = 0;
  private cuHalf = 0;
  private readonly cuChromaModes = new Uint8Array(4);
  /** intra_chroma_pred_mode of each partition (4 means "as luma": cross-component prediction applies). */
  private readonly cuChromaSyntax = new Uint8Array(4);
  private readonly candModes = new Uint8Array(3);
  private readonly pbModes = new Uint8Array(4);
  private readonly prevFlags = new Uint8Array(4);
  private ctbX = 0;
  private ctbY = 0;
  private ctbRs = 0;

  constructor(private readonly c: Cabac, private readonly pic: PictureState, private readonly sh: SliceHeader) {
    const { sps, pps } = sh;
    this.chromaArrayType = sps.chromaArrayType;
    this.log2MinCuQpDelta = sps.ctbLog2 - pps.diffCuQpDeltaDepth;
    this.log2MinCuChromaQpOffset = sps.ctbLog2 - pps.diffCuChromaQpOffsetDepth;
    const qpBdOffsetY = 6 * (sps.bitDepthY - 8);
    this.qpDeltaMin = -(26 + qpBdOffsetY / 2);
    this.qpDeltaMax = 25 + qpBdOffsetY / 2;
    this.residual = new ResidualParser(c, {
      signDataHiding: pps.signDataHidingEnabled,
      transformSkipEnabled: pps.transformSkipEnabled,
      log2MaxTransformSkipSize: pps.log2MaxTransformSkipSize,
      transformSkipContext: sps.transformSkipContextEnabled,
      implicitRdpcm: sps.implicitRdpcmEnabled,
      persistentRice: sps.persistentRiceAdaptation,
      explicitRdpcm: sps.explicitRdpcmEnabled,
    });
    this.pu = new PredictionUnitParser(c, sh);
    this.interSlice = sh.sliceType !== I_SLICE;
  }

  /** coding_tree_unit( ) (§7.3.8.2) of the CTB at raster address rs. */
  codingTreeUnit(rs: number): void {
    const pic = this.pic;
    const log2Ctb = this.sh.sps.ctbLog2;
    this.ctbRs = rs;
    this.ctbX = rs % pic.widthInCtbs;
    this.ctbY = (rs - this.ctbX) / pic.widthInCtbs;
    pic.ctbSliceAddr[rs] = this.sh.sliceAddrRs;
    if (this.sh.saoLuma || this.sh.saoChroma) parseSao(this.c, pic, this.sh, rs, this.ctbX, this.ctbY);
    this.codingQuadtree(this.ctbX << log2Ctb, this.ctbY << log2Ctb, log2Ctb, 0);
  }

  /** Whether (xN, yN) is available for the block being parsed (§6.4.1: inside the picture, same slice and tile). */
  private available(xN: number, yN: number): boolean {
    if (xN < 0 || yN < 0) return false;
    const log2Ctb = this.sh.sps.ctbLog2;
    const rs = (yN >> log2Ctb) * this.pic.widthInCtbs + (xN >> log2Ctb);
    if (rs === this.ctbRs) return true;
    return this.pic.ctbSliceAddr[rs] === this.sh.sliceAddrRs && this.pic.tileIdRs[rs] === this.pic.tileIdRs[this.ctbRs];
  }

  /** coding_quadtree( ) (§7.3.8.4); split_cu_flag ctxInc from the neighbours' CtDepth (§9.3.4.2.2). */
  private codingQuadtree(x0: number, y0: number, log2: number, depth: number): void {
    const sps = this.sh.sps;
    const pic = this.pic;
    let split: number;
    if (x0 + (1 << log2) <= sps.width && y0 + (1 << log2) <= sps.height && log2 > sps.minCbLog2) {
      const m = sps.minCbLog2;
      let inc = 0;
      if (this.available(x0 - 1, y0) && pic.ctDepth[(y0 >> m) * pic.widthInMinCbs + ((x0 - 1) >> m)]! > depth) inc++;
      if (this.available(x0, y0 - 1) && pic.ctDepth[((y0 - 1) >> m) * pic.widthInMinCbs + (x0 >> m)]! > depth) inc++;
      split = this.c.decision(SPLIT_CU + inc);
    } else split = log2 > sps.minCbLog2 ? 1 : 0;
    if (this.sh.pps.cuQpDeltaEnabled && log2 >= this.log2MinCuQpDelta) this.isCuQpDeltaCoded = false;
    if (this.sh.cuChromaQpOffsetEnabled && log2 >= this.log2MinCuChromaQpOffset) this.isCuChromaQpOffsetCoded = false;
    if (split) {
      const x1 = x0 + (1 << (log2 - 1));
      const y1 = y0 + (1 << (log2 - 1));
      this.codingQuadtree(x0, y0, log2 - 1, depth + 1);
      if (x1 < sps.width) this.codingQuadtree(x1, y0, log2 - 1, depth + 1);
      if (y1 < sps.height) this.codingQuadtree(x0, y1, log2 - 1, depth + 1);
      if (x1 < sps.width && y1 < sps.height) this.codingQuadtree(x1, y1, log2 - 1, depth + 1);
    } else {
      const m = sps.minCbLog2;
      const n = 1 << (log2 - m);
      for (let j = 0; j < n; j++) pic.ctDepth.fill(depth, ((y0 >> m) + j) * pic.widthInMinCbs + (x0 >> m), ((y0 >> m) + j) * pic.widthInMinCbs + (x0 >> m) + n);
      this.codingUnit(x0, y0, log2, depth);
    }
  }

  /** Writes a luma intra mode over a block of the 4×4 mode map. */
  private setMode(x0: number, y0: number, size: number, mode: number): void {
    const pic = this.pic;
    const n = size >> 2;
    for (let j = 0; j < n; j++) {
      const row = ((y0 >> 2) + j) * pic.widthIn4 + (x0 >> 2);
      pic.intraMode.fill(mode, row, row + n);
    }
  }

  /** coding_unit( ) (§7.3.8.5) at coding tree depth `depth`. */
  private codingUnit(x0: number, y0: number, log2: number, depth: number): void {
    const c = this.c;
    const sps = this.sh.sps;
    const size = 1 << log2;
    this.cuTransquantBypass = this.sh.pps.transquantBypassEnabled && c.decision(CU_TRANSQUANT_BYPASS) === 1;
    this.cuInter = false;
    if (this.interSlice && this.interCodingUnit(x0, y0, log2, depth)) return;
    // part_mode for intra: one bin, 1 = PART_2Nx2N, 0 = PART_NxN, only at the minimum CB size (Table 9-43).
    const nxn = log2 === sps.minCbLog2 && c.decision(PART_MODE) === 0;
    this.cuNxN = nxn;
    this.cuX = x0;
    this.cuY = y0;
    this.cuHalf = size >> 1;
    if (!nxn && sps.pcmEnabled && log2 >= sps.log2MinPcm && log2 <= sps.log2MaxPcm && c.terminate()) {
      this.pcmSample(log2);
      this.setMode(x0, y0, size, 1);
      return;
    }
    const parts = nxn ? 4 : 1;
    const pb = nxn ? size >> 1 : size;
    for (let p = 0; p < parts; p++) this.prevFlags[p] = c.decision(PREV_INTRA_LUMA_PRED);
    for (let p = 0; p < parts; p++) {
      const xPb = x0 + (p & 1) * pb;
      const yPb = y0 + (p >> 1) * pb;
      let mode: number;
      this.candidateModes(xPb, yPb);
      const cand = this.candModes;
      if (this.prevFlags[p]) {
        mode = cand[c.bypass() ? (c.bypass() ? 2 : 1) : 0]!; // mpm_idx, TR cMax 2 bypass
      } else {
        mode = c.bypassBits(5); // rem_intra_luma_pred_mode
        // Sort the candidates ascending, then skip over each (8-26 … 8-28).
        let a = cand[0]!;
        let b = cand[1]!;
        let d = cand[2]!;
        if (a > b) [a, b] = [b, a];
        if (a > d) [a, d] = [d, a];
        if (b > d) [b, d] = [d, b];
        if (mode >= a) mode++;
        if (mode >= b) mode++;
        if (mode >= d) mode++;
      }
      this.pbModes[p] = mode;
      this.setMode(xPb, yPb, pb, mode);
    }
    if (this.chromaArrayType !== 0) {
      const chromaParts = this.chromaArrayType === 3 ? parts : 1;
      for (let p = 0; p < chromaParts; p++) {
        // intra_chroma_pred_mode: "0" → 4, "1xx" → xx (first bin context coded, then 2 bypass bins).
        const syntax = c.decision(INTRA_CHROMA_PRED_MODE) ? c.bypassBits(2) : 4;
        const luma = this.pbModes[p]!;
        let mode = syntax === 4 ? luma : CHROMA_MODES[syntax]! === luma ? 34 : CHROMA_MODES[syntax]!;
        if (this.chromaArrayType === 2) mode = MODE_422[mode]!;
        this.cuChromaModes[p] = mode;
        this.cuChromaSyntax[p] = syntax;
      }
    }
    const maxTrafoDepth = sps.maxTransformHierarchyDepthIntra + (nxn ? 1 : 0);
    this.transformTree(x0, y0, x0, y0, log2, 0, 0, maxTrafoDepth, 1, 1);
  }

  /**
   * The start of a coding unit of a P or B slice: cu_skip_flag (ctxInc from the
   * left and above neighbours' flags, §9.3.4.2.2) and pred_mode_flag. Parses a
   * skipped or inter coding unit whole and returns true; false for an intra one.
   */
  private interCodingUnit(x0: number, y0: number, log2: number, depth: number): boolean {
    const c = this.c;
    const pic = this.pic;
    const m = this.sh.sps.minCbLog2;
    const size = 1 << log2;
    let inc = 0;
    if (this.available(x0 - 1, y0) && pic.skipFlag[(y0 >> m) * pic.widthInMinCbs + ((x0 - 1) >> m)]) inc++;
    if (this.available(x0, y0 - 1) && pic.skipFlag[((y0 - 1) >> m) * pic.widthInMinCbs + (x0 >> m)]) inc++;
    const skip = c.decision(CU_SKIP + inc);
    const n = 1 << (log2 - m);
    for (let j = 0; j < n; j++) pic.skipFlag.fill(skip, ((y0 >> m) + j) * pic.widthInMinCbs + (x0 >> m), ((y0 >> m) + j) * pic.widthInMinCbs + (x0 >> m) + n);
    if (!skip && c.decision(PRED_MODE)) return false; // pred_mode_flag 1: MODE_INTRA
    // Inter and skipped blocks count as DC for their neighbours' most probable modes (§8.4.2).
    this.setMode(x0, y0, size, 1);
    if (skip) {
      this.pu.predictionUnit(size, size, depth, true);
      return true;
    }
    const part = this.pu.partMode(log2);
    const h = size >> 1;
    const q = size >> 2;
    let merge = 0;
    switch (part) {
      case PART_2Nx2N: merge = this.pu.predictionUnit(size, size, depth, false); break;
      case PART_2NxN: this.twoPus(size, h, size, h, depth); break;
      case PART_Nx2N: this.twoPus(h, size, h, size, depth); break;
      case PART_2NxnU: this.twoPus(size, q, size, size - q, depth); break;
      case PART_2NxnD: this.twoPus(size, size - q, size, q, depth); break;
      case PART_nLx2N: this.twoPus(q, size, size - q, size, depth); break;
      case PART_nRx2N: this.twoPus(size - q, size, q, size, depth); break;
      default: for (let i = 0; i < 4; i++) this.pu.predictionUnit(h, h, depth, false); // PART_NxN
    }
    const rqtRootCbf = part === PART_2Nx2N && merge ? 1 : c.decision(RQT_ROOT_CBF);
    if (rqtRootCbf) {
      const maxDepth = this.sh.sps.maxTransformHierarchyDepthInter;
      this.cuInter = true;
      this.cuNxN = false;
      this.cuInterSplit = maxDepth === 0 && part !== PART_2Nx2N;
      this.transformTree(x0, y0, x0, y0, log2, 0, 0, maxDepth, 1, 1);
    }
    return true;
  }

  private twoPus(w0: number, h0: number, w1: number, h1: number, depth: number): void {
    this.pu.predictionUnit(w0, h0, depth, false);
    this.pu.predictionUnit(w1, h1, depth, false);
  }

  /** candModeList of §8.4.2 for the prediction block at (xPb, yPb), into candModes. */
  private candidateModes(xPb: number, yPb: number): void {
    const pic = this.pic;
    const log2Ctb = this.sh.sps.ctbLog2;
    // Left neighbour A = (xPb − 1, yPb); above B = (xPb, yPb − 1), DC when outside the current CTB.
    const a = this.available(xPb - 1, yPb) ? pic.intraMode[(yPb >> 2) * pic.widthIn4 + ((xPb - 1) >> 2)]! : 1;
    const b = yPb - 1 < (yPb >> log2Ctb) << log2Ctb ? 1 : pic.intraMode[((yPb - 1) >> 2) * pic.widthIn4 + (xPb >> 2)]!;
    const cand = this.candModes;
    if (a === b) {
      if (a < 2) {
        cand[0] = 0;
        cand[1] = 1;
        cand[2] = 26;
      } else {
        cand[0] = a;
        cand[1] = 2 + ((a + 29) % 32);
        cand[2] = 2 + ((a - 2 + 1) % 32);
      }
    } else {
      cand[0] = a;
      cand[1] = b;
      cand[2] = a !== 0 && b !== 0 ? 0 : a !== 1 && b !== 1 ? 1 : 26;
    }
  }

  /** pcm_sample( ) (§7.3.8.7) after pcm_flag: aligned raw samples, then the engine restarts (§9.3.2.5). */
  private pcmSample(log2: number): void {
    const sps = this.sh.sps;
    const c = this.c;
    const at = c.consumedBits();
    this.expectZeroBitsToByteEnd(at, 'pcm_alignment_zero_bit');
    const n = 1 << (2 * log2);
    const subW = this.chromaArrayType === 1 || this.chromaArrayType === 2 ? 2 : 1;
    const subH = this.chromaArrayType === 1 ? 2 : 1;
    const chroma = this.chromaArrayType === 0 ? 0 : 2 * (n / (subW * subH));
    const bits = n * sps.pcmBitDepthY + chroma * sps.pcmBitDepthC;
    this.restartAt(((at + 7) >> 3) + Math.ceil(bits / 8));
  }

  /** Set by the slice loop: checks alignment bits and restarts the engine at an RBSP byte. */
  expectZeroBitsToByteEnd: (bitPos: number, what: string) => void = () => undefined;
  restartAt: (byte: number) => void = () => undefined;

  /** transform_tree( ) (§7.3.8.8). parentCb/parentCr: cbf_cb/cbf_cr of the parent (bit 1: second 4:2:2 block). */
  private transformTree(x0: number, y0: number, xBase: number, yBase: number, log2: number, depth: number, blkIdx: number,
    maxDepth: number, parentCb: number, parentCr: number): void {
    const c = this.c;
    const sps = this.sh.sps;
    const cat = this.chromaArrayType;
    let split: number;
    const interSplit = this.cuInterSplit && this.cuInter && depth === 0;
    if (log2 <= sps.maxTbLog2 && log2 > sps.minTbLog2 && depth < maxDepth && !(this.cuNxN && depth === 0)) {
      split = c.decision(SPLIT_TRANSFORM + 5 - log2);
    } else split = log2 > sps.maxTbLog2 || (this.cuNxN && depth === 0) || interSplit ? 1 : 0;
    let cb = 0;
    let cr = 0;
    if ((log2 > 2 && cat !== 0) || cat === 3) {
      const two = cat === 2 && (!split || log2 === 3);
      if (depth === 0 || parentCb & 1) {
        cb = c.decision(CBF_CHROMA + depth);
        if (two) cb |= c.decision(CBF_CHROMA + depth) << 1;
      }
      if (depth === 0 || parentCr & 1) {
        cr = c.decision(CBF_CHROMA + depth);
        if (two) cr |= c.decision(CBF_CHROMA + depth) << 1;
      }
    } else if (cat !== 0) {
      // 4×4 luma in 4:2:0/4:2:2: chroma is coded once for the four, with the parent's flags (§7.3.8.10).
      cb = parentCb;
      cr = parentCr;
    }
    if (split) {
      const h = 1 << (log2 - 1);
      this.transformTree(x0, y0, x0, y0, log2 - 1, depth + 1, 0, maxDepth, cb, cr);
      this.transformTree(x0 + h, y0, x0, y0, log2 - 1, depth + 1, 1, maxDepth, cb, cr);
      this.transformTree(x0, y0 + h, x0, y0, log2 - 1, depth + 1, 2, maxDepth, cb, cr);
      this.transformTree(x0 + h, y0 + h, x0, y0, log2 - 1, depth + 1, 3, maxDepth, cb, cr);
      return;
    }
    // cbf_luma is inferred 1 at the root of an inter transform tree without chroma residual (§7.3.8.8).
    const cbfLuma = this.cuInter && depth === 0 && cb === 0 && cr === 0 ? 1 : c.decision(CBF_LUMA + (depth === 0 ? 1 : 0));
    this.transformUnit(x0, y0, xBase, yBase, log2, blkIdx, cbfLuma, cb, cr);
  }

  /** transform_unit( ) (§7.3.8.10). */
  private transformUnit(x0: number, y0: number, _xBase: number, _yBase: number, log2: number, blkIdx: number, cbfLuma: number, cb: number, cr: number): void {
    const c = this.c;
    const cat = this.chromaArrayType;
    if (!cbfLuma && !cb && !cr) return;
    const pps = this.sh.pps;
    if (pps.cuQpDeltaEnabled && !this.isCuQpDeltaCoded) {
      // cu_qp_delta_abs: TR prefix cMax 5 (first bin ctxInc 0, others 1), EG0 suffix (§9.3.3.10).
      let v = 0;
      while (v < 5 && c.decision(CU_QP_DELTA_ABS + (v === 0 ? 0 : 1))) v++;
      if (v === 5) {
        let k = 0;
        while (c.bypass()) if (++k > 16) throw new HevcSyntaxError('cu_qp_delta_abs suffix too long');
        v += (1 << k) - 1 + c.bypassBits(k);
      }
      const delta = v && c.bypass() ? -v : v;
      if (delta < this.qpDeltaMin || delta > this.qpDeltaMax) throw new HevcSyntaxError(`CuQpDeltaVal ${delta} out of range`);
      this.isCuQpDeltaCoded = true;
    }
    const cbfChroma = cb !== 0 || cr !== 0;
    if (this.sh.cuChromaQpOffsetEnabled && cbfChroma && !this.cuTransquantBypass && !this.isCuChromaQpOffsetCoded) {
      if (c.decision(CU_CHROMA_QP_OFFSET_FLAG) && pps.chromaQpOffsetListLen > 1) {
        let idx = 0;
        while (idx < pps.chromaQpOffsetListLen - 1 && c.decision(CU_CHROMA_QP_OFFSET_IDX)) idx++;
      }
      this.isCuChromaQpOffsetCoded = true;
    }
    const pic = this.pic;
    const bypass = this.cuTransquantBypass;
    const inter = this.cuInter;
    if (cbfLuma) this.residual.parse(log2, 0, inter ? INTER : pic.intraMode[(y0 >> 2) * pic.widthIn4 + (x0 >> 2)]!, bypass, cat === 3);
    if (cat === 0) return;
    if (log2 > 2 || cat === 3) {
      const log2C = cat === 3 ? log2 : log2 - 1;
      const part = this.cuNxN && cat === 3 ? (y0 >= this.cuY + this.cuHalf ? 2 : 0) + (x0 >= this.cuX + this.cuHalf ? 1 : 0) : 0;
      const modeC = inter ? INTER : this.cuChromaModes[part]!;
      const ccp = pps.crossComponentPrediction && cbfLuma === 1 && (inter || this.cuChromaSyntax[part] === 4);
      if (ccp) this.crossCompPred(0);
      if (cb & 1) this.residual.parse(log2C, 1, modeC, bypass, cat === 3);
      if (cb & 2) this.residual.parse(log2C, 1, modeC, bypass, cat === 3);
      if (ccp) this.crossCompPred(1);
      if (cr & 1) this.residual.parse(log2C, 2, modeC, bypass, cat === 3);
      if (cr & 2) this.residual.parse(log2C, 2, modeC, bypass, cat === 3);
    } else if (blkIdx === 3) {
      const modeC = inter ? INTER : this.cuChromaModes[0]!;
      if (cb & 1) this.residual.parse(2, 1, modeC, bypass, false);
      if (cb & 2) this.residual.parse(2, 1, modeC, bypass, false);
      if (cr & 1) this.residual.parse(2, 2, modeC, bypass, false);
      if (cr & 2) this.residual.parse(2, 2, modeC, bypass, false);
    }
  }

  /** cross_comp_pred( x0, y0, c ) (§7.3.8.12): log2_res_scale_abs_plus1 TR cMax 4, ctxInc 4 * c + binIdx. */
  private crossCompPred(cc: number): void {
    const c = this.c;
    let v = 0;
    while (v < 4 && c.decision(LOG2_RES_SCALE_ABS + 4 * cc + v)) v++;
    if (v) c.decision(RES_SCALE_SIGN + cc);
  }
}
