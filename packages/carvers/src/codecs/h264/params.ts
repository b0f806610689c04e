/**
 * Sequence and picture parameter sets (ITU-T H.264 §7.3.2.1.1, §7.3.2.2),
 * reduced to the fields that shape slice syntax, and the avcC record that
 * carries them in an MP4 sample entry (ISO/IEC 14496-15 §5.3.3.1).
 */
import { BitReader, Rbsp } from './bitstream.js';

/** The SPS fields slice syntax depends on. */
export interface Sps {
  id: number;
  profileIdc: number;
  chromaFormatIdc: number;
  separateColourPlane: boolean;
  bitDepthLuma: number;
  bitDepthChroma: number;
  log2MaxFrameNum: number;
  pocType: number;
  log2MaxPocLsb: number;
  deltaPicOrderAlwaysZero: boolean;
  maxNumRefFrames: number;
  picWidthInMbs: number;
  /** Frame height in macroblocks: (2 − frame_mbs_only_flag) × PicHeightInMapUnits. */
  frameHeightInMbs: number;
  frameMbsOnly: boolean;
  mbAdaptiveFrameField: boolean;
  direct8x8Inference: boolean;
}

/** The PPS fields slice syntax depends on. */
export interface Pps {
  id: number;
  spsId: number;
  entropyCodingMode: boolean;
  bottomFieldPicOrderInFramePresent: boolean;
  numSliceGroups: number;
  numRefIdxL0DefaultActive: number;
  numRefIdxL1DefaultActive: number;
  weightedPred: boolean;
  weightedBipredIdc: number;
  picInitQp: number;
  deblockingFilterControlPresent: boolean;
  constrainedIntraPred: boolean;
  redundantPicCntPresent: boolean;
  transform8x8Mode: boolean;
}

/** Profiles whose SPS carries chroma_format_idc and the FRExt fields (§7.3.2.1.1). */
const HIGH_PROFILES = new Set([100, 110, 122, 244, 44, 83, 86, 118, 128, 138, 139, 134, 135]);

/** scaling_list() (§7.3.2.1.1.1): parsed only to step over it. False on a malformed list. */
function skipScalingList(r: BitReader, size: number): boolean {
  let last = 8;
  let next = 8;
  for (let j = 0; j < size; j++) {
    if (next !== 0) {
      const delta = r.se();
      if (!(delta >= -128 && delta <= 127)) return false;
      next = (last + delta + 256) % 256;
    }
    last = next === 0 ? last : next;
  }
  return true;
}

/** Parses an SPS NAL unit `nal[from..to)`. Null when malformed. */
export function parseSps(nal: Uint8Array, from: number, to: number, rbsp = new Rbsp()): Sps | null {
  rbsp.load(nal, from, to);
  const r = new BitReader();
  r.reset(rbsp);
  const profileIdc = r.u(8);
  r.skip(16); // constraint_set flags, reserved_zero_2bits, level_idc
  const id = r.ue();
  if (id < 0 || id > 31) return null;
  let chromaFormatIdc = 1;
  let separateColourPlane = false;
  let bitDepthLuma = 8;
  let bitDepthChroma = 8;
  if (HIGH_PROFILES.has(profileIdc)) {
    chromaFormatIdc = r.ue();
    if (chromaFormatIdc < 0 || chromaFormatIdc > 3) return null;
    if (chromaFormatIdc === 3) separateColourPlane = r.u1() === 1;
    bitDepthLuma = 8 + r.ue();
    bitDepthChroma = 8 + r.ue();
    if (bitDepthLuma < 8 || bitDepthLuma > 14 || bitDepthChroma < 8 || bitDepthChroma > 14) return null;
    r.skip(1); // qpprime_y_zero_transform_bypass_flag
    if (r.u1()) {
      for (let i = 0; i < (chromaFormatIdc !== 3 ? 8 : 12); i++) {
        if (r.u1() && !skipScalingList(r, i < 6 ? 16 : 64)) return null;
      }
    }
  }
  const log2MaxFrameNum = r.ue() + 4;
  if (log2MaxFrameNum < 4 || log2MaxFrameNum > 16) return null;
  const pocType = r.ue();
  let log2MaxPocLsb = 0;
  let deltaPicOrderAlwaysZero = false;
  if (pocType === 0) {
    log2MaxPocLsb = r.ue() + 4;
    if (log2MaxPocLsb < 4 || log2MaxPocLsb > 16) return null;
  } else if (pocType === 1) {
    deltaPicOrderAlwaysZero = r.u1() === 1;
    r.se();
    r.se();
    const cycle = r.ue();
    if (cycle < 0 || cycle > 255) return null;
    for (let i = 0; i < cycle; i++) r.se();
  } else if (pocType !== 2) {
    return null;
  }
  const maxNumRefFrames = r.ue();
  r.skip(1); // gaps_in_frame_num_value_allowed_flag
  const picWidthInMbs = r.ue() + 1;
  const picHeightInMapUnits = r.ue() + 1;
  const frameMbsOnly = r.u1() === 1;
  const mbAdaptiveFrameField = frameMbsOnly ? false : r.u1() === 1;
  const direct8x8Inference = r.u1() === 1;
  if (maxNumRefFrames < 0 || picWidthInMbs < 1 || picHeightInMapUnits < 1 || r.overrun) return null;
  // Level 6.2 allows 139264 macroblocks a frame; anything larger is not a real picture.
  const frameHeightInMbs = (frameMbsOnly ? 1 : 2) * picHeightInMapUnits;
  if (picWidthInMbs * frameHeightInMbs > 139264) return null;
  return {
    id, profileIdc, chromaFormatIdc, separateColourPlane, bitDepthLuma, bitDepthChroma, log2MaxFrameNum, pocType, log2MaxPocLsb,
    deltaPicOrderAlwaysZero, maxNumRefFrames, picWidthInMbs, frameHeightInMbs, frameMbsOnly, mbAdaptiveFrameField, direct8x8Inference,
  };
}

/** The pps_id and sps_id a PPS NAL unit names (read before its SPS is known); null when malformed. */
export function ppsIds(nal: Uint8Array, from: number, to: number, rbsp = new Rbsp()): { id: number; spsId: number } | null {
  rbsp.load(nal, from, to);
  const r = new BitReader();
  r.reset(rbsp);
  const id = r.ue();
  const spsId = r.ue();
  return id >= 0 && id <= 255 && spsId >= 0 && spsId <= 31 ? { id, spsId } : null;
}

/** Parses a PPS NAL unit `nal[from..to)` with the SPS it refers to (its scaling lists depend on chroma_format_idc). */
export function parsePps(nal: Uint8Array, from: number, to: number, sps: Sps, rbsp = new Rbsp()): Pps | null {
  rbsp.load(nal, from, to);
  const r = new BitReader();
  r.reset(rbsp);
  const id = r.ue();
  const spsId = r.ue();
  if (id < 0 || id > 255 || spsId !== sps.id) return null;
  const entropyCodingMode = r.u1() === 1;
  const bottomFieldPicOrderInFramePresent = r.u1() === 1;
  const numSliceGroups = r.ue() + 1;
  if (numSliceGroups < 1 || numSliceGroups > 8) return null;
  if (numSliceGroups > 1) {
    // Slice group maps are not parsed; the caller reports such pictures as unsupported.
    return {
      id, spsId, entropyCodingMode, bottomFieldPicOrderInFramePresent, numSliceGroups, numRefIdxL0DefaultActive: 1, numRefIdxL1DefaultActive: 1,
      weightedPred: false, weightedBipredIdc: 0, picInitQp: 26, deblockingFilterControlPresent: false, constrainedIntraPred: false,
      redundantPicCntPresent: false, transform8x8Mode: false,
    };
  }
  const numRefIdxL0DefaultActive = r.ue() + 1;
  const numRefIdxL1DefaultActive = r.ue() + 1;
  if (numRefIdxL0DefaultActive < 1 || numRefIdxL0DefaultActive > 32 || numRefIdxL1DefaultActive < 1 || numRefIdxL1DefaultActive > 32) return null;
  const weightedPred = r.u1() === 1;
  const weightedBipredIdc = r.u(2);
  if (weightedBipredIdc > 2) return null;
  const picInitQp = 26 + r.se();
  r.se(); // pic_init_qs_minus26
  const chromaQpIndexOffset = r.se();
  if (!(picInitQp >= -6 * (sps.bitDepthLuma - 8) && picInitQp <= 51) || !(chromaQpIndexOffset >= -12 && chromaQpIndexOffset <= 12)) return null;
  const deblockingFilterControlPresent = r.u1() === 1;
  const constrainedIntraPred = r.u1() === 1;
  const redundantPicCntPresent = r.u1() === 1;
  if (r.overrun) return null;
  let transform8x8Mode = false;
  // more_rbsp_data(): the FRExt tail is present when bits remain before the stop bit.
  if (r.pos < rbsp.stopBit()) {
    transform8x8Mode = r.u1() === 1;
    if (r.u1()) {
      const lists = 6 + (sps.chromaFormatIdc !== 3 ? 2 : 6) * (transform8x8Mode ? 1 : 0);
      for (let i = 0; i < lists; i++) {
        if (r.u1() && !skipScalingList(r, i < 6 ? 16 : 64)) return null;
      }
    }
    r.se(); // second_chroma_qp_index_offset
    if (r.overrun) return null;
  }
  return {
    id, spsId, entropyCodingMode, bottomFieldPicOrderInFramePresent, numSliceGroups, numRefIdxL0DefaultActive, numRefIdxL1DefaultActive,
    weightedPred, weightedBipredIdc, picInitQp, deblockingFilterControlPresent, constrainedIntraPred, redundantPicCntPresent, transform8x8Mode,
  };
}

/** Parameter sets by id, with PPS kept raw until their SPS is known. */
export class ParamSets {
  readonly sps = new Map<number, Sps>();
  readonly pps = new Map<number, Pps>();
  private readonly rbsp = new Rbsp();

  /** Adds an SPS (nal_unit_type 7) or PPS (8) NAL unit `nal[from..to)`. False when it does not parse. */
  add(nal: Uint8Array, from: number, to: number): boolean {
    const type = nal[from]! & 0x1f;
    if (type === 7) {
      const s = parseSps(nal, from, to, this.rbsp);
      if (s) this.sps.set(s.id, s);
      return s !== null;
    }
    if (type === 8) {
      const ids = ppsIds(nal, from, to, this.rbsp);
      const sps = ids ? this.sps.get(ids.spsId) : undefined;
      const p = sps ? parsePps(nal, from, to, sps, this.rbsp) : null;
      if (p) this.pps.set(p.id, p);
      return p !== null;
    }
    return false;
  }
}

/** An AVCDecoderConfigurationRecord (ISO/IEC 14496-15 §5.3.3.1). */
export interface AvcConfig {
  lengthSize: number;
  params: ParamSets;
}

/** Parses the payload of an avcC box (the record, without the box header). Null when malformed. */
export function parseAvcC(avcC: Uint8Array): AvcConfig | null {
  if (avcC.length < 7 || avcC[0] !== 1) return null;
  const lengthSize = (avcC[4]! & 3) + 1;
  if (lengthSize === 3) return null;
  const params = new ParamSets();
  let p = 5;
  const spsCount = avcC[p++]! & 0x1f;
  const ppsAt: number[] = [];
  for (let k = 0; k < spsCount; k++) {
    if (p + 2 > avcC.length) return null;
    const len = (avcC[p]! << 8) | avcC[p + 1]!;
    p += 2;
    if (len < 1 || p + len > avcC.length) return null;
    params.add(avcC, p, p + len);
    p += len;
  }
  if (p >= avcC.length) return null;
  const ppsCount = avcC[p++]!;
  for (let k = 0; k < ppsCount; k++) {
    if (p + 2 > avcC.length) return null;
    const len = (avcC[p]! << 8) | avcC[p + 1]!;
    p += 2;
    if (len < 1 || p + len > avcC.length) return null;
    ppsAt.push(p, p + len);
    p += len;
  }
  for (let k = 0; k < ppsAt.length; k += 2) params.add(avcC, ppsAt[k]!, ppsAt[k + 1]!);
  return { lengthSize, params };
}
