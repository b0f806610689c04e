/**
 * HEVC sequence and picture parameter sets (ITU-T H.265 §7.3.2.2, §7.3.2.3),
 * read only as far as the fields that change how a slice is parsed.
 * Everything before those fields (profile_tier_level, reference picture sets,
 * VUI with HRD parameters) is walked exactly, because a wrong bit count there
 * would misread every later flag.
 */
import { BitReader, HevcSyntaxError, HevcUnsupported } from './bitstream.js';
import { stRefPicSet, type ShortTermRps } from './rps.js';

/** The SPS fields slice parsing depends on, with the derived variables of §7.4.3.2. */
export interface Sps {
  readonly id: number;
  readonly chromaFormatIdc: number;
  /** ChromaArrayType: 0 when monochrome or separate colour planes. */
  readonly chromaArrayType: number;
  readonly separateColourPlane: boolean;
  readonly width: number;
  readonly height: number;
  readonly bitDepthY: number;
  readonly bitDepthC: number;
  readonly log2MaxPocLsb: number;
  readonly minCbLog2: number;
  readonly ctbLog2: number;
  readonly minTbLog2: number;
  readonly maxTbLog2: number;
  readonly maxTransformHierarchyDepthIntra: number;
  readonly maxTransformHierarchyDepthInter: number;
  readonly ampEnabled: boolean;
  readonly saoEnabled: boolean;
  readonly pcmEnabled: boolean;
  readonly pcmBitDepthY: number;
  readonly pcmBitDepthC: number;
  readonly log2MinPcm: number;
  readonly log2MaxPcm: number;
  /** The SPS's st_ref_pic_set( ) list, derived (a slice header's set may be predicted from any of them). */
  readonly stRps: readonly ShortTermRps[];
  readonly longTermRefPicsPresent: boolean;
  readonly numLongTermRefPicsSps: number;
  /** used_by_curr_pic_lt_sps_flag[ i ]. */
  readonly ltUsedByCurrSps: readonly boolean[];
  readonly temporalMvpEnabled: boolean;
  // sps_range_extension (§7.3.2.2.2)
  readonly transformSkipContextEnabled: boolean;
  readonly implicitRdpcmEnabled: boolean;
  readonly explicitRdpcmEnabled: boolean;
  readonly extendedPrecision: boolean;
  readonly highPrecisionOffsets: boolean;
  readonly persistentRiceAdaptation: boolean;
  readonly cabacBypassAlignment: boolean;
  readonly picWidthInCtbs: number;
  readonly picHeightInCtbs: number;
}

/** The PPS fields slice parsing depends on, with the tile layout of §6.5.1. */
export interface Pps {
  readonly id: number;
  readonly spsId: number;
  readonly dependentSliceSegmentsEnabled: boolean;
  readonly outputFlagPresent: boolean;
  readonly numExtraSliceHeaderBits: number;
  readonly signDataHidingEnabled: boolean;
  readonly cabacInitPresent: boolean;
  /** num_ref_idx_l0/l1_default_active_minus1 + 1. */
  readonly numRefIdxDefault: readonly [number, number];
  readonly initQp: number;
  readonly transformSkipEnabled: boolean;
  readonly cuQpDeltaEnabled: boolean;
  readonly diffCuQpDeltaDepth: number;
  readonly sliceChromaQpOffsetsPresent: boolean;
  readonly weightedPred: boolean;
  readonly weightedBipred: boolean;
  readonly transquantBypassEnabled: boolean;
  readonly tilesEnabled: boolean;
  readonly entropyCodingSync: boolean;
  /** Tile column and row boundaries in CTBs (colBd/rowBd of §6.5.1), each ending with the picture size. */
  readonly colBd: readonly number[];
  readonly rowBd: readonly number[];
  readonly uniformSpacing: boolean;
  readonly columnWidths: readonly number[];
  readonly rowHeights: readonly number[];
  readonly loopFilterAcrossSlices: boolean;
  readonly deblockingOverrideEnabled: boolean;
  readonly ppsDeblockingDisabled: boolean;
  readonly listsModificationPresent: boolean;
  readonly sliceHeaderExtensionPresent: boolean;
  // pps_range_extension (§7.3.2.3.2)
  readonly log2MaxTransformSkipSize: number;
  readonly crossComponentPrediction: boolean;
  readonly chromaQpOffsetListEnabled: boolean;
  readonly diffCuChromaQpOffsetDepth: number;
  readonly chromaQpOffsetListLen: number;
}

/** profile_tier_level( 1, maxNumSubLayersMinus1 ), §7.3.3: skipped bit-exactly. */
function profileTierLevel(r: BitReader, maxSubLayersMinus1: number): void {
  r.skip(96); // general profile (88 bits) and general_level_idc
  const profile: boolean[] = [];
  const level: boolean[] = [];
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    profile.push(r.flag());
    level.push(r.flag());
  }
  if (maxSubLayersMinus1 > 0) r.skip(2 * (8 - maxSubLayersMinus1));
  for (let i = 0; i < maxSubLayersMinus1; i++) {
    if (profile[i]) r.skip(88);
    if (level[i]) r.skip(8);
  }
}

/** scaling_list_data( ), §7.3.4: only its length matters here. */
function scalingListData(r: BitReader): void {
  for (let sizeId = 0; sizeId < 4; sizeId++) {
    for (let matrixId = 0; matrixId < 6; matrixId += sizeId === 3 ? 3 : 1) {
      if (!r.flag()) {
        r.ueIn(0, sizeId === 3 ? matrixId / 3 : matrixId, 'scaling_list_pred_matrix_id_delta');
      } else {
        const coefNum = Math.min(64, 1 << (4 + (sizeId << 1)));
        if (sizeId > 1) r.seIn(-7, 247, 'scaling_list_dc_coef_minus8');
        for (let i = 0; i < coefNum; i++) r.seIn(-128, 127, 'scaling_list_delta_coef');
      }
    }
  }
}

/** sub_layer_hrd_parameters( ), §E.2.3. */
function subLayerHrd(r: BitReader, cpbCnt: number, subPic: boolean): void {
  for (let i = 0; i < cpbCnt; i++) {
    r.ue();
    r.ue();
    if (subPic) {
      r.ue();
      r.ue();
    }
    r.skip(1);
  }
}

/** hrd_parameters( 1, maxNumSubLayersMinus1 ), §E.2.2. */
function hrdParameters(r: BitReader, maxSubLayersMinus1: number): void {
  const nal = r.flag();
  const vcl = r.flag();
  let subPic = false;
  if (nal || vcl) {
    subPic = r.flag();
    if (subPic) r.skip(8 + 5 + 1 + 5);
    r.skip(8);
    if (subPic) r.skip(4);
    r.skip(15);
  }
  for (let i = 0; i <= maxSubLayersMinus1; i++) {
    const fixedGeneral = r.flag();
    const fixedWithinCvs = fixedGeneral ? true : r.flag();
    let lowDelay = false;
    if (fixedWithinCvs) r.ue();
    else lowDelay = r.flag();
    const cpbCnt = lowDelay ? 1 : r.ueIn(0, 31, 'cpb_cnt_minus1') + 1;
    if (nal) subLayerHrd(r, cpbCnt, subPic);
    if (vcl) subLayerHrd(r, cpbCnt, subPic);
  }
}

/** vui_parameters( ), §E.2.1. */
function vuiParameters(r: BitReader, maxSubLayersMinus1: number): void {
  if (r.flag() && r.u(8) === 255) r.skip(32); // aspect_ratio_info
  if (r.flag()) r.skip(1); // overscan
  if (r.flag()) {
    r.skip(4); // video_format, video_full_range_flag
    if (r.flag()) r.skip(24); // colour description
  }
  if (r.flag()) {
    r.ue();
    r.ue();
  }
  r.skip(3); // neutral_chroma_indication_flag, field_seq_flag, frame_field_info_present_flag
  if (r.flag()) for (let i = 0; i < 4; i++) r.ue(); // default display window
  if (r.flag()) {
    r.skip(64);
    if (r.flag()) r.ue();
    if (r.flag()) hrdParameters(r, maxSubLayersMinus1);
  }
  if (r.flag()) {
    r.skip(3);
    for (let i = 0; i < 5; i++) r.ue();
  }
}

/** seq_parameter_set_rbsp( ), §7.3.2.2, from the RBSP (NAL header included). */
export function parseSps(rbsp: Uint8Array): Sps {
  const r = new BitReader(rbsp, 2);
  r.skip(4); // sps_video_parameter_set_id
  const maxSubLayersMinus1 = r.u(3);
  if (maxSubLayersMinus1 > 6) throw new HevcSyntaxError('sps_max_sub_layers_minus1 > 6');
  r.skip(1);
  profileTierLevel(r, maxSubLayersMinus1);
  const id = r.ueIn(0, 15, 'sps_seq_parameter_set_id');
  const chromaFormatIdc = r.ueIn(0, 3, 'chroma_format_idc');
  const separateColourPlane = chromaFormatIdc === 3 ? r.flag() : false;
  const width = r.ueIn(1, 65535, 'pic_width_in_luma_samples');
  const height = r.ueIn(1, 65535, 'pic_height_in_luma_samples');
  if (r.flag()) for (let i = 0; i < 4; i++) r.ue(); // conformance window
  const bitDepthY = r.ueIn(0, 8, 'bit_depth_luma_minus8') + 8;
  const bitDepthC = r.ueIn(0, 8, 'bit_depth_chroma_minus8') + 8;
  const log2MaxPocLsb = r.ueIn(0, 12, 'log2_max_pic_order_cnt_lsb_minus4') + 4;
  const ordering = r.flag();
  for (let i = ordering ? 0 : maxSubLayersMinus1; i <= maxSubLayersMinus1; i++) {
    r.ue();
    r.ue();
    r.ue();
  }
  const minCbLog2 = r.ueIn(0, 3, 'log2_min_luma_coding_block_size_minus3') + 3;
  const ctbLog2 = minCbLog2 + r.ueIn(0, 3, 'log2_diff_max_min_luma_coding_block_size');
  const minTbLog2 = r.ueIn(0, 3, 'log2_min_luma_transform_block_size_minus2') + 2;
  const maxTbLog2 = minTbLog2 + r.ueIn(0, 3, 'log2_diff_max_min_luma_transform_block_size');
  if (ctbLog2 < 4 || ctbLog2 > 6 || minTbLog2 >= minCbLog2 || maxTbLog2 > Math.min(ctbLog2, 5)) {
    throw new HevcSyntaxError(`inconsistent block sizes (CTB 2^${ctbLog2}, CB 2^${minCbLog2}, TB 2^${minTbLog2}..2^${maxTbLog2})`);
  }
  const maxTransformHierarchyDepthInter = r.ueIn(0, ctbLog2 - minTbLog2, 'max_transform_hierarchy_depth_inter');
  const maxTransformHierarchyDepthIntra = r.ueIn(0, ctbLog2 - minTbLog2, 'max_transform_hierarchy_depth_intra');
  if (r.flag() && r.flag()) scalingListData(r);
  const ampEnabled = r.flag();
  const saoEnabled = r.flag();
  const pcmEnabled = r.flag();
  let pcmBitDepthY = 0;
  let pcmBitDepthC = 0;
  let log2MinPcm = 0;
  let log2MaxPcm = 0;
  if (pcmEnabled) {
    pcmBitDepthY = r.u(4) + 1;
    pcmBitDepthC = r.u(4) + 1;
    log2MinPcm = r.ueIn(0, 2, 'log2_min_pcm_luma_coding_block_size_minus3') + 3;
    log2MaxPcm = log2MinPcm + r.ueIn(0, 5 - log2MinPcm, 'log2_diff_max_min_pcm_luma_coding_block_size');
    r.skip(1);
    if (pcmBitDepthY > bitDepthY || pcmBitDepthC > bitDepthC) throw new HevcSyntaxError('PCM bit depth above the coded bit depth');
  }
  const numStRps = r.ueIn(0, 64, 'num_short_term_ref_pic_sets');
  const stRps: ShortTermRps[] = [];
  for (let i = 0; i < numStRps; i++) stRps.push(stRefPicSet(r, i, numStRps, stRps));
  const longTermRefPicsPresent = r.flag();
  let numLongTermRefPicsSps = 0;
  const ltUsedByCurrSps: boolean[] = [];
  if (longTermRefPicsPresent) {
    numLongTermRefPicsSps = r.ueIn(0, 32, 'num_long_term_ref_pics_sps');
    for (let i = 0; i < numLongTermRefPicsSps; i++) {
      r.skip(log2MaxPocLsb); // lt_ref_pic_poc_lsb_sps
      ltUsedByCurrSps.push(r.flag());
    }
  }
  const temporalMvpEnabled = r.flag();
  r.skip(1); // strong_intra_smoothing_enabled_flag
  if (r.flag()) vuiParameters(r, maxSubLayersMinus1);
  let range = 0;
  let scc = false;
  if (r.flag()) {
    const rangeFlag = r.flag();
    r.skip(2); // multilayer, 3d: their syntax follows the range extension
    scc = r.flag();
    r.skip(4);
    if (rangeFlag) range = r.u(9);
  }
  if (scc) throw new HevcUnsupported('SPS screen content coding extension');
  const bit = (i: number): boolean => ((range >> (8 - i)) & 1) === 1;
  const ctb = 1 << ctbLog2;
  return {
    id, chromaFormatIdc, separateColourPlane, width, height, bitDepthY, bitDepthC, log2MaxPocLsb,
    chromaArrayType: separateColourPlane ? 0 : chromaFormatIdc,
    minCbLog2, ctbLog2, minTbLog2, maxTbLog2, maxTransformHierarchyDepthIntra, maxTransformHierarchyDepthInter, ampEnabled, saoEnabled,
    pcmEnabled, pcmBitDepthY, pcmBitDepthC, log2MinPcm, log2MaxPcm,
    stRps, longTermRefPicsPresent, numLongTermRefPicsSps, ltUsedByCurrSps, temporalMvpEnabled,
    // sps_range_extension order: rotation, context, implicit rdpcm, explicit rdpcm, extended precision,
    // intra smoothing disabled, high precision offsets, persistent rice, cabac bypass alignment.
    transformSkipContextEnabled: bit(1), implicitRdpcmEnabled: bit(2), explicitRdpcmEnabled: bit(3), extendedPrecision: bit(4),
    highPrecisionOffsets: bit(6),
    persistentRiceAdaptation: bit(7), cabacBypassAlignment: bit(8),
    picWidthInCtbs: Math.ceil(width / ctb), picHeightInCtbs: Math.ceil(height / ctb),
  };
}

/** pic_parameter_set_rbsp( ), §7.3.2.3, against the SPS it names. */
export function parsePps(rbsp: Uint8Array, spsById: ReadonlyMap<number, Sps>): Pps {
  const r = new BitReader(rbsp, 2);
  const id = r.ueIn(0, 63, 'pps_pic_parameter_set_id');
  const spsId = r.ueIn(0, 15, 'pps_seq_parameter_set_id');
  const sps = spsById.get(spsId);
  if (!sps) throw new HevcSyntaxError(`PPS ${id} names SPS ${spsId}, which is absent`);
  const dependentSliceSegmentsEnabled = r.flag();
  const outputFlagPresent = r.flag();
  const numExtraSliceHeaderBits = r.u(3);
  const signDataHidingEnabled = r.flag();
  const cabacInitPresent = r.flag();
  const numRefIdxDefault: [number, number] = [
    r.ueIn(0, 14, 'num_ref_idx_l0_default_active_minus1') + 1, r.ueIn(0, 14, 'num_ref_idx_l1_default_active_minus1') + 1,
  ];
  const qpBdOffset = 6 * (sps.bitDepthY - 8);
  const initQp = 26 + r.seIn(-(26 + qpBdOffset), 25, 'init_qp_minus26');
  r.skip(1); // constrained_intra_pred_flag
  const transformSkipEnabled = r.flag();
  const cuQpDeltaEnabled = r.flag();
  const diffCuQpDeltaDepth = cuQpDeltaEnabled ? r.ueIn(0, sps.ctbLog2 - sps.minCbLog2, 'diff_cu_qp_delta_depth') : 0;
  r.seIn(-12, 12, 'pps_cb_qp_offset');
  r.seIn(-12, 12, 'pps_cr_qp_offset');
  const sliceChromaQpOffsetsPresent = r.flag();
  const weightedPred = r.flag();
  const weightedBipred = r.flag();
  const transquantBypassEnabled = r.flag();
  const tilesEnabled = r.flag();
  const entropyCodingSync = r.flag();
  let uniformSpacing = true;
  const columnWidths: number[] = [];
  const rowHeights: number[] = [];
  let cols = 1;
  let rows = 1;
  if (tilesEnabled) {
    cols = r.ueIn(0, sps.picWidthInCtbs - 1, 'num_tile_columns_minus1') + 1;
    rows = r.ueIn(0, sps.picHeightInCtbs - 1, 'num_tile_rows_minus1') + 1;
    uniformSpacing = r.flag();
    if (!uniformSpacing) {
      for (let i = 0; i < cols - 1; i++) columnWidths.push(r.ueIn(0, sps.picWidthInCtbs - 1, 'column_width_minus1') + 1);
      for (let i = 0; i < rows - 1; i++) rowHeights.push(r.ueIn(0, sps.picHeightInCtbs - 1, 'row_height_minus1') + 1);
    }
    r.skip(1);
  }
  const colBd = boundaries(cols, sps.picWidthInCtbs, uniformSpacing, columnWidths);
  const rowBd = boundaries(rows, sps.picHeightInCtbs, uniformSpacing, rowHeights);
  const loopFilterAcrossSlices = r.flag();
  let deblockingOverrideEnabled = false;
  let ppsDeblockingDisabled = false;
  if (r.flag()) {
    deblockingOverrideEnabled = r.flag();
    ppsDeblockingDisabled = r.flag();
    if (!ppsDeblockingDisabled) {
      r.seIn(-6, 6, 'pps_beta_offset_div2');
      r.seIn(-6, 6, 'pps_tc_offset_div2');
    }
  }
  if (r.flag()) scalingListData(r);
  const listsModificationPresent = r.flag();
  r.ue(); // log2_parallel_merge_level_minus2
  const sliceHeaderExtensionPresent = r.flag();
  let range = false;
  let scc = false;
  if (r.flag()) {
    range = r.flag();
    r.skip(2);
    scc = r.flag();
    r.skip(4);
  }
  if (scc) throw new HevcUnsupported('PPS screen content coding extension');
  let log2MaxTransformSkipSize = 2;
  let crossComponentPrediction = false;
  let chromaQpOffsetListEnabled = false;
  let diffCuChromaQpOffsetDepth = 0;
  let chromaQpOffsetListLen = 0;
  if (range) {
    if (transformSkipEnabled) log2MaxTransformSkipSize = r.ueIn(0, 3, 'log2_max_transform_skip_block_size_minus2') + 2;
    crossComponentPrediction = r.flag();
    chromaQpOffsetListEnabled = r.flag();
    if (chromaQpOffsetListEnabled) {
      diffCuChromaQpOffsetDepth = r.ueIn(0, sps.ctbLog2 - sps.minCbLog2, 'diff_cu_chroma_qp_offset_depth');
      chromaQpOffsetListLen = r.ueIn(0, 5, 'chroma_qp_offset_list_len_minus1') + 1;
      for (let i = 0; i < chromaQpOffsetListLen; i++) {
        r.seIn(-12, 12, 'cb_qp_offset_list');
        r.seIn(-12, 12, 'cr_qp_offset_list');
      }
    }
  }
  return {
    id, spsId, dependentSliceSegmentsEnabled, outputFlagPresent, numExtraSliceHeaderBits, signDataHidingEnabled, cabacInitPresent,
    numRefIdxDefault, initQp, transformSkipEnabled, cuQpDeltaEnabled, diffCuQpDeltaDepth, sliceChromaQpOffsetsPresent,
    weightedPred, weightedBipred, transquantBypassEnabled, listsModificationPresent,
    tilesEnabled, entropyCodingSync, colBd, rowBd, uniformSpacing, columnWidths, rowHeights, loopFilterAcrossSlices,
    deblockingOverrideEnabled, ppsDeblockingDisabled, sliceHeaderExtensionPresent, log2MaxTransformSkipSize,
    crossComponentPrediction, chromaQpOffsetListEnabled, diffCuChromaQpOffsetDepth, chromaQpOffsetListLen,
  };
}

/** colBd / rowBd of §6.5.1 (uniform spacing or explicit sizes, the last one taking the rest). */
function boundaries(n: number, total: number, uniform: boolean, sizes: readonly number[]): number[] {
  const bd = [0];
  for (let i = 0; i < n; i++) {
    const size = uniform ? Math.floor(((i + 1) * total) / n) - Math.floor((i * total) / n) : i < n - 1 ? sizes[i]! : total - bd[i]!;
    if (size <= 0) throw new HevcSyntaxError('tile sizes exceed the picture');
    bd.push(bd[i]! + size);
  }
  return bd;
}
