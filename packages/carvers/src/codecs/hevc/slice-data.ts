/**
 * slice_segment_data( ) of ITU-T H.265 §7.3.8.1: the CTU loop with
 * end_of_slice_segment_flag, substreams (tiles and WPP rows: end_of_subset_one_bit,
 * byte_alignment( ), entry points, context initialisation and synchronisation of
 * §9.3.1 and §9.3.2), and the final check that the slice ends exactly at its
 * rbsp_slice_segment_trailing_bits( ).
 */
import { HevcSyntaxError, nalOffset, type Rbsp } from './bitstream.js';
import { Cabac } from './cabac.js';
import { initialContexts } from './contexts.js';
import { CtuParser } from './ctu.js';
import type { PictureState } from './picture.js';
import type { SliceHeader } from './slice-header.js';

/** Where parsing stopped and why, in NAL unit terms. */
export interface SliceDataFailure {
  readonly reason: string;
  /** CTUs fully parsed before the failure. */
  readonly ctu: number;
  /** NAL unit byte offset (2-byte header included) of the bit being read when the parse failed. */
  readonly bytePos: number;
}

export interface SliceDataResult {
  /** CTUs in the slice segment. */
  readonly ctus: number;
  /** Whether the segment ended with the picture's last CTB. */
  readonly endOfPicture: boolean;
}

/** Bins decoded at most per RBSP byte (a decision bin costs at least ~1/42 bit) plus per CTU, before giving up. */
const BINS_PER_BYTE = 400;
const BINS_PER_CTU = 64;

/** Parses the slice data of one slice segment; returns its CTU count or where it failed. */
export function parseSliceData(rbsp: Rbsp, sh: SliceHeader, pic: PictureState): SliceDataResult | SliceDataFailure {
  const data = rbsp.bytes;
  // The stop bit: the last 1 bit of the RBSP; trailing zero bytes are cabac_zero_words (§7.3.2.11).
  let last = data.length - 1;
  while (last >= sh.dataStart && data[last] === 0) last--;
  const c = new Cabac();
  const ctuParser = new CtuParser(c, pic, sh);
  const residual = ctuParser.residual;
  let ctus = 0;
  const fail = (reason: string, bitPos = c.consumedBits() - 1): SliceDataFailure => ({
    reason, ctu: ctus, bytePos: nalOffset(rbsp, Math.max(0, Math.min(data.length, bitPos >> 3))),
  });
  if (last < sh.dataStart) return fail('slice segment has no slice data', sh.dataStart * 8);
  const stopBit = last * 8 + 7 - ctz8(data[last]!);
  const endBit = stopBit + 1;
  ctuParser.expectZeroBitsToByteEnd = (bitPos, what) => {
    for (let b = bitPos; b & 7; b++) if (bitAt(data, b)) throw new HevcSyntaxError(`${what} is 1`);
  };
  ctuParser.restartAt = (byte) => {
    if (byte * 8 > endBit) throw new HevcSyntaxError('PCM samples run past the slice data');
    c.start(data, byte, last + 1);
  };
  const maxBins = BINS_PER_BYTE * (data.length - sh.dataStart) + BINS_PER_CTU * pic.sizeInCtbs + 4096;
  const { pps } = sh;
  const w = pic.widthInCtbs;
  const sliceQpY = sh.sliceQpY;
  const fresh = (): void => {
    c.ctx.set(initialContexts(sliceQpY, sh.initType));
    residual.statCoeff.fill(0);
  };
  /** Context initialisation when a CTU starts a tile, a WPP row or the segment (§9.3.1). */
  const initFor = (rs: number, segmentStart: boolean): void => {
    const x = rs % w;
    if (pic.firstCtbInTile(rs)) fresh();
    else if (pps.entropyCodingSync && x === pic.tileColStart[x]) {
      // Synchronise with the CTB above-right (xCtb + CtbSizeY, yCtb − CtbSizeY) when it is available.
      const t = rs - w + 1;
      const ok = rs >= w && x + 1 < w && pic.ctbSliceAddr[t] === sh.sliceAddrRs && pic.tileIdRs[t] === pic.tileIdRs[rs];
      if (ok) {
        c.ctx.set(pic.wppContexts);
        residual.statCoeff.set(pic.wppStatCoeff);
      } else fresh();
    } else if (segmentStart && sh.dependent) {
      if (!pic.dsValid) throw new HevcSyntaxError('dependent slice segment without a preceding segment');
      c.ctx.set(pic.dsContexts);
      residual.statCoeff.set(pic.dsStatCoeff);
    } else if (segmentStart) fresh();
  };
  let ts = pic.ctbAddrRsToTs[sh.segmentAddress]!;
  if (ts !== pic.nextCtbTs) return fail(`slice segment starts at CTB ${ts} (tile scan), expected ${pic.nextCtbTs}`, sh.dataStart * 8);
  const entryBase = nalOffset(rbsp, sh.dataStart);
  let substream = 0;
  let entryAt = entryBase;
  try {
    c.start(data, sh.dataStart, last + 1);
    let rs = pic.ctbAddrTsToRs[ts]!;
    initFor(rs, true);
    for (;;) {
      ctuParser.codingTreeUnit(rs);
      if (c.consumedBits() > endBit) return fail('slice data exhausted inside a CTU', endBit);
      if (c.bins > maxBins) return fail('too many bins for the slice data size');
      // WPP storage after the 2nd CTB of a row in its tile (§9.3.2.2, end of CTU parsing).
      const x = rs % w;
      if (pps.entropyCodingSync && x === pic.tileColStart[x]! + 1) {
        pic.wppContexts.set(c.ctx);
        pic.wppStatCoeff.set(residual.statCoeff);
      }
      const endOfSlice = c.terminate();
      ctus++;
      ts++;
      if (endOfSlice) break;
      if (ts >= pic.sizeInCtbs) return fail('end_of_slice_segment_flag is 0 at the last CTB of the picture');
      const nextRs = pic.ctbAddrTsToRs[ts]!;
      const newTile = pps.tilesEnabled && pic.tileIdRs[nextRs] !== pic.tileIdRs[rs];
      const newRow = pps.entropyCodingSync && (nextRs % w === 0 || pic.tileIdRs[nextRs] !== pic.tileIdRs[nextRs - 1]);
      rs = nextRs;
      if (newTile || newRow) {
        if (!c.terminate()) return fail('end_of_subset_one_bit is 0');
        const bit = c.consumedBits();
        if (!bitAt(data, bit - 1)) return fail('alignment_bit_equal_to_one is 0');
        ctuParser.expectZeroBitsToByteEnd(bit, 'alignment_bit_equal_to_zero');
        const next = (bit + 7) >> 3;
        // Entry points count the slice data's NAL bytes, emulation prevention included (§7.4.7.1).
        const size = sh.entryPointSizes[substream++];
        if (size === undefined) return fail('more substreams than entry points');
        entryAt += size;
        const at = nalOffset(rbsp, next);
        if (at !== entryAt && !(at === entryAt + 1 && nalOffset(rbsp, next - 1) === at - 2)) {
          return fail(`substream ${substream} starts at NAL byte ${at}, entry point says ${entryAt}`);
        }
        if (next * 8 >= endBit) return fail('slice data exhausted at a substream start');
        c.start(data, next, last + 1);
        initFor(rs, false);
      }
    }
    if (substream !== sh.entryPointSizes.length) return fail(`${sh.entryPointSizes.length} entry points, ${substream} substreams`);
    const consumed = c.consumedBits();
    if (consumed !== endBit) {
      return fail(consumed < endBit ? `end_of_slice_segment_flag ${endBit - consumed} bits before the rbsp_stop_one_bit` : 'slice data exhausted');
    }
    if (pps.dependentSliceSegmentsEnabled) {
      pic.dsContexts.set(c.ctx);
      pic.dsStatCoeff.set(residual.statCoeff);
      pic.dsValid = true;
    }
    pic.nextCtbTs = ts;
    return { ctus, endOfPicture: ts === pic.sizeInCtbs };
  } catch (e) {
    if (e instanceof HevcSyntaxError) return fail(e.message);
    throw e;
  }
}

function bitAt(data: Uint8Array, bit: number): number {
  return (data[bit >> 3]! >> (7 - (bit & 7))) & 1;
}

/** Trailing zero bits of a non-zero byte. */
function ctz8(b: number): number {
  let n = 0;
  while (!(b & (1 << n))) n++;
  return n;
}
