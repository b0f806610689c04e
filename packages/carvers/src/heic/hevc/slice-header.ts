/**
 * slice_segment_header( ) of ITU-T H.265 §7.3.6.1, for I slices. P and B
 * slices (which HEIF image items never hold) are reported as unsupported.
 */
import { BitReader, HevcSyntaxError, HevcUnsupported } from './bitstream.js';
import { stRefPicSet, type Pps, type Sps } from './params.js';

/** The slice segment header fields slice data parsing needs. */
export interface SliceHeader {
  readonly nalUnitType: number;
  readonly firstSliceSegmentInPic: boolean;
  readonly dependent: boolean;
  /** slice_segment_address (raster scan CTB address of the segment's first CTB, in tile scan order terms §6.5.1). */
  readonly segmentAddress: number;
  /** SliceAddrRs: slice_segment_address of the independent segment that starts the slice. */
  readonly sliceAddrRs: number;
  readonly sliceType: number;
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

const I_SLICE = 2;

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
    if (sliceType !== I_SLICE) throw new HevcUnsupported(`slice_type ${sliceType} (P/B) in an image item`);
    if (pps.outputFlagPresent) r.skip(1);
    if (sps.separateColourPlane) r.skip(2);
    if (nalUnitType !== 19 && nalUnitType !== 20) {
      r.skip(sps.log2MaxPocLsb);
      const num = sps.stRpsNumDeltaPocs.length;
      if (!r.flag()) stRefPicSet(r, num, num, sps.stRpsNumDeltaPocs);
      else if (num > 1) r.skip(Math.ceil(Math.log2(num)));
      if (sps.longTermRefPicsPresent) {
        const numLtSps = sps.numLongTermRefPicsSps > 0 ? r.ueIn(0, sps.numLongTermRefPicsSps, 'num_long_term_sps') : 0;
        const numLtPics = r.ueIn(0, 32, 'num_long_term_pics');
        for (let i = 0; i < numLtSps + numLtPics; i++) {
          if (i < numLtSps) {
            if (sps.numLongTermRefPicsSps > 1) r.skip(Math.ceil(Math.log2(sps.numLongTermRefPicsSps)));
          } else r.skip(sps.log2MaxPocLsb + 1);
          if (r.flag()) r.ue();
        }
      }
      if (sps.temporalMvpEnabled) r.skip(1);
    }
    let saoLuma = false;
    let saoChroma = false;
    if (sps.saoEnabled) {
      saoLuma = r.flag();
      if (sps.chromaArrayType !== 0) saoChroma = r.flag();
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
    base = { nalUnitType, sliceAddrRs: segmentAddress, sliceType, saoLuma, saoChroma, sliceQpY, cuChromaQpOffsetEnabled, sps, pps };
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
