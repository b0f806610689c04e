/**
 * slice_header() of ITU-T H.264 §7.3.3 with ref_pic_list_modification()
 * (§7.3.3.1), pred_weight_table() (§7.3.3.2) and dec_ref_pic_marking()
 * (§7.3.3.3). Every element is range-checked against §7.4.3: foreign bytes
 * in a header break here long before the macroblock layer.
 */
import type { BitReader } from './bitstream.js';
import type { ParamSets, Pps, Sps } from './params.js';

/** slice_type % 5 (Table 7-6). */
export enum SliceType { P = 0, B = 1, I = 2, SP = 3, SI = 4 }

/** The slice header fields the slice data needs. */
export interface SliceHeader {
  sps: Sps;
  pps: Pps;
  firstMbInSlice: number;
  sliceType: SliceType;
  numRefIdxL0Active: number;
  numRefIdxL1Active: number;
  cabacInitIdc: number;
  /** SliceQPY (§7.4.3). */
  qp: number;
}

/** Header parse outcome: the header, an error (invalid syntax) or an unsupported feature. */
export type HeaderResult = { ok: true; header: SliceHeader } | { ok: false; reason: string } | { ok: null; reason: string };

const bad = (reason: string): HeaderResult => ({ ok: false, reason });

/** Bound on loop iterations of list modifications / MMCOs; a real header has at most a few dozen. */
const MAX_OPS = 100;

/**
 * Parses a slice header for a NAL unit of type `nalType` (1 or 5) with
 * `nalRefIdc`, reading from `r` (positioned at the RBSP start).
 */
export function parseSliceHeader(r: BitReader, nalType: number, nalRefIdc: number, params: ParamSets): HeaderResult {
  const firstMbInSlice = r.ue();
  const rawType = r.ue();
  const ppsId = r.ue();
  if (firstMbInSlice < 0 || rawType < 0 || rawType > 9 || ppsId < 0 || ppsId > 255) return bad('slice header: first_mb/slice_type/pps_id out of range');
  const sliceType = (rawType % 5) as SliceType;
  const pps = params.pps.get(ppsId);
  const sps = pps ? params.sps.get(pps.spsId) : undefined;
  if (!pps || !sps) return { ok: null, reason: `slice refers to unknown PPS ${ppsId}` };
  if (sliceType === SliceType.SP || sliceType === SliceType.SI) return { ok: null, reason: 'SP/SI slices not supported' };
  if (pps.numSliceGroups > 1) return { ok: null, reason: 'slice groups (FMO) not supported' };
  if (sps.separateColourPlane || sps.chromaFormatIdc === 3) return { ok: null, reason: '4:4:4 not supported' };
  if (sps.bitDepthLuma !== 8 || sps.bitDepthChroma !== 8) return { ok: null, reason: 'bit depth > 8 not supported' };
  const idr = nalType === 5;
  if (idr && sliceType !== SliceType.I) return bad('IDR slice not of type I');
  if (firstMbInSlice >= sps.picWidthInMbs * sps.frameHeightInMbs) return bad('first_mb_in_slice past the picture');
  r.skip(sps.log2MaxFrameNum); // frame_num
  if (!sps.frameMbsOnly) {
    if (r.u1()) return { ok: null, reason: 'field pictures not supported' };
    if (sps.mbAdaptiveFrameField) return { ok: null, reason: 'MBAFF not supported' };
  }
  if (idr && (r.ue() < 0 || r.overrun)) return bad('idr_pic_id');
  if (sps.pocType === 0) {
    r.skip(sps.log2MaxPocLsb);
    if (pps.bottomFieldPicOrderInFramePresent && Number.isNaN(r.se())) return bad('delta_pic_order_cnt_bottom');
  }
  if (sps.pocType === 1 && !sps.deltaPicOrderAlwaysZero) {
    if (Number.isNaN(r.se())) return bad('delta_pic_order_cnt[0]');
    if (pps.bottomFieldPicOrderInFramePresent && Number.isNaN(r.se())) return bad('delta_pic_order_cnt[1]');
  }
  if (pps.redundantPicCntPresent) {
    const cnt = r.ue();
    if (cnt < 0 || cnt > 127) return bad('redundant_pic_cnt');
  }
  if (sliceType === SliceType.B) r.skip(1); // direct_spatial_mv_pred_flag
  let numRefIdxL0Active = pps.numRefIdxL0DefaultActive;
  let numRefIdxL1Active = pps.numRefIdxL1DefaultActive;
  if (sliceType !== SliceType.I) {
    if (r.u1()) {
      numRefIdxL0Active = r.ue() + 1;
      if (sliceType === SliceType.B) numRefIdxL1Active = r.ue() + 1;
    }
    // Frame slices allow 16 references per list (§7.4.3).
    if (numRefIdxL0Active < 1 || numRefIdxL0Active > 16 || numRefIdxL1Active < 1 || numRefIdxL1Active > 16) return bad('num_ref_idx_active out of range');
  }
  if (sliceType !== SliceType.B) numRefIdxL1Active = 0;
  if (sliceType === SliceType.I) numRefIdxL0Active = 0;
  // ref_pic_list_modification() (§7.3.3.1); idc 4 and 5 exist only in MVC NAL units (type 20).
  for (let list = 0; list < (sliceType === SliceType.B ? 2 : sliceType === SliceType.P ? 1 : 0); list++) {
    if (!r.u1()) continue;
    let ops = 0;
    for (;;) {
      const idc = r.ue();
      if (idc === 3) break;
      if (idc < 0 || idc > 2 || ++ops > MAX_OPS || r.overrun) return bad('modification_of_pic_nums_idc');
      if (r.ue() < 0) return bad('ref_pic_list_modification');
    }
  }
  if ((pps.weightedPred && sliceType === SliceType.P) || (pps.weightedBipredIdc === 1 && sliceType === SliceType.B)) {
    const denom = r.ue();
    if (denom < 0 || denom > 7) return bad('luma_log2_weight_denom');
    const chroma = sps.chromaFormatIdc !== 0;
    if (chroma) {
      const c = r.ue();
      if (c < 0 || c > 7) return bad('chroma_log2_weight_denom');
    }
    for (let list = 0; list < (sliceType === SliceType.B ? 2 : 1); list++) {
      const n = list === 0 ? numRefIdxL0Active : numRefIdxL1Active;
      for (let i = 0; i < n; i++) {
        if (r.u1() && !weightPair(r)) return bad('luma weight/offset out of range');
        if (chroma && r.u1() && !(weightPair(r) && weightPair(r))) return bad('chroma weight/offset out of range');
      }
    }
  }
  if (nalRefIdc !== 0) {
    if (idr) {
      r.skip(2); // no_output_of_prior_pics_flag, long_term_reference_flag
    } else if (r.u1()) {
      let ops = 0;
      for (;;) {
        const mmco = r.ue();
        if (mmco === 0) break;
        if (mmco < 0 || mmco > 6 || ++ops > MAX_OPS || r.overrun) return bad('memory_management_control_operation');
        if ((mmco === 1 || mmco === 3) && r.ue() < 0) return bad('difference_of_pic_nums_minus1');
        if (mmco === 2 && r.ue() < 0) return bad('long_term_pic_num');
        if ((mmco === 3 || mmco === 6) && r.ue() < 0) return bad('long_term_frame_idx');
        if (mmco === 4 && r.ue() < 0) return bad('max_long_term_frame_idx_plus1');
      }
    }
  }
  let cabacInitIdc = 0;
  if (pps.entropyCodingMode && sliceType !== SliceType.I) {
    cabacInitIdc = r.ue();
    if (cabacInitIdc < 0 || cabacInitIdc > 2) return bad('cabac_init_idc out of range');
  }
  const qp = pps.picInitQp + r.se();
  if (!(qp >= 0 && qp <= 51)) return bad('slice QP out of range');
  if (pps.deblockingFilterControlPresent) {
    const idc = r.ue();
    if (idc < 0 || idc > 2) return bad('disable_deblocking_filter_idc');
    if (idc !== 1) {
      const a = r.se();
      const b = r.se();
      if (!(a >= -6 && a <= 6 && b >= -6 && b <= 6)) return bad('deblocking offsets out of range');
    }
  }
  if (r.overrun) return bad('slice header runs past the NAL unit');
  return { ok: true, header: { sps, pps, firstMbInSlice, sliceType, numRefIdxL0Active, numRefIdxL1Active, cabacInitIdc, qp } };
}

/** One weight/offset pair of pred_weight_table(): both within −128..127 (§7.4.3.2). */
function weightPair(r: BitReader): boolean {
  const w = r.se();
  const o = r.se();
  return w >= -128 && w <= 127 && o >= -128 && o <= 127;
}
