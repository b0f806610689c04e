/**
 * CABAC context variables (ITU-T H.265 §9.3.2.2): where each syntax
 * element's contexts sit in one state array, and their initValue for each
 * initType (Tables 9-5 to 9-37): 0 for I slices, 1 and 2 for P and B slices
 * (swapped by cabac_init_flag, 9-7).
 */

/** Offsets of each syntax element's contexts (ctxIdx = offset + ctxInc). */
export const SAO_MERGE = 0; // sao_merge_left_flag, sao_merge_up_flag (Table 9-5)
export const SAO_TYPE = 1; // sao_type_idx_luma/chroma, first bin (Table 9-6)
export const SPLIT_CU = 2; // split_cu_flag, 3 (Table 9-7)
export const CU_TRANSQUANT_BYPASS = 5; // (Table 9-8)
export const PART_MODE = 6; // first bin (Table 9-11); the inter bins are PART_MODE_INTER
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
// Contexts of P and B slices only (Tables 9-9 to 9-20, 9-36, 9-37); initType 0 never uses them.
export const CU_SKIP = 149; // ctxInc condL + condA, 3 (Table 9-9)
export const PRED_MODE = 152; // (Table 9-10)
export const PART_MODE_INTER = 153; // part_mode ctxInc 1, 2, 3 (Table 9-41)
export const MERGE_FLAG = 156; // (Table 9-14)
export const MERGE_IDX = 157; // first bin (Table 9-15)
export const INTER_PRED_IDC = 158; // ctxInc CtDepth or 4, 5 (Table 9-16)
export const REF_IDX = 163; // first two bins, 2 (Table 9-17)
export const MVD_GREATER0 = 165; // abs_mvd_greater0_flag (Table 9-19)
export const MVD_GREATER1 = 166; // abs_mvd_greater1_flag (Table 9-20)
export const MVP_FLAG = 167; // mvp_l0_flag, mvp_l1_flag (Table 9-18)
export const RQT_ROOT_CBF = 168; // (Table 9-21)
export const EXPLICIT_RDPCM = 169; // explicit_rdpcm_flag, by cIdx > 0, 2 (Table 9-36)
export const EXPLICIT_RDPCM_DIR = 171; // explicit_rdpcm_dir_flag, 2 (Table 9-37)
export const NUM_CONTEXTS = 173;

/** initValue of every context for initType 0, in the order of the offsets above. */
const INIT_0: readonly number[] = [
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
  ...new Array<number>(NUM_CONTEXTS - CU_SKIP).fill(154), // inter-only contexts (unused)
];

/** initValue for initType 1. */
const INIT_1: readonly number[] = [
  153, // sao_merge
  185, // sao_type_idx
  107, 139, 126, // split_cu_flag
  154, // cu_transquant_bypass_flag
  154, // part_mode, first bin
  154, // prev_intra_luma_pred_flag
  152, // intra_chroma_pred_mode
  124, 138, 94, // split_transform_flag
  153, 111, // cbf_luma
  149, 107, 167, 154, 154, // cbf_cb / cbf_cr
  154, 154, // cu_qp_delta_abs
  154, // cu_chroma_qp_offset_flag
  154, // cu_chroma_qp_offset_idx
  139, 139, // transform_skip_flag
  125, 110, 94, 110, 95, 79, 125, 111, 110, 78, 110, 111, 111, 95, 94, 108, 123, 108, // last_sig_coeff_x_prefix
  125, 110, 94, 110, 95, 79, 125, 111, 110, 78, 110, 111, 111, 95, 94, 108, 123, 108, // last_sig_coeff_y_prefix
  121, 140, 61, 154, // coded_sub_block_flag
  155, 154, 139, 153, 139, 123, 123, 63, 153, 166, 183, 140, 136, 153, 154, 166, // sig_coeff_flag
  183, 140, 136, 153, 154, 166, 183, 140, 136, 153, 154, 170, 153, 123, 123, 107,
  121, 107, 121, 167, 151, 183, 140, 151, 183, 140,
  140, 140, // sig_coeff_flag, transform skip contexts
  154, 196, 196, 167, 154, 152, 167, 182, 182, 134, 149, 136, 153, 121, 136, 137, // coeff_abs_level_greater1_flag
  169, 194, 166, 167, 154, 167, 137, 182,
  107, 167, 91, 122, 107, 167, // coeff_abs_level_greater2_flag
  154, 154, 154, 154, 154, 154, 154, 154, // log2_res_scale_abs_plus1
  154, 154, // res_scale_sign_flag
  197, 185, 201, // cu_skip_flag
  149, // pred_mode_flag
  139, 154, 154, // part_mode, bins 1..3
  110, // merge_flag
  122, // merge_idx
  95, 79, 63, 31, 31, // inter_pred_idc
  153, 153, // ref_idx_l0/l1
  140, // abs_mvd_greater0_flag
  198, // abs_mvd_greater1_flag
  168, // mvp_lx_flag
  79, // rqt_root_cbf
  139, 139, // explicit_rdpcm_flag
  139, 139, // explicit_rdpcm_dir_flag
];

/** initValue for initType 2. */
const INIT_2: readonly number[] = [
  153, // sao_merge
  160, // sao_type_idx
  107, 139, 126, // split_cu_flag
  154, // cu_transquant_bypass_flag
  154, // part_mode, first bin
  183, // prev_intra_luma_pred_flag
  152, // intra_chroma_pred_mode
  224, 167, 122, // split_transform_flag
  153, 111, // cbf_luma
  149, 92, 167, 154, 154, // cbf_cb / cbf_cr
  154, 154, // cu_qp_delta_abs
  154, // cu_chroma_qp_offset_flag
  154, // cu_chroma_qp_offset_idx
  139, 139, // transform_skip_flag
  125, 110, 124, 110, 95, 94, 125, 111, 111, 79, 125, 126, 111, 111, 79, 108, 123, 93, // last_sig_coeff_x_prefix
  125, 110, 124, 110, 95, 94, 125, 111, 111, 79, 125, 126, 111, 111, 79, 108, 123, 93, // last_sig_coeff_y_prefix
  121, 140, 61, 154, // coded_sub_block_flag
  170, 154, 139, 153, 139, 123, 123, 63, 124, 166, 183, 140, 136, 153, 154, 166, // sig_coeff_flag
  183, 140, 136, 153, 154, 166, 183, 140, 136, 153, 154, 170, 153, 138, 138, 122,
  121, 122, 121, 167, 151, 183, 140, 151, 183, 140,
  140, 140, // sig_coeff_flag, transform skip contexts
  154, 196, 167, 167, 154, 152, 167, 182, 182, 134, 149, 136, 153, 121, 136, 122, // coeff_abs_level_greater1_flag
  169, 208, 166, 167, 154, 152, 167, 182,
  107, 167, 91, 107, 107, 167, // coeff_abs_level_greater2_flag
  154, 154, 154, 154, 154, 154, 154, 154, // log2_res_scale_abs_plus1
  154, 154, // res_scale_sign_flag
  197, 185, 201, // cu_skip_flag
  134, // pred_mode_flag
  139, 154, 154, // part_mode, bins 1..3
  154, // merge_flag
  137, // merge_idx
  95, 79, 63, 31, 31, // inter_pred_idc
  153, 153, // ref_idx_l0/l1
  169, // abs_mvd_greater0_flag
  198, // abs_mvd_greater1_flag
  168, // mvp_lx_flag
  79, // rqt_root_cbf
  139, 139, // explicit_rdpcm_flag
  139, 139, // explicit_rdpcm_dir_flag
];

const INIT_VALUES = [INIT_0, INIT_1, INIT_2];
for (const t of INIT_VALUES) {
  if (t.length !== NUM_CONTEXTS) throw new Error(`HEVC context table holds ${t.length} values, expected ${NUM_CONTEXTS}`);
}

/** Initial states per initType * 52 + SliceQpY (0..51), each context packed as pStateIdx << 1 | valMps. */
const INITIAL = new Map<number, Uint8Array>();

/**
 * Context states at the start of a slice or substream (§9.3.2.2): for each
 * context, preCtxState = Clip3(1, 126, ((m * Clip3(0, 51, SliceQpY)) >> 4) + n)
 * with m = slopeIdx * 5 − 45 and n = (offsetIdx << 3) − 16 from its initValue.
 */
export function initialContexts(sliceQpY: number, initType = 0): Uint8Array {
  const qp = Math.min(51, Math.max(0, sliceQpY));
  const key = initType * 52 + qp;
  let states = INITIAL.get(key);
  if (!states) {
    states = new Uint8Array(NUM_CONTEXTS);
    const values = INIT_VALUES[initType]!;
    for (let i = 0; i < NUM_CONTEXTS; i++) {
      const v = values[i]!;
      const m = (v >> 4) * 5 - 45;
      const n = ((v & 15) << 3) - 16;
      const pre = Math.min(126, Math.max(1, ((m * qp) >> 4) + n));
      const valMps = pre <= 63 ? 0 : 1;
      const pStateIdx = valMps ? pre - 64 : 63 - pre;
      states[i] = (pStateIdx << 1) | valMps;
    }
    INITIAL.set(key, states);
  }
  return states;
}
