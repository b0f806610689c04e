/**
 * residual_coding( ) of ITU-T H.265 §7.3.8.11 for intra and inter blocks: which
 * coefficients are significant and their levels, parsed bin by bin with the
 * context selection of §9.3.4.2.4 to §9.3.4.2.7 and the binarizations of
 * §9.3.3.11 (coeff_abs_level_remaining). Levels are not kept: only whether
 * the bins form a valid block matters here.
 */
import { HevcSyntaxError } from './bitstream.js';
import type { Cabac } from './cabac.js';
import {
  CODED_SUB_BLOCK, EXPLICIT_RDPCM, EXPLICIT_RDPCM_DIR, GREATER1, GREATER2, LAST_X_PREFIX, LAST_Y_PREFIX, SIG_COEFF, TRANSFORM_SKIP,
} from './contexts.js';

/** predModeIntra argument of an inter block (CuPredMode MODE_INTER): diagonal scan, explicit RDPCM. */
export const INTER = 64;

/** Scan orders of §6.5.3 to §6.5.5: SCAN[log2BlkSize][scanIdx] = [x0, y0, x1, y1, ...]. */
const SCAN: Uint8Array[][] = [];
/** Inverse of SCAN: position index of (x, y) at (y << log2) + x. */
const SCAN_POS: Uint8Array[][] = [];
for (let log2 = 0; log2 <= 3; log2++) {
  const size = 1 << log2;
  const diag: number[] = [];
  for (let x = 0, y = 0; diag.length < 2 * size * size; ) {
    // Up-right diagonal (§6.5.3): walk each anti-diagonal from bottom-left to top-right.
    while (y >= 0) {
      if (x < size && y < size) diag.push(x, y);
      y--;
      x++;
    }
    y = x;
    x = 0;
  }
  const hor: number[] = [];
  const ver: number[] = [];
  for (let a = 0; a < size; a++) for (let b = 0; b < size; b++) {
    hor.push(b, a);
    ver.push(a, b);
  }
  SCAN[log2] = [Uint8Array.from(diag), Uint8Array.from(hor), Uint8Array.from(ver)];
  SCAN_POS[log2] = SCAN[log2]!.map((s) => {
    const inv = new Uint8Array(size * size);
    for (let i = 0; i < size * size; i++) inv[(s[2 * i + 1]! << log2) + s[2 * i]!] = i;
    return inv;
  });
}

/** ctxIdxMap of §9.3.4.2.5 for 4×4 blocks, by (yC << 2) + xC. */
const CTX_IDX_MAP = Uint8Array.from([0, 1, 4, 5, 2, 3, 4, 5, 6, 6, 8, 8, 7, 7, 8, 8]);

/** sigCtx inside a sub-block by prevCsbf (§9.3.4.2.5), at (yP << 2) + xP. */
const SIG_PATTERN: Uint8Array[] = [0, 1, 2, 3].map((prevCsbf) => {
  const t = new Uint8Array(16);
  for (let yP = 0; yP < 4; yP++) for (let xP = 0; xP < 4; xP++) {
    t[(yP << 2) + xP] = prevCsbf === 0 ? (xP + yP === 0 ? 2 : xP + yP < 3 ? 1 : 0)
      : prevCsbf === 1 ? (yP === 0 ? 2 : yP === 1 ? 1 : 0)
        : prevCsbf === 2 ? (xP === 0 ? 2 : xP === 1 ? 1 : 0) : 2;
  }
  return t;
});

/** The PPS/SPS switches residual_coding( ) depends on. */
export interface ResidualTools {
  readonly signDataHiding: boolean;
  readonly transformSkipEnabled: boolean;
  readonly log2MaxTransformSkipSize: number;
  readonly transformSkipContext: boolean;
  readonly implicitRdpcm: boolean;
  readonly persistentRice: boolean;
  readonly explicitRdpcm: boolean;
}

/** residual_coding( ) parser with its scratch state (no allocation per block). */
export class ResidualParser {
  /** StatCoeff[ sbType ] of persistent_rice_adaptation (§9.3.3.11), reset with the contexts. */
  readonly statCoeff = new Int32Array(4);
  private readonly csbf = new Uint8Array(64);
  private readonly sigPos = new Uint8Array(16);
  private readonly gt1 = new Uint8Array(16);

  constructor(private readonly cabac: Cabac, private readonly tools: ResidualTools) {}

  /**
   * One transform block. predModeIntra is IntraPredModeY or IntraPredModeC of the
   * block (for scanIdx, §7.4.9.11, and implicit RDPCM), INTER for an inter block. Throws HevcSyntaxError
   * on an out-of-range level.
   */
  parse(log2: number, cIdx: number, predModeIntra: number, transquantBypass: boolean, chroma444: boolean): void {
    const c = this.cabac;
    const t = this.tools;
    let transformSkip = 0;
    if (t.transformSkipEnabled && !transquantBypass && log2 <= t.log2MaxTransformSkipSize) {
      transformSkip = c.decision(TRANSFORM_SKIP + (cIdx > 0 ? 1 : 0));
    }
    let explicitRdpcm = 0;
    if (predModeIntra === INTER && t.explicitRdpcm && (transformSkip === 1 || transquantBypass)) {
      explicitRdpcm = c.decision(EXPLICIT_RDPCM + (cIdx > 0 ? 1 : 0));
      if (explicitRdpcm) c.decision(EXPLICIT_RDPCM_DIR + (cIdx > 0 ? 1 : 0));
    }
    // last_sig_coeff_x/y_prefix (TR, cMax = (log2TrafoSize << 1) − 1, ctxInc of §9.3.4.2.3) and suffix (FL, bypass).
    const cMax = (log2 << 1) - 1;
    const ctxOffset = cIdx === 0 ? 3 * (log2 - 2) + ((log2 - 1) >> 2) : 15;
    const ctxShift = cIdx === 0 ? (log2 + 1) >> 2 : log2 - 2;
    let xPrefix = 0;
    while (xPrefix < cMax && c.decision(LAST_X_PREFIX + ctxOffset + (xPrefix >> ctxShift))) xPrefix++;
    let yPrefix = 0;
    while (yPrefix < cMax && c.decision(LAST_Y_PREFIX + ctxOffset + (yPrefix >> ctxShift))) yPrefix++;
    let lastX = xPrefix > 3 ? (1 << ((xPrefix >> 1) - 1)) * (2 + (xPrefix & 1)) : xPrefix;
    let lastY = yPrefix > 3 ? (1 << ((yPrefix >> 1) - 1)) * (2 + (yPrefix & 1)) : yPrefix;
    if (xPrefix > 3) lastX += c.bypassBits((xPrefix >> 1) - 1);
    if (yPrefix > 3) lastY += c.bypassBits((yPrefix >> 1) - 1);
    // scanIdx (§7.4.9.11): mode-dependent for 4×4 blocks and 8×8 luma (or 8×8 chroma in 4:4:4).
    let scanIdx = 0;
    if (log2 === 2 || (log2 === 3 && (cIdx === 0 || chroma444))) {
      if (predModeIntra >= 6 && predModeIntra <= 14) scanIdx = 2;
      else if (predModeIntra >= 22 && predModeIntra <= 30) scanIdx = 1;
    }
    if (scanIdx === 2) {
      const s = lastX;
      lastX = lastY;
      lastY = s;
    }
    const log2Sb = log2 - 2;
    const sbScan = SCAN[log2Sb]![scanIdx]!;
    const posScan = SCAN[2]![scanIdx]!;
    const lastSubBlock = SCAN_POS[log2Sb]![scanIdx]![((lastY >> 2) << log2Sb) + (lastX >> 2)]!;
    const lastScanPos = SCAN_POS[2]![scanIdx]![((lastY & 3) << 2) + (lastX & 3)]!;
    const sbWidth = 1 << log2Sb;
    const csbf = this.csbf;
    csbf.fill(0, 0, sbWidth * sbWidth);
    const sigPos = this.sigPos;
    const gt1 = this.gt1;
    const tsCtx = t.transformSkipContext && (transformSkip === 1 || transquantBypass);
    const sigBase = SIG_COEFF + (cIdx > 0 ? 27 : 0);
    // Offset added to sigCtx outside the DC position (§9.3.4.2.5), per block size, component and scan.
    const sizeOffset = log2 === 3 ? (cIdx === 0 ? (scanIdx === 0 ? 9 : 15) : 9) : cIdx === 0 ? 21 : 12;
    const gt1Base = GREATER1 + (cIdx > 0 ? 16 : 0);
    const gt2Base = GREATER2 + (cIdx > 0 ? 4 : 0);
    const noHiding = transquantBypass || explicitRdpcm === 1 || (t.implicitRdpcm && transformSkip === 1 && (predModeIntra === 10 || predModeIntra === 26));
    const sbType = (cIdx === 0 ? 2 : 0) + (transformSkip === 1 || transquantBypass ? 1 : 0);
    let greater1Ctx = 1;
    for (let i = lastSubBlock; i >= 0; i--) {
      const xS = sbScan[2 * i]!;
      const yS = sbScan[2 * i + 1]!;
      const right = xS + 1 < sbWidth ? csbf[(yS << log2Sb) + xS + 1]! : 0;
      const below = yS + 1 < sbWidth ? csbf[((yS + 1) << log2Sb) + xS]! : 0;
      let inferSbDc = false;
      let coded = 1;
      if (i < lastSubBlock && i > 0) {
        coded = c.decision(CODED_SUB_BLOCK + (cIdx > 0 ? 2 : 0) + (right | below));
        inferSbDc = true;
      }
      csbf[(yS << log2Sb) + xS] = coded;
      let nSig = 0;
      let n = 15;
      if (i === lastSubBlock) {
        sigPos[nSig++] = lastScanPos;
        n = lastScanPos - 1;
      }
      if (coded) {
        const pattern = SIG_PATTERN[right | (below << 1)]!;
        const sbOffset = sizeOffset + (cIdx === 0 && i > 0 ? 3 : 0);
        for (; n >= 0; n--) {
          const xP = posScan[2 * n]!;
          const yP = posScan[2 * n + 1]!;
          if (n === 0 && inferSbDc) {
            sigPos[nSig++] = 0; // inferred 1: the sub-block is coded and nothing else was significant
            break;
          }
          let sigCtx: number;
          if (tsCtx) sigCtx = cIdx === 0 ? 42 : 16;
          else if (log2 === 2) sigCtx = CTX_IDX_MAP[(yP << 2) + xP]!;
          else if (i === 0 && n === 0) sigCtx = 0;
          else sigCtx = pattern[(yP << 2) + xP]! + sbOffset;
          if (c.decision(sigBase + sigCtx)) {
            sigPos[nSig++] = n;
            inferSbDc = false;
          }
        }
      }
      if (nSig === 0) continue;
      // coeff_abs_level_greater1_flag: ctxSet and greater1Ctx of §9.3.4.2.6.
      let ctxSet = i === 0 || cIdx > 0 ? 0 : 2;
      if (greater1Ctx === 0) ctxSet++;
      greater1Ctx = 1;
      let firstG1 = -1;
      const numG1 = nSig < 8 ? nSig : 8;
      for (let m = 0; m < numG1; m++) {
        const f = c.decision(gt1Base + (ctxSet << 2) + greater1Ctx);
        gt1[m] = f;
        if (f) {
          greater1Ctx = 0;
          if (firstG1 < 0) firstG1 = m;
        } else if (greater1Ctx > 0 && greater1Ctx < 3) greater1Ctx++;
      }
      const gt2 = firstG1 >= 0 ? c.decision(gt2Base + ctxSet) : 0;
      // coeff_sign_flag, one hidden when sign data hiding applies (§7.3.8.11, signHidden).
      const hidden = t.signDataHiding && !noHiding && sigPos[0]! - sigPos[nSig - 1]! > 3;
      c.bypassBits(hidden ? nSig - 1 : nSig);
      // coeff_abs_level_remaining with the Rice parameter of §9.3.3.11.
      let rice = t.persistentRice ? this.statCoeff[sbType]! >> 2 : 0;
      let firstRemaining = true;
      for (let m = 0; m < nSig; m++) {
        const base = m < 8 ? 1 + gt1[m]! + (m === firstG1 ? gt2 : 0) : 1;
        if (base !== (m < 8 ? (m === firstG1 ? 3 : 2) : 1)) continue;
        const rem = this.coeffAbsLevelRemaining(rice);
        const abs = base + rem;
        if (abs > 32768) throw new HevcSyntaxError(`coefficient level ${abs} is outside the 16-bit range`);
        if (t.persistentRice && firstRemaining) {
          const init = this.statCoeff[sbType]! >> 2;
          if (rem >= 3 << init) this.statCoeff[sbType]!++;
          else if (2 * rem < 1 << init && this.statCoeff[sbType]! > 0) this.statCoeff[sbType]!--;
        }
        firstRemaining = false;
        if (abs > 3 << rice) rice = t.persistentRice ? rice + 1 : Math.min(rice + 1, 4);
      }
    }
  }

  /**
   * coeff_abs_level_remaining (§9.3.3.11): a TR prefix with cMax 4 << rice,
   * then an EG(rice + 1) suffix; at most 32 prefix bins.
   */
  private coeffAbsLevelRemaining(rice: number): number {
    const c = this.cabac;
    let prefix = 0;
    while (prefix < 32 && c.bypass()) prefix++;
    if (prefix < 4) return (prefix << rice) + c.bypassBits(rice);
    const k = prefix - 4 + rice + 1;
    if (prefix === 32 || k > 22) throw new HevcSyntaxError('coeff_abs_level_remaining prefix too long');
    return (4 << rice) + (((1 << (prefix - 4)) - 1) << (rice + 1)) + c.bypassBits(k);
  }
}
