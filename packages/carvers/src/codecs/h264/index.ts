/**
 * Syntax-only H.264 slice parsing (ITU-T H.264 / ISO/IEC 14496-10): checks
 * that every slice of an MP4/MOV video sample parses to its exact end,
 * which random or foreign bytes inside slice data almost never do. No
 * pixels are reconstructed.
 *
 * Supported: 4:2:0, 4:2:2 and monochrome 8-bit frame pictures (progressive,
 * no MBAFF), I/P/B slices, CAVLC and CABAC, 8x8 transform, I_PCM, weighted
 * prediction, multiple slices per picture. Unsupported (reported `ok: null`):
 * field pictures, MBAFF, slice groups, SP/SI slices, 4:4:4, bit depths above 8,
 * data partitioning and SVC/MVC NAL units.
 */
import { parseAvcC, type AvcConfig, ParamSets } from './params.js';
import { SliceParser, type SliceResult } from './slice.js';

export { parseAvcC, ParamSets, SliceParser };
export type { AvcConfig, SliceResult };
export type { Pps, Sps } from './params.js';

/** Outcome for a whole sample; `bytePos` is a byte offset in the sample. */
export type SampleResult =
  /** `complete`: the slices' macroblocks add up to exactly one picture (one access unit a sample). */
  | { ok: true; slices: number; mbs: number; complete: boolean }
  | { ok: false; reason: string; bytePos: number }
  | { ok: null; reason: string };

const shared = new SliceParser();

/**
 * Parses one slice NAL unit `nal` (no length prefix; types 1 and 5) with
 * the given parameter sets.
 */
export function parseSlice(nal: Uint8Array, params: ParamSets, parser: SliceParser = shared): SliceResult {
  return parser.parse(nal, 0, nal.length, params);
}

/**
 * Parses every slice of an MP4 sample (NAL units with `lengthSize`-byte
 * big-endian length prefixes) using the avcC record's parameter sets plus
 * any SPS/PPS carried in the sample itself. ok:true when every slice ends
 * exactly; the first failure (offset in the sample) otherwise; ok:null when
 * some slice is unsupported and none failed.
 */
export function parseSample(config: AvcConfig | Uint8Array, sample: Uint8Array, parser: SliceParser = shared): SampleResult {
  const cfg = config instanceof Uint8Array ? parseAvcC(config) : config;
  if (!cfg) return { ok: null, reason: 'avcC does not parse' };
  const n = cfg.lengthSize;
  let params = cfg.params;
  let copied = false;
  let unsupported: string | null = null;
  let slices = 0;
  let mbs = 0;
  let picMbs = 0;
  let p = 0;
  while (p < sample.length) {
    if (p + n > sample.length) return { ok: false, reason: 'truncated NAL length', bytePos: p };
    let len = 0;
    for (let k = 0; k < n; k++) len = len * 256 + sample[p + k]!;
    const from = p + n;
    const to = from + len;
    if (len === 0 || to > sample.length) return { ok: false, reason: 'NAL unit length past the sample', bytePos: p };
    const type = sample[from]! & 0x1f;
    if (type === 7 || type === 8) {
      // In-band parameter sets apply to this sample only: never let one sample change the shared config.
      if (!copied) {
        params = cloneParams(params);
        copied = true;
      }
      params.add(sample, from, to);
    } else if (type === 1 || type === 5) {
      const r = parser.parse(sample, from, to, params);
      if (r.ok === false) return { ok: false, reason: r.reason, bytePos: from + r.bytePos };
      if (r.ok === null) unsupported ??= r.reason;
      else {
        slices++;
        mbs += r.mbs;
        picMbs = r.picMbs;
      }
    } else if (type >= 2 && type <= 4) {
      unsupported ??= 'data partitioning not supported';
    }
    p = to;
  }
  if (unsupported !== null) return { ok: null, reason: unsupported };
  return { ok: true, slices, mbs, complete: slices > 0 && mbs === picMbs };
}

function cloneParams(p: ParamSets): ParamSets {
  const c = new ParamSets();
  for (const [k, v] of p.sps) c.sps.set(k, v);
  for (const [k, v] of p.pps) c.pps.set(k, v);
  return c;
}
