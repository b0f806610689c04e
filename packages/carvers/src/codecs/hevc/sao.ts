/**
 * sao( rx, ry ) of ITU-T H.265 §7.3.8.3: the SAO parameters at the start of
 * a CTU, with the binarizations of Table 9-43 (merge flags and the first
 * sao_type_idx bin context coded, everything else bypass).
 */
import type { Cabac } from './cabac.js';
import { SAO_MERGE, SAO_TYPE } from './contexts.js';
import type { PictureState } from './picture.js';
import type { SliceHeader } from './slice-header.js';

/** Parses the SAO syntax of the CTB at raster address rs (column ctbX, row ctbY). */
export function parseSao(c: Cabac, pic: PictureState, sh: SliceHeader, rs: number, ctbX: number, ctbY: number): void {
  const w = pic.widthInCtbs;
  const tile = pic.tileIdRs[rs];
  let merge = 0;
  if (ctbX > 0 && rs > sh.sliceAddrRs && pic.tileIdRs[rs - 1] === tile) merge = c.decision(SAO_MERGE);
  if (!merge && ctbY > 0 && rs - w >= sh.sliceAddrRs && pic.tileIdRs[rs - w] === tile) merge = c.decision(SAO_MERGE);
  if (merge) return;
  const sps = sh.sps;
  let chromaType = 0;
  for (let cIdx = 0; cIdx < (sps.chromaArrayType !== 0 ? 3 : 1); cIdx++) {
    if (cIdx === 0 ? !sh.saoLuma : !sh.saoChroma) continue;
    // sao_type_idx: TR cMax 2, first bin context coded, second bypass (Table 9-43).
    const type = cIdx === 2 ? chromaType : c.decision(SAO_TYPE) ? (c.bypass() ? 2 : 1) : 0;
    if (cIdx === 1) chromaType = type;
    if (type === 0) continue;
    const cMax = (1 << (Math.min(cIdx === 0 ? sps.bitDepthY : sps.bitDepthC, 10) - 5)) - 1;
    let nonZero = 0;
    for (let i = 0; i < 4; i++) {
      let v = 0;
      while (v < cMax && c.bypass()) v++; // sao_offset_abs, TR bypass
      if (v) nonZero++;
    }
    if (type === 1) {
      c.bypassBits(nonZero); // sao_offset_sign
      c.bypassBits(5); // sao_band_position
    } else if (cIdx < 2) c.bypassBits(2); // sao_eo_class_luma / _chroma
  }
}
