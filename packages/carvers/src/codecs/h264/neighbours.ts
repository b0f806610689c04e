/**
 * Per-macroblock state that later macroblocks' syntax depends on, and the
 * neighbour derivations of ITU-T H.264 §6.4.11 for non-MBAFF frames (A = the
 * macroblock to the left, B = the one above; both available only when
 * inside the current slice, §6.4.8). Nothing here is pixel data: only what
 * CAVLC nC (§9.2.1) and the CABAC ctxIdxInc rules (§9.3.3.1.1) read.
 */

/** Macroblock kinds, as far as neighbour rules distinguish them. */
export enum Kind { None = 0, INxN = 1, I16x16 = 2, IPCM = 3, Inter = 4, Skip = 5, BDirect16x16 = 6 }

/** Bits of `dcCbf`: coded_block_flag of the Intra16x16 luma DC and the two chroma DC blocks. */
export const DC_LUMA = 1;
export const DC_CB = 2;
export const DC_CR = 4;

/** Raster position (y * 4 + x) of luma4x4BlkIdx (§6.4.3: 8x8 blocks in zig-zag, 4x4 blocks inside in zig-zag). */
export const BLK_RASTER = new Uint8Array([0, 1, 4, 5, 2, 3, 6, 7, 8, 9, 12, 13, 10, 11, 14, 15]);

/** State of every macroblock of the current picture, reused from slice to slice. */
export class MbState {
  picWidthInMbs = 0;
  picSizeInMbs = 0;
  /** Chroma blocks per component: 4 (4:2:0), 8 (4:2:2), 0 (monochrome). */
  chromaBlocks = 4;
  /** Rows of chroma 4x4 blocks per component: 2 (4:2:0) or 4 (4:2:2). */
  chromaRows = 2;
  /** First macroblock of the current slice: neighbours before it are unavailable. */
  firstMb = 0;
  /** Current macroblock address and its neighbours (−1 when not available). */
  curr = 0;
  mbA = -1;
  mbB = -1;

  kind = new Uint8Array(0);
  /** CodedBlockPatternLuma | CodedBlockPatternChroma << 4. */
  cbp = new Uint8Array(0);
  transform8x8 = new Uint8Array(0);
  intraChromaPredMode = new Uint8Array(0);
  dcCbf = new Uint8Array(0);
  /** Luma 4x4 blocks, raster order, 16 a macroblock: CAVLC total_coeff, CABAC coded_block_flag (16 for I_PCM). */
  nzY = new Uint8Array(0);
  /** Chroma 4x4 blocks, 16 a macroblock: Cb at 0..7, Cr at 8..15 (raster over a 2-wide grid). */
  nzC = new Uint8Array(0);
  /** min(|mvd|, 127) per 4x4 block (raster), for list l and component c at ((l * 2 + c) * 16 + blk), 64 a macroblock. */
  absMvd = new Uint8Array(0);
  /** ref_idx per 8x8 block for list l at (l * 4 + b8), 8 a macroblock; −1 where the list is not used (or direct, skip, intra). */
  refIdx = new Int8Array(0);

  /** Sizes the arrays for a picture (keeping them when big enough). */
  setup(picWidthInMbs: number, picSizeInMbs: number, chromaFormatIdc: number): void {
    this.picWidthInMbs = picWidthInMbs;
    this.picSizeInMbs = picSizeInMbs;
    this.chromaBlocks = chromaFormatIdc === 0 ? 0 : chromaFormatIdc === 2 ? 8 : 4;
    this.chromaRows = chromaFormatIdc === 2 ? 4 : 2;
    if (this.kind.length < picSizeInMbs) {
      const n = picSizeInMbs;
      this.kind = new Uint8Array(n);
      this.cbp = new Uint8Array(n);
      this.transform8x8 = new Uint8Array(n);
      this.intraChromaPredMode = new Uint8Array(n);
      this.dcCbf = new Uint8Array(n);
      this.nzY = new Uint8Array(16 * n);
      this.nzC = new Uint8Array(16 * n);
      this.absMvd = new Uint8Array(64 * n);
      this.refIdx = new Int8Array(8 * n);
    }
  }

  /** Makes `addr` current: derives mbAddrA/B (§6.4.9) and clears its state. */
  enter(addr: number): void {
    this.curr = addr;
    const w = this.picWidthInMbs;
    this.mbA = addr % w !== 0 && addr - 1 >= this.firstMb ? addr - 1 : -1;
    this.mbB = addr - w >= this.firstMb ? addr - w : -1;
    this.kind[addr] = Kind.None;
    this.cbp[addr] = 0;
    this.transform8x8[addr] = 0;
    this.intraChromaPredMode[addr] = 0;
    this.dcCbf[addr] = 0;
    this.nzY.fill(0, addr * 16, addr * 16 + 16);
    this.nzC.fill(0, addr * 16, addr * 16 + 16);
    this.absMvd.fill(0, addr * 64, addr * 64 + 64);
    this.refIdx.fill(-1, addr * 8, addr * 8 + 8);
  }

  /** I_PCM: every block counts as coded with 16 coefficients (§9.2.1, §9.3.3.1.1.9). */
  markPcm(): void {
    const a = this.curr;
    this.kind[a] = Kind.IPCM;
    this.cbp[a] = 0x2f;
    this.dcCbf[a] = DC_LUMA | DC_CB | DC_CR;
    this.nzY.fill(16, a * 16, a * 16 + 16);
    this.nzC.fill(16, a * 16, a * 16 + 16);
  }

  /**
   * Total coefficients / coded flag of the luma 4x4 block left of (x, y) of
   * the current macroblock, or −1 when that block is not available.
   */
  lumaLeft(x: number, y: number): number {
    if (x > 0) return this.nzY[this.curr * 16 + y * 4 + x - 1]!;
    return this.mbA < 0 ? -1 : this.nzY[this.mbA * 16 + y * 4 + 3]!;
  }

  /** As lumaLeft, for the block above (x, y). */
  lumaAbove(x: number, y: number): number {
    if (y > 0) return this.nzY[this.curr * 16 + (y - 1) * 4 + x]!;
    return this.mbB < 0 ? -1 : this.nzY[this.mbB * 16 + 12 + x]!;
  }

  /** As lumaLeft, for chroma component `c` (0 Cb, 1 Cr) block (x, y) of the 2-wide grid. */
  chromaLeft(c: number, x: number, y: number): number {
    if (x > 0) return this.nzC[this.curr * 16 + c * 8 + y * 2]!;
    return this.mbA < 0 ? -1 : this.nzC[this.mbA * 16 + c * 8 + y * 2 + 1]!;
  }

  /** As chromaLeft, for the block above. */
  chromaAbove(c: number, x: number, y: number): number {
    if (y > 0) return this.nzC[this.curr * 16 + c * 8 + (y - 1) * 2 + x]!;
    return this.mbB < 0 ? -1 : this.nzC[this.mbB * 16 + c * 8 + (this.chromaRows - 1) * 2 + x]!;
  }

  /** absMvdComp of the 4x4 block left of / above (x, y) for list l, component c; 0 when unavailable (§9.3.3.1.1.7). */
  mvdLeft(l: number, c: number, x: number, y: number): number {
    const o = (l * 2 + c) * 16;
    if (x > 0) return this.absMvd[this.curr * 64 + o + y * 4 + x - 1]!;
    return this.mbA < 0 ? 0 : this.absMvd[this.mbA * 64 + o + y * 4 + 3]!;
  }

  mvdAbove(l: number, c: number, x: number, y: number): number {
    const o = (l * 2 + c) * 16;
    if (y > 0) return this.absMvd[this.curr * 64 + o + (y - 1) * 4 + x]!;
    return this.mbB < 0 ? 0 : this.absMvd[this.mbB * 64 + o + 12 + x]!;
  }

  /** ref_idx of list l of the partition covering the 4x4 block left of / above (x, y); −1 when unavailable or unused. */
  refLeft(l: number, x: number, y: number): number {
    if (x > 0) return this.refIdx[this.curr * 8 + l * 4 + (y >> 1) * 2 + ((x - 1) >> 1)]!;
    return this.mbA < 0 ? -1 : this.refIdx[this.mbA * 8 + l * 4 + (y >> 1) * 2 + 1]!;
  }

  refAbove(l: number, x: number, y: number): number {
    if (y > 0) return this.refIdx[this.curr * 8 + l * 4 + ((y - 1) >> 1) * 2 + (x >> 1)]!;
    return this.mbB < 0 ? -1 : this.refIdx[this.mbB * 8 + l * 4 + 2 + (x >> 1)]!;
  }

  /** Records a partition's mvd (both components) over its w×h 4x4 blocks at (x, y). */
  setMvd(l: number, x: number, y: number, w: number, h: number, mx: number, my: number): void {
    const ax = Math.min(Math.abs(mx), 127);
    const ay = Math.min(Math.abs(my), 127);
    const base = this.curr * 64 + l * 32;
    for (let j = y; j < y + h; j++) {
      for (let i = x; i < x + w; i++) {
        this.absMvd[base + j * 4 + i] = ax;
        this.absMvd[base + 16 + j * 4 + i] = ay;
      }
    }
  }

  /** Records ref_idx of list l for the 8x8 blocks a partition at (x, y) of w×h 4x4 blocks covers. */
  setRef(l: number, x: number, y: number, w: number, h: number, ref: number): void {
    const base = this.curr * 8 + l * 4;
    for (let j = y >> 1; j < (y + h + 1) >> 1; j++) {
      for (let i = x >> 1; i < (x + w + 1) >> 1; i++) this.refIdx[base + j * 2 + i] = ref;
    }
  }
}
