/**
 * Syntax-only HEVC slice parser (ITU-T H.265), to tell whether a HEIC image
 * item's coded data or a movie's video sample is a valid, exactly terminated
 * picture: foreign bytes anywhere in CABAC data desynchronise the decoder, so
 * the parse fails to end exactly at the NAL end. No pixel is reconstructed,
 * no reference picture is needed (I, P and B slices parse alike).
 *
 * Results: ok true (valid), ok false (invalid, with where it failed) or ok null
 * (a feature this parser does not implement: no verdict either way).
 */
import { HevcSyntaxError, HevcUnsupported, unescapeRbsp } from './bitstream.js';
import { parsePps, parseSps, type Pps, type Sps } from './params.js';
import { MAX_PICTURE_SAMPLES, PictureState } from './picture.js';
import { parseSliceData } from './slice-data.js';
import { I_SLICE, parseSliceHeader, type SliceHeader } from './slice-header.js';

export { HevcSyntaxError, HevcUnsupported } from './bitstream.js';
export type { Pps, Sps } from './params.js';

/** Parameter sets from an hvcC box, by id. */
export interface ParameterSets {
  readonly sps: ReadonlyMap<number, Sps>;
  readonly pps: ReadonlyMap<number, Pps>;
  /** NAL unit length field size of the item data (lengthSizeMinusOne + 1). */
  readonly lengthSize: number;
}

export type HevcResult<T> =
  | ({ ok: true } & T)
  | { ok: false; reason: string; ctu: number; bytePos: number }
  | { ok: null; reason: string };

const NAL_VPS = 32;
const NAL_SPS = 33;
const NAL_PPS = 34;

/**
 * Parses an HEVCDecoderConfigurationRecord (ISO/IEC 14496-15 §8.3.3.1, the
 * hvcC property's payload) and the SPS and PPS NAL units in its arrays.
 */
export function parseHvcC(hvcC: Uint8Array): HevcResult<{ params: ParameterSets }> {
  try {
    if (hvcC.length < 23) return { ok: false, reason: 'hvcC shorter than its 23-byte header', ctu: 0, bytePos: 0 };
    const lengthSize = (hvcC[21]! & 3) + 1;
    if (lengthSize === 3) return { ok: false, reason: 'hvcC lengthSizeMinusOne is 2', ctu: 0, bytePos: 21 };
    const spsNals: Uint8Array[] = [];
    const ppsNals: Uint8Array[] = [];
    let p = 23;
    for (let a = 0; a < hvcC[22]!; a++) {
      if (p + 3 > hvcC.length) return { ok: false, reason: 'hvcC arrays run past its end', ctu: 0, bytePos: p };
      const type = hvcC[p]! & 0x3f;
      const count = (hvcC[p + 1]! << 8) | hvcC[p + 2]!;
      p += 3;
      for (let i = 0; i < count; i++) {
        if (p + 2 > hvcC.length) return { ok: false, reason: 'hvcC NAL unit runs past its end', ctu: 0, bytePos: p };
        const len = (hvcC[p]! << 8) | hvcC[p + 1]!;
        if (p + 2 + len > hvcC.length || len < 2) return { ok: false, reason: 'hvcC NAL unit runs past its end', ctu: 0, bytePos: p };
        const nal = hvcC.subarray(p + 2, p + 2 + len);
        const nalType = (nal[0]! >> 1) & 0x3f;
        if (nalType !== type && type !== 0) return { ok: false, reason: `hvcC array of type ${type} holds a NAL unit of type ${nalType}`, ctu: 0, bytePos: p };
        if (nalType === NAL_SPS && (nal[0]! & 1) === 0 && nal[1]! >> 3 === 0) spsNals.push(nal);
        else if (nalType === NAL_PPS && (nal[0]! & 1) === 0 && nal[1]! >> 3 === 0) ppsNals.push(nal);
        else if (nalType !== NAL_VPS && (nalType < 35 || nalType > 40)) {
          if (nalType < 32) return { ok: false, reason: `hvcC holds a VCL NAL unit (type ${nalType})`, ctu: 0, bytePos: p };
        }
        p += 2 + len;
      }
    }
    const sps = new Map<number, Sps>();
    for (const nal of spsNals) {
      const s = parseSps(unescapeRbsp(nal).bytes);
      if (s.width * s.height > MAX_PICTURE_SAMPLES) return { ok: null, reason: `picture of ${s.width}×${s.height} is larger than handled` };
      sps.set(s.id, s);
    }
    const pps = new Map<number, Pps>();
    for (const nal of ppsNals) {
      const q = parsePps(unescapeRbsp(nal).bytes, sps);
      pps.set(q.id, q);
    }
    if (sps.size === 0 || pps.size === 0) return { ok: false, reason: 'hvcC holds no SPS or no PPS', ctu: 0, bytePos: 0 };
    return { ok: true, params: { sps, pps, lengthSize } };
  } catch (e) {
    return verdict(e);
  }
}

/** What an exception means: a syntax error (invalid), an unsupported feature, or a bug (reported as unsupported, never as a verdict). */
function verdict(e: unknown): { ok: false; reason: string; ctu: number; bytePos: number } | { ok: null; reason: string } {
  if (e instanceof HevcSyntaxError) return { ok: false, reason: e.message, ctu: 0, bytePos: 0 };
  if (e instanceof HevcUnsupported) return { ok: null, reason: e.message };
  return { ok: null, reason: `internal error: ${e instanceof Error ? e.message : String(e)}` };
}

/** State of a picture whose slice segments are parsed one after the other. */
export interface PictureContext {
  readonly state: PictureState;
  last?: SliceHeader;
}

/**
 * Parses one coded slice segment NAL unit (header included, no length field)
 * of an intra picture: ok true when every CTU parsed and the segment ends
 * exactly with its rbsp_slice_segment_trailing_bits at the NAL end (trailing
 * cabac_zero_words allowed). Pass the `picture` returned for the previous
 * segment of the same picture; a first segment starts a new picture.
 */
export function parseIntraSlice(params: ParameterSets, nal: Uint8Array, picture?: PictureContext): HevcResult<{ ctus: number; endOfPicture: boolean; picture: PictureContext }> {
  return sliceSegment(params, nal, picture, true);
}

/**
 * Parses one coded slice segment NAL unit of any slice type (I, P or B), as
 * parseIntraSlice does: ok true when it parses and ends exactly at its NAL
 * end. Pass the `picture` returned for the previous segment of the same picture.
 */
export function parseSlice(params: ParameterSets, nal: Uint8Array, picture?: PictureContext): HevcResult<{ ctus: number; endOfPicture: boolean; picture: PictureContext }> {
  return sliceSegment(params, nal, picture, false);
}

function sliceSegment(params: ParameterSets, nal: Uint8Array, picture: PictureContext | undefined, intraOnly: boolean): HevcResult<{ ctus: number; endOfPicture: boolean; picture: PictureContext }> {
  let rbspLength = 0;
  try {
    if (nal.length < 3) return { ok: false, reason: 'NAL unit shorter than 3 bytes', ctu: 0, bytePos: 0 };
    if (nal[0]! & 0x80) return { ok: false, reason: 'forbidden_zero_bit is 1', ctu: 0, bytePos: 0 };
    if ((nal[1]! & 7) === 0) return { ok: false, reason: 'nuh_temporal_id_plus1 is 0', ctu: 0, bytePos: 1 };
    const rbsp = unescapeRbsp(nal);
    rbspLength = rbsp.bytes.length;
    const first = (rbsp.bytes[2]! & 0x80) !== 0;
    if (!first && !picture) return { ok: null, reason: 'slice segment that does not start a picture, without the picture before it' };
    const sh = parseSliceHeader(rbsp.bytes, params.pps, params.sps, first ? undefined : picture?.last);
    if (intraOnly && sh.sliceType !== I_SLICE) return { ok: null, reason: `slice_type ${sh.sliceType} (P/B) in an image item` };
    // Range-extension tools the residual parser does not implement: their syntax differs, so a parse
    // would call a valid stream invalid. Unsupported, never a verdict.
    if (sh.sps.extendedPrecision || sh.sps.cabacBypassAlignment) return { ok: null, reason: 'extended precision or CABAC bypass alignment (range extensions) not supported' };
    let ctx = picture;
    if (first || !ctx || ctx.state.pps !== sh.pps) {
      if (!first) return { ok: false, reason: 'slice segment of a picture names another PPS', ctu: 0, bytePos: 2 };
      ctx = { state: new PictureState(sh.sps, sh.pps) };
    }
    const r = parseSliceData(rbsp, sh, ctx.state);
    if ('reason' in r) return { ok: false, ...r };
    if (!sh.dependent) ctx.last = sh;
    return { ok: true, ctus: r.ctus, endOfPicture: r.endOfPicture, picture: ctx };
  } catch (e) {
    const v = verdict(e);
    if (v.ok === false) return { ...v, bytePos: Math.min(2, rbspLength) };
    return v;
  }
}

/**
 * Parses a HEIF image item's data (length-prefixed NAL units, ISO/IEC
 * 14496-15) as one intra picture: every VCL NAL unit must parse and the last
 * must end the picture. Non-VCL NAL units (SEI, parameter sets) are skipped.
 */
export function parseIntraItem(params: ParameterSets, item: Uint8Array): HevcResult<{ ctus: number; slices: number }> {
  let p = 0;
  let picture: PictureContext | undefined;
  let ctus = 0;
  let slices = 0;
  let done = false;
  while (p < item.length) {
    if (p + params.lengthSize > item.length) return { ok: false, reason: 'NAL length field runs past the item end', ctu: ctus, bytePos: p };
    let len = 0;
    for (let i = 0; i < params.lengthSize; i++) len = len * 256 + item[p + i]!;
    p += params.lengthSize;
    if (len < 2 || p + len > item.length) return { ok: false, reason: `NAL unit of ${len} bytes does not fit the item`, ctu: ctus, bytePos: p };
    const nal = item.subarray(p, p + len);
    const type = (nal[0]! >> 1) & 0x3f;
    if (type < 32) {
      if (done) return { ok: false, reason: 'coded slice after the picture was complete', ctu: ctus, bytePos: p };
      const r = parseIntraSlice(params, nal, picture);
      if (r.ok !== true) return r.ok === false ? { ...r, bytePos: p + r.bytePos } : r;
      picture = r.picture;
      ctus += r.ctus;
      slices++;
      done = r.endOfPicture;
    }
    p += len;
  }
  if (!done) return { ok: false, reason: slices === 0 ? 'no coded slice' : 'picture incomplete: its last CTBs have no slice', ctu: ctus, bytePos: item.length };
  return { ok: true, ctus, slices };
}

/** A copy of the parameter sets that in-band SPS/PPS NAL units of one sample update. */
function withParameterSet(params: ParameterSets, nal: Uint8Array, type: number): ParameterSets {
  const bytes = unescapeRbsp(nal).bytes;
  const sps = new Map(params.sps);
  const pps = new Map(params.pps);
  if (type === NAL_SPS) {
    const s = parseSps(bytes);
    if (s.width * s.height > MAX_PICTURE_SAMPLES) throw new HevcUnsupported(`picture of ${s.width}×${s.height} is larger than handled`);
    sps.set(s.id, s);
  } else {
    const q = parsePps(bytes, sps);
    pps.set(q.id, q);
  }
  return { sps, pps, lengthSize: params.lengthSize };
}

/**
 * Parses one MP4/MOV video sample (ISO/IEC 14496-15: one access unit of
 * length-prefixed NAL units) as one picture of any slice types: every VCL NAL
 * unit must parse and the last must end the picture. In-band VPS/SPS/PPS
 * update a copy of the parameter sets for this sample only; AUD, SEI and the
 * other non-VCL NAL units are skipped. bytePos of a failure is a sample offset.
 */
export function parseSample(params: ParameterSets, sample: Uint8Array): HevcResult<{ ctus: number; slices: number }> {
  let p = 0;
  let picture: PictureContext | undefined;
  let ctus = 0;
  let slices = 0;
  let done = false;
  let sets = params;
  while (p < sample.length) {
    if (p + params.lengthSize > sample.length) return { ok: false, reason: 'NAL length field runs past the sample end', ctu: ctus, bytePos: p };
    let len = 0;
    for (let i = 0; i < params.lengthSize; i++) len = len * 256 + sample[p + i]!;
    const at = p;
    p += params.lengthSize;
    if (len < 2 || p + len > sample.length) return { ok: false, reason: `NAL unit of ${len} bytes does not fit the sample`, ctu: ctus, bytePos: at };
    const nal = sample.subarray(p, p + len);
    if (nal[0]! & 0x80) return { ok: false, reason: 'forbidden_zero_bit is 1', ctu: ctus, bytePos: p };
    const type = (nal[0]! >> 1) & 0x3f;
    const layer = ((nal[0]! & 1) << 5) | (nal[1]! >> 3);
    if (type < 32) {
      if (done) return { ok: false, reason: 'coded slice after the picture was complete', ctu: ctus, bytePos: p };
      if (!picture && nal.length > 2 && !(nal[2]! & 0x80)) {
        return { ok: false, reason: 'the first slice segment of the sample does not start a picture', ctu: ctus, bytePos: p };
      }
      const r = parseSlice(sets, nal, picture);
      if (r.ok !== true) return r.ok === false ? { ...r, ctu: ctus + r.ctu, bytePos: p + r.bytePos } : r;
      picture = r.picture;
      ctus += r.ctus;
      slices++;
      done = r.endOfPicture;
    } else if ((type === NAL_SPS || type === NAL_PPS) && layer === 0) {
      // A parameter set between the slices of a picture applies to later pictures only (§7.4.2.4.2).
      if (picture) {
        p += len;
        continue;
      }
      try {
        sets = withParameterSet(sets, nal, type);
      } catch (e) {
        const v = verdict(e);
        if (v.ok === false) return { ...v, ctu: ctus, bytePos: p };
        return v;
      }
    }
    p += len;
  }
  if (!done) return { ok: false, reason: slices === 0 ? 'no coded slice' : 'picture incomplete: its last CTBs have no slice', ctu: ctus, bytePos: sample.length };
  return { ok: true, ctus, slices };
}
