/**
 * slice_segment_header( ) of ITU-T H.265 §7.3.6.1 for I, P and B slices:
 * reference picture sets (only for NumPicTotalCurr), reference list sizes
 * and modification, pred_weight_table( ), and the fields slice data parsing
 * depends on.
 */
import { BitReader, HevcSyntaxError, HevcUnsupported } from './bitstream.js';
import type { Pps, Sps } from './params.js';
import { stRefPicSet, usedByCurr } from './rps.js';

/** The slice segment header fields slice data parsing needs. */
export interface SliceHeader {
  readonly nalUnitType: number;
  readonly firstSliceSegmentInPic: boolean;
  readonly dependent: boolean;
  /** slice_segment_address (raster scan CTB address of the segment's first CTB, in tile scan order terms §6.5.1). */
  readonly segmentAddress: number;
  /** SliceAddrRs: slice_segment_address of the independent segment that starts the slice. */
  readonly sliceAddrRs: number;
  /** slice_type: 0 B, 1 P, 2 I. */
  readonly sliceType: number;
  /** initType of §9.3.2.2 (0 for I; 1 or 2 for P and B, swapped by cabac_init_flag). */
  readonly initType: number;
  /** num_ref_idx_l0/l1_active_minus1 + 1 (0 when the list is not used). */
  readonly numRefIdx: readonly [number, number];
  readonly mvdL1Zero: boolean;
  /** MaxNumMergeCand = 5 − five_minus_max_num_merge_cand. */
  readonly maxNumMergeCand: number;
  readonly saoLuma: boolean;
  readonly saoChroma: boolean;
  /** SliceQpY = 26 + init_qp_minus26 + slice_qp_delta (§7.4.7.1). */
  readonly sliceQpY: number;
  readonly cuChromaQpOffsetEnabled: boolean;
  /** entry_point_offset_minus1[ i ] + 1: sizes in NAL bytes (emulation prevention included) of all but the last substream. */
  readonly entryPointSizes: readonly number[];
  /** RBSP byte offset where slice_segment_data( ) starts. */
  readonly dataStart: number;
  readonly sps: Sps;
  readonly pps: Pps;
}

export const B_SLICE = 0;
export const P_SLICE = 1;
export const I_SLICE = 2;

/**
 * Parses the slice segment header of a VCL NAL unit's RBSP (NAL header
 * included). `previous` is the last independent segment's header of the same
 * picture, from which a dependent segment takes its fields.
 */
export function parseSliceHeader(rbsp: Uint8Array, ppsById: ReadonlyMap<number, Pps>, spsById: ReadonlyMap<number, Sps>, previous?: SliceHeader): SliceHeader {
  const nalUnitType = (rbsp[0]! >> 1) & 0x3f;
  if (nalUnitType > 31) throw new HevcSyntaxError(`NAL unit type ${nalUnitType} is not a coded slice`);
  if (nalUnitType > 23 || (nalUnitType >= 10 && nalUnitType <= 15)) throw new HevcSyntaxError(`reserved VCL NAL unit type ${nalUnitType}`);
  if (((rbsp[0]! & 1) << 5 | rbsp[1]! >> 3) !== 0) throw new HevcUnsupported('slice of a layer other than the base layer');
  const r = new BitReader(rbsp, 2);
  const firstSliceSegmentInPic = r.flag();
  if (nalUnitType >= 16 && nalUnitType <= 23) r.skip(1); // no_output_of_prior_pics_flag
  const ppsId = r.ueIn(0, 63, 'slice_pic_parameter_set_id');
  const pps = ppsById.get(ppsId);
  if (!pps) throw new HevcSyntaxError(`slice names PPS ${ppsId}, which is absent`);
  const sps = spsById.get(pps.spsId);
  if (!sps) throw new HevcSyntaxError(`PPS ${ppsId} names SPS ${pps.spsId}, which is absent`);
  const picSizeInCtbs = sps.picWidthInCtbs * sps.picHeightInCtbs;
  let dependent = false;
  let segmentAddress = 0;
  if (!firstSliceSegmentInPic) {
    if (pps.dependentSliceSegmentsEnabled) dependent = r.flag();
    segmentAddress = r.u(Math.ceil(Math.log2(picSizeInCtbs)));
    if (segmentAddress >= picSizeInCtbs) throw new HevcSyntaxError(`slice_segment_address ${segmentAddress} is past the picture's ${picSizeInCtbs} CTBs`);
  }
  let base: Omit<SliceHeader, 'entryPointSizes' | 'dataStart' | 'dependent' | 'segmentAddress' | 'firstSliceSegmentInPic'>;
  if (dependent) {
    if (!previous || previous.pps !== pps) throw new HevcUnsupported('dependent slice segment without its independent segment');
    base = previous;
  } else {
    r.skip(pps.numExtraSliceHeaderBits);
    const sliceType = r.ueIn(0, 2, 'slice_type');
    // IRAP pictures (BLA, IDR, CRA and the reserved IRAP types) hold I slices only (§7.4.7.1).
    if (nalUnitType >= 16 && sliceType !== I_SLICE) throw new HevcSyntaxError(`slice_type ${sliceType} in an IRAP picture`);
    if (pps.outputFlagPresent) r.skip(1);
    if (sps.separateColourPlane) r.skip(2);
    let numPicTotalCurr = 0;
    let temporalMvp = false;
    if (nalUnitType !== 19 && nalUnitType !== 20) {
      r.skip(sps.log2MaxPocLsb);
      const num = sps.stRps.length;
      if (!r.flag()) numPicTotalCurr = usedByCurr(stRefPicSet(r, num, num, sps.stRps));
      else {
        const idx = num > 1 ? r.u(Math.ceil(Math.log2(num))) : 0;
        const set = sps.stRps[idx];
        if (!set) throw new HevcSyntaxError(`short_term_ref_pic_set_idx ${idx} of ${num} sets`);
        numPicTotalCurr = usedByCurr(set);
      }
      if (sps.longTermRefPicsPresent) numPicTotalCurr += longTermRefs(r, sps);
      if (sps.temporalMvpEnabled) temporalMvp = r.flag();
    }
    let saoLuma = false;
    let saoChroma = false;
    if (sps.saoEnabled) {
      saoLuma = r.flag();
      if (sps.chromaArrayType !== 0) saoChroma = r.flag();
    }
    let initType = 0;
    let numRefIdx: [number, number] = [0, 0];
    let mvdL1Zero = false;
    let maxNumMergeCand = 5;
    if (sliceType !== I_SLICE) {
      const b = sliceType === B_SLICE;
      // NumPicTotalCurr is never 0 in a P or B slice (§7.4.7.2; pps_curr_pic_ref is SCC, unsupported).
      if (numPicTotalCurr === 0) throw new HevcSyntaxError('P or B slice without a reference picture (NumPicTotalCurr 0)');
      numRefIdx = [pps.numRefIdxDefault[0], b ? pps.numRefIdxDefault[1] : 0];
      if (r.flag()) {
        numRefIdx[0] = r.ueIn(0, 14, 'num_ref_idx_l0_active_minus1') + 1;
        if (b) numRefIdx[1] = r.ueIn(0, 14, 'num_ref_idx_l1_active_minus1') + 1;
      }
      if (pps.listsModificationPresent && numPicTotalCurr > 1) {
        // ref_pic_lists_modification( ) (§7.3.6.2): list_entry_lX are Ceil( Log2( NumPicTotalCurr ) ) bits.
        const bits = Math.ceil(Math.log2(numPicTotalCurr));
        for (let l = 0; l < (b ? 2 : 1); l++) {
          if (!r.flag()) continue;
          for (let i = 0; i < numRefIdx[l]!; i++) {
            if (r.u(bits) >= numPicTotalCurr) throw new HevcSyntaxError(`list_entry_l${l} is past NumPicTotalCurr ${numPicTotalCurr}`);
          }
        }
      }
      if (b) mvdL1Zero = r.flag();
      const cabacInit = pps.cabacInitPresent && r.flag();
      initType = (sliceType === P_SLICE) !== cabacInit ? 1 : 2;
      if (temporalMvp) {
        const fromL0 = b ? r.flag() : true;
        const n = numRefIdx[fromL0 ? 0 : 1]!;
        if (n > 1) r.ueIn(0, n - 1, 'collocated_ref_idx');
      }
      if ((pps.weightedPred && !b) || (pps.weightedBipred && b)) predWeightTable(r, sps, numRefIdx);
      maxNumMergeCand = 5 - r.ueIn(0, 4, 'five_minus_max_num_merge_cand');
    }
    const qpBdOffsetY = 6 * (sps.bitDepthY - 8);
    const sliceQpY = pps.initQp + r.se();
    if (sliceQpY < -qpBdOffsetY || sliceQpY > 51) throw new HevcSyntaxError(`SliceQpY ${sliceQpY} out of range`);
    if (pps.sliceChromaQpOffsetsPresent) {
      r.seIn(-12, 12, 'slice_cb_qp_offset');
      r.seIn(-12, 12, 'slice_cr_qp_offset');
    }
    const cuChromaQpOffsetEnabled = pps.chromaQpOffsetListEnabled ? r.flag() : false;
    let deblockingDisabled = pps.ppsDeblockingDisabled;
    if (pps.deblockingOverrideEnabled && r.flag()) {
      deblockingDisabled = r.flag();
      if (!deblockingDisabled) {
        r.seIn(-6, 6, 'slice_beta_offset_div2');
        r.seIn(-6, 6, 'slice_tc_offset_div2');
      }
    }
    if (pps.loopFilterAcrossSlices && (saoLuma || saoChroma || !deblockingDisabled)) r.skip(1);
    base = {
      nalUnitType, sliceAddrRs: segmentAddress, sliceType, initType, numRefIdx, mvdL1Zero, maxNumMergeCand,
      saoLuma, saoChroma, sliceQpY, cuChromaQpOffsetEnabled, sps, pps,
    };
  }
  const entryPointSizes: number[] = [];
  if (pps.tilesEnabled || pps.entropyCodingSync) {
    const max = pps.tilesEnabled && pps.entropyCodingSync
      ? (pps.colBd.length - 1) * sps.picHeightInCtbs - 1
      : pps.tilesEnabled ? (pps.colBd.length - 1) * (pps.rowBd.length - 1) - 1 : sps.picHeightInCtbs - 1;
    const n = r.ueIn(0, max, 'num_entry_point_offsets');
    if (n > 0) {
      const len = r.ueIn(0, 31, 'offset_len_minus1') + 1;
      for (let i = 0; i < n; i++) entryPointSizes.push(r.u(len) + 1);
    }
  }
  if (pps.sliceHeaderExtensionPresent) r.skip(8 * r.ueIn(0, 256, 'slice_segment_header_extension_length'));
  r.byteAlignment();
  return { ...base, nalUnitType, firstSliceSegmentInPic, dependent, segmentAddress, entryPointSizes, dataStart: r.pos >> 3 };
}

/** The long-term reference pictures of a slice header (§7.3.6.1); returns how many the current picture uses (UsedByCurrPicLt). */
function longTermRefs(r: BitReader, sps: Sps): number {
  const numLtSps = sps.numLongTermRefPicsSps > 0 ? r.ueIn(0, sps.numLongTermRefPicsSps, 'num_long_term_sps') : 0;
  const numLtPics = r.ueIn(0, 32 - numLtSps, 'num_long_term_pics');
  let used = 0;
  for (let i = 0; i < numLtSps + numLtPics; i++) {
    if (i < numLtSps) {
      const idx = sps.numLongTermRefPicsSps > 1 ? r.u(Math.ceil(Math.log2(sps.numLongTermRefPicsSps))) : 0;
      if (idx >= sps.numLongTermRefPicsSps) throw new HevcSyntaxError(`lt_idx_sps ${idx} of ${sps.numLongTermRefPicsSps}`);
      if (sps.ltUsedByCurrSps[idx]) used++;
    } else {
      r.skip(sps.log2MaxPocLsb); // poc_lsb_lt
      if (r.flag()) used++; // used_by_curr_pic_lt_flag
    }
    if (r.flag()) r.ue(); // delta_poc_msb_present_flag, delta_poc_msb_cycle_lt
  }
  return used;
}

/** pred_weight_table( ) (§7.3.6.3); every reference picture has another POC than the current one (no SCC). */
function predWeightTable(r: BitReader, sps: Sps, numRefIdx: readonly [number, number]): void {
  const chroma = sps.chromaArrayType !== 0;
  const lumaDenom = r.ueIn(0, 7, 'luma_log2_weight_denom');
  if (chroma) r.seIn(-lumaDenom, 7 - lumaDenom, 'delta_chroma_log2_weight_denom');
  // WpOffsetHalfRangeY / C (7-56, 7-57).
  const halfY = 1 << (sps.highPrecisionOffsets ? sps.bitDepthY - 1 : 7);
  const halfC = 1 << (sps.highPrecisionOffsets ? sps.bitDepthC - 1 : 7);
  for (let l = 0; l < 2; l++) {
    const n = numRefIdx[l]!;
    let lumaFlags = 0;
    let chromaFlags = 0;
    for (let i = 0; i < n; i++) lumaFlags |= r.u(1) << i;
    if (chroma) for (let i = 0; i < n; i++) chromaFlags |= r.u(1) << i;
    for (let i = 0; i < n; i++) {
      if (lumaFlags & (1 << i)) {
        r.seIn(-128, 127, 'delta_luma_weight');
        r.seIn(-halfY, halfY - 1, 'luma_offset');
      }
      if (chromaFlags & (1 << i)) {
        for (let j = 0; j < 2; j++) {
          r.seIn(-128, 127, 'delta_chroma_weight');
          r.seIn(-4 * halfC, 4 * halfC - 1, 'delta_chroma_offset');
        }
      }
    }
  }
}
