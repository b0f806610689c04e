/**
 * CABAC context variables of an I slice (ITU-T H.265 §9.3.2.2): where each
 * syntax element's contexts sit in one state array, and their initValue for
 * initType 0 (Tables 9-5 to 9-37; an I slice always uses initType 0).
 */

/** Offsets of each syntax element's contexts (ctxIdx = offset + ctxInc). */
export const SAO_MERGE = 0; // sao_merge_left_flag, sao_merge_up_flag (Table 9-5)
export const SAO_TYPE = 1; // sao_type_idx_luma/chroma, first bin (Table 9-6)
export const SPLIT_CU = 2; // split_cu_flag, 3 (Table 9-7)
export const CU_TRANSQUANT_BYPASS = 5; // (Table 9-8)
export const PART_MODE = 6; // first bin only in intra (Table 9-11)
export const PREV_INTRA_LUMA_PRED = 7; // (Table 9-12)
export const INTRA_CHROMA_PRED_MODE = 8; // first bin (Table 9-13)
export const SPLIT_TRANSFORM = 9; // ctxInc 5 − log2TrafoSize, 3 (Table 9-21)
export const CBF_LUMA = 12; // ctxInc trafoDepth == 0 ? 1 : 0 (Table 9-22)
export const CBF_CHROMA = 14; // ctxInc trafoDepth, 5 (Table 9-23)
export const CU_QP_DELTA_ABS = 19; // 2 (Table 9-26)
export const CU_CHROMA_QP_OFFSET_FLAG = 21; // (Table 9-27)
export const CU_CHROMA_QP_OFFSET_IDX = 22; // (Table 9-28)
export const TRANSFORM_SKIP = 23; // luma, chroma (Table 9-29)
export const LAST_X_PREFIX = 25; // 18 (Table 9-30)
export const LAST_Y_PREFIX = 43; // 18 (Table 9-31)
export const CODED_SUB_BLOCK = 61; // 4 (Table 9-32)
export const SIG_COEFF = 65; // 42 + 2 transform-skip contexts (Table 9-33)
export const GREATER1 = 109; // 24 (Table 9-34)
export const GREATER2 = 133; // 6 (Table 9-35)
export const LOG2_RES_SCALE_ABS = 139; // 8 (Table 9-38, cross-component prediction)
export const RES_SCALE_SIGN = 147; // 2 (Table 9-39)
export const NUM_CONTEXTS = 149;

/** initValue of every context for initType 0, in the order of the offsets above. */
const INIT_VALUES: readonly number[] = [
  153, // sao_merge
  200, // sao_type_idx
  139, 141, 157, // split_cu_flag
  154, // cu_transquant_bypass_flag
  184, // part_mode
  184, // prev_intra_luma_pred_flag
  63, // intra_chroma_pred_mode
  153, 138, 138, // split_transform_flag
  111, 141, // cbf_luma
  94, 138, 182, 154, 154, // cbf_cb / cbf_cr (the fifth for 4:4:4 depth 4)
  154, 154, // cu_qp_delta_abs
  154, // cu_chroma_qp_offset_flag
  154, // cu_chroma_qp_offset_idx
  139, 139, // transform_skip_flag
  110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111, 79, 108, 123, 63, // last_sig_coeff_x_prefix
  110, 110, 124, 125, 140, 153, 125, 127, 140, 109, 111, 143, 127, 111, 79, 108, 123, 63, // last_sig_coeff_y_prefix
  91, 171, 134, 141, // coded_sub_block_flag
  111, 111, 125, 110, 110, 94, 124, 108, 124, 107, 125, 141, 179, 153, 125, 107, // sig_coeff_flag
  125, 141, 179, 153, 125, 107, 125, 141, 179, 153, 125, 140, 139, 182, 182, 152,
  136, 152, 136, 153, 136, 139, 111, 136, 139, 111,
  141, 111, // sig_coeff_flag with transform_skip_context_enabled_flag (luma, chroma)
  140, 92, 137, 138, 140, 152, 138, 139, 153, 74, 149, 92, 139, 107, 122, 152, // coeff_abs_level_greater1_flag
  140, 179, 166, 182, 140, 227, 122, 197,
  138, 153, 136, 167, 152, 152, // coeff_abs_level_greater2_flag
  154, 154, 154, 154, 154, 154, 154, 154, // log2_res_scale_abs_plus1
  154, 154, // res_scale_sign_flag
];

if (INIT_VALUES.length !== NUM_CONTEXTS) throw new Error(`HEVC context table holds ${INIT_VALUES.length} values, expected ${NUM_CONTEXTS}`);

/** Initial states per SliceQpY (0..51), each context packed as pStateIdx << 1 | valMps. */
const INITIAL = new Map<number, Uint8Array>();

/**
 * Context states at the start of a slice or substream (§9.3.2.2): for each
 * context, preCtxState = Clip3(1, 126, ((m * Clip3(0, 51, SliceQpY)) >> 4) + n)
 * with m = slopeIdx * 5 − 45 and n = (offsetIdx << 3) − 16 from its initValue.
 */
export function initialContexts(sliceQpY: number): Uint8Array {
  const qp = Math.min(51, Math.max(0, sliceQpY));
  let states = INITIAL.get(qp);
  if (!states) {
    states = new Uint8Array(NUM_CONTEXTS);
    for (let i = 0; i < NUM_CONTEXTS; i++) {
      const v = INIT_VALUES[i]!;
      const m = (v >> 4) * 5 - 45;
      const n = ((v & 15) << 3) - 16;
      const pre = Math.min(126, Math.max(1, ((m * qp) >> 4) + n));
      const valMps = pre <= 63 ? 0 : 1;
      const pStateIdx = valMps ? pre - 64 : 63 - pre;
      states[i] = (pStateIdx << 1) | valMps;
    }
    INITIAL.set(qp, states);
  }
  return states;
}
