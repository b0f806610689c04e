/**
 * Short-term reference picture sets (ITU-T H.265 §7.3.7 st_ref_pic_set( ),
 * semantics and derivation §7.4.8): the syntax, with inter RPS prediction,
 * and the derived DeltaPocS0/S1 and UsedByCurrPicS0/S1 lists. Only the
 * used_by_curr flags change how a slice is parsed (NumPicTotalCurr), but
 * a predicted set can only be derived from its reference set's full lists.
 */
import type { BitReader } from './bitstream.js';
import { HevcSyntaxError } from './bitstream.js';

/** One st_ref_pic_set after the derivation of §7.4.8 (equations 7-61 to 7-64). */
export interface ShortTermRps {
  /** DeltaPocS0 (negative, decreasing) and DeltaPocS1 (positive, increasing). */
  readonly deltaPocS0: readonly number[];
  readonly usedS0: readonly boolean[];
  readonly deltaPocS1: readonly number[];
  readonly usedS1: readonly boolean[];
}

/** NumDeltaPocs of a set. */
export function numDeltaPocs(s: ShortTermRps): number {
  return s.deltaPocS0.length + s.deltaPocS1.length;
}

/** How many pictures of a set the current picture uses for reference (its share of NumPicTotalCurr, 7-55). */
export function usedByCurr(s: ShortTermRps): number {
  let n = 0;
  for (const u of s.usedS0) if (u) n++;
  for (const u of s.usedS1) if (u) n++;
  return n;
}

/** Largest number of pictures in a set (sps_max_dec_pic_buffering_minus1 is at most 15). */
const MAX_PICS = 16;

/**
 * st_ref_pic_set( stRpsIdx ) (§7.3.7). `sets` are the SPS's sets before it;
 * stRpsIdx == num_short_term_ref_pic_sets for the set of a slice header.
 */
export function stRefPicSet(r: BitReader, idx: number, num: number, sets: readonly ShortTermRps[]): ShortTermRps {
  if (idx !== 0 && r.flag()) {
    // inter_ref_pic_set_prediction_flag
    const deltaIdx = idx === num ? r.ueIn(0, idx - 1, 'delta_idx_minus1') + 1 : 1;
    const sign = r.flag();
    const abs = r.ueIn(0, 2 ** 15 - 1, 'abs_delta_rps_minus1') + 1;
    const deltaRps = sign ? -abs : abs;
    const ref = sets[idx - deltaIdx];
    if (!ref) throw new HevcSyntaxError('st_ref_pic_set predicted from a set that is absent');
    const n0 = ref.deltaPocS0.length;
    const total = numDeltaPocs(ref);
    // used_by_curr_pic_flag[ j ] and use_delta_flag[ j ] (inferred 1 when not sent), j = 0..NumDeltaPocs[ RefRpsIdx ].
    const used: boolean[] = [];
    const use: boolean[] = [];
    for (let j = 0; j <= total; j++) {
      const u = r.flag();
      used.push(u);
      use.push(u ? true : r.flag());
    }
    const s0: number[] = [];
    const u0: boolean[] = [];
    const s1: number[] = [];
    const u1: boolean[] = [];
    // 7-61: S0 from the reference set's S1 (reversed), deltaRps itself, then its S0.
    for (let j = ref.deltaPocS1.length - 1; j >= 0; j--) {
      const d = ref.deltaPocS1[j]! + deltaRps;
      if (d < 0 && use[n0 + j]) {
        s0.push(d);
        u0.push(used[n0 + j]!);
      }
    }
    if (deltaRps < 0 && use[total]) {
      s0.push(deltaRps);
      u0.push(used[total]!);
    }
    for (let j = 0; j < n0; j++) {
      const d = ref.deltaPocS0[j]! + deltaRps;
      if (d < 0 && use[j]) {
        s0.push(d);
        u0.push(used[j]!);
      }
    }
    // 7-62: S1 from the reference set's S0 (reversed), deltaRps, then its S1.
    for (let j = n0 - 1; j >= 0; j--) {
      const d = ref.deltaPocS0[j]! + deltaRps;
      if (d > 0 && use[j]) {
        s1.push(d);
        u1.push(used[j]!);
      }
    }
    if (deltaRps > 0 && use[total]) {
      s1.push(deltaRps);
      u1.push(used[total]!);
    }
    for (let j = 0; j < ref.deltaPocS1.length; j++) {
      const d = ref.deltaPocS1[j]! + deltaRps;
      if (d > 0 && use[n0 + j]) {
        s1.push(d);
        u1.push(used[n0 + j]!);
      }
    }
    if (s0.length + s1.length > MAX_PICS) throw new HevcSyntaxError(`st_ref_pic_set of ${s0.length + s1.length} pictures`);
    return { deltaPocS0: s0, usedS0: u0, deltaPocS1: s1, usedS1: u1 };
  }
  const neg = r.ueIn(0, MAX_PICS, 'num_negative_pics');
  const pos = r.ueIn(0, MAX_PICS - neg, 'num_positive_pics');
  const s0: number[] = [];
  const u0: boolean[] = [];
  const s1: number[] = [];
  const u1: boolean[] = [];
  // 7-63, 7-64: cumulative deltas.
  let poc = 0;
  for (let i = 0; i < neg; i++) {
    poc -= r.ueIn(0, 2 ** 15 - 1, 'delta_poc_s0_minus1') + 1;
    s0.push(poc);
    u0.push(r.flag());
  }
  poc = 0;
  for (let i = 0; i < pos; i++) {
    poc += r.ueIn(0, 2 ** 15 - 1, 'delta_poc_s1_minus1') + 1;
    s1.push(poc);
    u1.push(r.flag());
  }
  return { deltaPocS0: s0, usedS0: u0, deltaPocS1: s1, usedS1: u1 };
}
