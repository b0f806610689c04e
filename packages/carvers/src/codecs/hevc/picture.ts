/**
 * Per-picture state that outlives one slice segment: the tile scan of
 * ITU-T H.265 §6.5.1, which slice each CTB belongs to (availability, §6.4.1),
 * coding tree depths, skip flags and luma intra modes of decoded blocks (neighbour-based
 * context selection and most probable modes), and the context states that
 * WPP and dependent slice segments carry over (§9.3.2.3, §9.3.2.4).
 */
import { NUM_CONTEXTS } from './contexts.js';
import type { Pps, Sps } from './params.js';

/** Largest picture handled (8192 × 8192 luma samples = 4 M CTBs of 16): bounds the per-picture arrays. */
export const MAX_PICTURE_SAMPLES = 8192 * 8192;

export class PictureState {
  readonly widthInCtbs: number;
  readonly sizeInCtbs: number;
  readonly ctbAddrRsToTs: Int32Array;
  readonly ctbAddrTsToRs: Int32Array;
  /** TileId by raster scan CTB address. */
  readonly tileIdRs: Int32Array;
  /** First CTB column of the tile column each CTB column is in. */
  readonly tileColStart: Int32Array;
  /** SliceAddrRs of the slice each CTB was decoded in; −1 while not decoded. */
  readonly ctbSliceAddr: Int32Array;
  /** CtDepth per minimum coding block. */
  readonly ctDepth: Uint8Array;
  /** cu_skip_flag per minimum coding block (ctxInc of the next cu_skip_flag, §9.3.4.2.2). */
  readonly skipFlag: Uint8Array;
  readonly widthInMinCbs: number;
  /** IntraPredModeY per 4×4 block (1, DC, for PCM and inter blocks, as §8.4.2 treats them). */
  readonly intraMode: Uint8Array;
  readonly widthIn4: number;
  /** Context states saved after the 2nd CTB of a row (WPP storage, §9.3.2.3). */
  readonly wppContexts = new Uint8Array(NUM_CONTEXTS);
  readonly wppStatCoeff = new Int32Array(4);
  /** Context states at the end of the previous slice segment (for a dependent one). */
  readonly dsContexts = new Uint8Array(NUM_CONTEXTS);
  readonly dsStatCoeff = new Int32Array(4);
  dsValid = false;
  /** Next CTB (tile scan) a slice segment of this picture must start at. */
  nextCtbTs = 0;

  constructor(readonly sps: Sps, readonly pps: Pps) {
    const w = sps.picWidthInCtbs;
    const h = sps.picHeightInCtbs;
    this.widthInCtbs = w;
    this.sizeInCtbs = w * h;
    this.ctbAddrRsToTs = new Int32Array(this.sizeInCtbs);
    this.ctbAddrTsToRs = new Int32Array(this.sizeInCtbs);
    this.tileIdRs = new Int32Array(this.sizeInCtbs);
    this.tileColStart = new Int32Array(w);
    const colBd = pps.colBd;
    const rowBd = pps.rowBd;
    // CtbAddrRsToTs (6-5) and TileId (6-7), walking tiles in raster order and CTBs in raster order inside each.
    let ts = 0;
    let tileId = 0;
    for (let j = 0; j + 1 < rowBd.length; j++) {
      for (let i = 0; i + 1 < colBd.length; i++, tileId++) {
        for (let y = rowBd[j]!; y < rowBd[j + 1]!; y++) {
          for (let x = colBd[i]!; x < colBd[i + 1]!; x++) {
            const rs = y * w + x;
            this.ctbAddrRsToTs[rs] = ts;
            this.ctbAddrTsToRs[ts] = rs;
            this.tileIdRs[rs] = tileId;
            ts++;
          }
        }
      }
    }
    for (let i = 0; i + 1 < colBd.length; i++) for (let x = colBd[i]!; x < colBd[i + 1]!; x++) this.tileColStart[x] = colBd[i]!;
    this.ctbSliceAddr = new Int32Array(this.sizeInCtbs).fill(-1);
    this.widthInMinCbs = w << (sps.ctbLog2 - sps.minCbLog2);
    this.ctDepth = new Uint8Array(this.widthInMinCbs * (h << (sps.ctbLog2 - sps.minCbLog2)));
    this.skipFlag = new Uint8Array(this.ctDepth.length);
    this.widthIn4 = w << (sps.ctbLog2 - 2);
    this.intraMode = new Uint8Array(this.widthIn4 * (h << (sps.ctbLog2 - 2)));
  }

  /** Whether CTB `rs` starts a tile. */
  firstCtbInTile(rs: number): boolean {
    const ts = this.ctbAddrRsToTs[rs]!;
    return ts === 0 || this.tileIdRs[this.ctbAddrTsToRs[ts - 1]!] !== this.tileIdRs[rs];
  }
}
