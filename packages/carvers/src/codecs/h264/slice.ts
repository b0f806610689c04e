/**
 * slice_layer_without_partitioning_rbsp() (ITU-T H.264 §7.3.2.8): the slice
 * header, then slice_data() (§7.3.4) parsed macroblock by macroblock to its
 * exact end. A slice is valid only when its last macroblock ends where the
 * RBSP trailing bits begin: CABAC with end_of_slice_flag = 1 followed by
 * the rbsp_stop_one_bit, alignment zeros and optional cabac_zero_words;
 * CAVLC with more_rbsp_data() turning false right after a macroblock.
 */
import { BitReader, Rbsp } from './bitstream.js';
import { CabacSyntax } from './cabac-syntax.js';
import { CavlcSyntax } from './cavlc.js';
import { macroblockLayer } from './macroblock.js';
import { Kind, MbState } from './neighbours.js';
import type { ParamSets } from './params.js';
import { parseSliceHeader, SliceType, type SliceHeader } from './slice-header.js';

/** Outcome of parsing one slice (`mbs` macroblocks of a picture of `picMbs`). `bytePos` is a raw offset in the NAL unit (header and emulation-prevention bytes counted). */
export type SliceResult =
  | { ok: true; mbs: number; picMbs: number }
  | { ok: false; reason: string; bytePos: number }
  | { ok: null; reason: string };

/** Work bound: CABAC bins per RBSP bit and per macroblock, far above what real encoders reach. */
const BINS_PER_BIT = 64;
const BINS_PER_MB = 256;
/** Bits an encoder's CABAC flush may leave between the last decoded bit and rbsp_stop_one_bit. */
const MAX_FLUSH_GAP = 8;

/** Reusable parsing state: one per thread of work, no allocation per slice once warmed up. */
export class SliceParser {
  private readonly rbsp = new Rbsp();
  private readonly r = new BitReader();
  private readonly mb = new MbState();
  private readonly cabac = new CabacSyntax(this.mb);
  private readonly cavlc = new CavlcSyntax(this.mb, this.r);

  /** Parses the slice NAL unit `nal[from..to)` (types 1 and 5; no length prefix). */
  parse(nal: Uint8Array, from: number, to: number, params: ParamSets): SliceResult {
    try {
      return this.parseUnchecked(nal, from, to, params);
    } catch (e) {
      // Nothing below throws by design; this is the last line against a bug turning into a crash.
      return { ok: null, reason: `internal error: ${e instanceof Error ? e.message : String(e)}` };
    }
  }

  private parseUnchecked(nal: Uint8Array, from: number, to: number, params: ParamSets): SliceResult {
    if (to - from < 2) return { ok: false, reason: 'NAL unit too short', bytePos: 0 };
    const head = nal[from]!;
    const type = head & 0x1f;
    if (head & 0x80) return { ok: false, reason: 'forbidden_zero_bit set', bytePos: 0 };
    if (type !== 1 && type !== 5) return { ok: null, reason: `NAL unit type ${type} is not a slice this parser reads` };
    if (type === 5 && (head & 0x60) === 0) return { ok: false, reason: 'IDR with nal_ref_idc 0', bytePos: 0 };
    this.rbsp.load(nal, from, to);
    const r = this.r;
    r.reset(this.rbsp);
    const hr = parseSliceHeader(r, type, (head >> 5) & 3, params);
    if (hr.ok === null) return hr;
    if (hr.ok === false) return { ok: false, reason: hr.reason, bytePos: this.at(r.pos) };
    const h = hr.header;
    const sps = h.sps;
    const picSize = sps.picWidthInMbs * sps.frameHeightInMbs;
    this.mb.setup(sps.picWidthInMbs, picSize, sps.chromaFormatIdc);
    this.mb.firstMb = h.firstMbInSlice;
    return h.pps.entropyCodingMode ? this.cabacData(h, picSize) : this.cavlcData(h, picSize);
  }

  /** Raw NAL offset of RBSP bit `bit` (clamped to the RBSP). */
  private at(bit: number): number {
    const byte = Math.min(Math.max(0, bit) >>> 3, Math.max(0, this.rbsp.length - 1));
    return this.rbsp.rawOffset(byte);
  }

  private bad(reason: string, bit: number): SliceResult {
    return { ok: false, reason, bytePos: this.at(bit) };
  }

  /** slice_data() with CABAC (§7.3.4, entropy_coding_mode_flag = 1). */
  private cabacData(h: SliceHeader, picSize: number): SliceResult {
    const r = this.r;
    // cabac_alignment_one_bit until byte-aligned.
    while (!r.byteAligned()) if (r.u1() !== 1) return this.bad('cabac_alignment_one_bit is 0', r.pos);
    const e = this.cabac;
    const s = this.mb;
    const end = this.rbsp.length * 8;
    e.beginSlice(h.sliceType);
    e.initContexts(h.qp, h.sliceType === SliceType.I ? -1 : h.cabacInitIdc);
    if (!e.initEngine(this.rbsp.buf, r.pos, end)) return this.bad('codIOffset 510/511 at slice start', r.pos);
    const maxBins = BINS_PER_BIT * end + BINS_PER_MB * picSize;
    let addr = h.firstMbInSlice;
    let mbs = 0;
    for (;;) {
      if (addr >= picSize) return this.bad('slice runs past the last macroblock of the picture', e.pos);
      s.enter(addr);
      e.beginMb();
      if (h.sliceType !== SliceType.I && e.mbSkipFlag()) s.kind[addr] = Kind.Skip;
      else if (!macroblockLayer(s, e, h)) return this.bad(e.error || 'macroblock syntax error', e.pos);
      if (e.pos > end) return this.bad('slice data runs out', end);
      if (e.bins > maxBins) return this.bad('too many bins for the slice size', e.pos);
      mbs++;
      if (e.terminate()) break; // end_of_slice_flag
      addr++;
    }
    // The terminating bin leaves pos just past the bits the decoder has consumed. The reference
    // flush (§9.3.4.5) ends exactly on rbsp_stop_one_bit; other encoders flush a few more bits of
    // codILow first, so the stop bit may sit a little later, never earlier.
    const stop = this.rbsp.stopBit();
    const gap = stop - (e.pos - 1);
    if (gap < 0) return this.bad('slice data overlaps rbsp_stop_one_bit', stop);
    if (gap > MAX_FLUSH_GAP) return this.bad('data after the end of the slice', e.pos);
    // Bytes after the stop bit's byte must be cabac_zero_words; stopBit() already makes them zero.
    return { ok: true, mbs, picMbs: picSize };
  }

  /** slice_data() with CAVLC (§7.3.4, entropy_coding_mode_flag = 0). */
  private cavlcData(h: SliceHeader, picSize: number): SliceResult {
    const r = this.r;
    const e = this.cavlc;
    const s = this.mb;
    const stop = this.rbsp.stopBit();
    if (stop < r.pos) return this.bad('no slice data before rbsp_stop_one_bit', r.pos);
    e.beginSlice(h.sliceType, h.sps.profileIdc);
    let addr = h.firstMbInSlice;
    let mbs = 0;
    for (;;) {
      if (h.sliceType !== SliceType.I) {
        const run = r.ue();
        if (run < 0 || run > picSize - addr) return this.bad('mb_skip_run out of range', r.pos);
        for (let k = 0; k < run; k++, addr++, mbs++) {
          s.enter(addr);
          s.kind[addr] = Kind.Skip;
        }
        if (run > 0) {
          if (r.pos > stop) return this.bad('mb_skip_run runs into the trailing bits', stop);
          if (r.pos === stop) break; // more_rbsp_data() false
        }
      }
      if (addr >= picSize) return this.bad('slice runs past the last macroblock of the picture', r.pos);
      s.enter(addr);
      if (!macroblockLayer(s, e, h)) return this.bad(e.error || 'macroblock syntax error', r.pos);
      mbs++;
      addr++;
      if (r.pos > stop) return this.bad('macroblock runs into the trailing bits', stop);
      if (r.pos === stop) break;
    }
    return { ok: true, mbs, picMbs: picSize };
  }
}
