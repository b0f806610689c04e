import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BitReader } from './bitstream.js';
import { parseIntraSlice, parseSample, parseSlice, type ParameterSets } from './index.js';
import { HEVC_MOVIES, MOV_DIR, generateHevcMovies, hasX265, hevcSamples, type HevcSample } from './movie-helpers.js';
import { stRefPicSet, usedByCurr } from './rps.js';

const paramsOf = (s: HevcSample): ParameterSets => (s.params as { params: ParameterSets }).params;

/** Verdicts other than ok true, one line each. */
function failures(samples: HevcSample[]): string[] {
  return samples.flatMap((s) => {
    if (s.params.ok !== true) return [`sample ${s.index}: hvcC ${s.params.reason}`];
    const r = parseSample(paramsOf(s), s.data);
    if (r.ok === true) return [];
    return [`sample ${s.index}: ${r.ok === false ? `invalid at CTU ${r.ctu}, byte ${r.bytePos}: ` : 'unsupported: '}${r.reason}`];
  });
}

/** NAL unit type of a sample's first VCL NAL unit. */
function firstVclType(s: HevcSample): number {
  const ls = paramsOf(s).lengthSize;
  for (let p = 0; p + ls < s.data.length;) {
    let len = 0;
    for (let i = 0; i < ls; i++) len = len * 256 + s.data[p + i]!;
    const t = (s.data[p + ls]! >> 1) & 0x3f;
    if (t < 32) return t;
    p += ls + len;
  }
  return -1;
}

if (HEVC_MOVIES.length === 0) console.warn(`hevc-inter: no HEVC movie in ${MOV_DIR}: the real-movie oracle and garbage tests are skipped`);
if (!hasX265) console.warn('hevc-inter: ffmpeg with libx265 is absent: the generated-movie oracle is skipped');

const real: Record<string, HevcSample[]> = {};
for (const f of HEVC_MOVIES) real[f] = hevcSamples(new Uint8Array(readFileSync(join(MOV_DIR, f))));

describe.skipIf(HEVC_MOVIES.length === 0)('real HEVC movies: every video sample is a valid, exactly terminated picture', () => {
  it.each(HEVC_MOVIES)('%s', (name) => {
    const samples = real[name]!;
    // m004 ("…_HEVC.MOV") is an H.264 live photo video: it has no HEVC sample to check.
    if (samples.length === 0) return;
    expect(failures(samples)).toEqual([]);
    expect(samples.some((s) => firstVclType(s) < 16)).toBe(true);
  }, 60_000);
});

describe.skipIf(!hasX265)('movies from ffmpeg/libx265: every sample parses', () => {
  const movies = hasX265 ? generateHevcMovies() : {};
  it.each(Object.keys(movies))('%s', (name) => {
    const samples = hevcSamples(movies[name]!);
    expect(samples.length).toBeGreaterThan(10);
    expect(failures(samples)).toEqual([]);
    expect(samples.filter((s) => firstVclType(s) < 16).length).toBeGreaterThan(samples.length / 2);
  });
});

/** P and B samples of the real movies, large enough for 8 sectors of garbage. */
const pbSamples = Object.values(real).flat().filter((s) => s.params.ok === true && firstVclType(s) < 16 && s.data.length > 8 * 512 + 1024);
const donors = Object.values(real).flat().filter((s) => s.data.length > 8 * 512 + 1024);

describe.skipIf(pbSamples.length === 0)('foreign sectors in P/B samples are detected', () => {
  /** Replaces k sectors (512-byte aligned in the file) of a sample, from 128 bytes in (past the first slice header). */
  const corrupt = (s: HevcSample, k: number, pick: number, fill: (w: Uint8Array) => void): { data: Uint8Array; at: number } | null => {
    const first = Math.ceil((s.offset + 128) / 512) * 512;
    const last = s.offset + s.data.length - k * 512;
    if (last < first) return null;
    const ws = first + 512 * (pick % (Math.floor((last - first) / 512) + 1));
    const data = Uint8Array.from(s.data);
    fill(data.subarray(ws - s.offset, ws - s.offset + k * 512));
    return { data, at: ws - s.offset };
  };

  it('property: k random sectors (k = 1..8) make the sample invalid, found at or after the garbage', () => {
    fc.assert(
      fc.property(fc.nat(), fc.integer({ min: 1, max: 8 }), fc.nat(), fc.uint8Array({ minLength: 512, maxLength: 512 }), (i, k, pick, noise) => {
        const s = pbSamples[i % pbSamples.length]!;
        const c = corrupt(s, k, pick, (w) => {
          for (let j = 0; j < w.length; j++) w[j] = noise[j % 512]! ^ ((j >> 9) * 37);
        });
        fc.pre(c !== null);
        const r = parseSample(paramsOf(s), c!.data);
        expect(r.ok).toBe(false);
        if (r.ok === false) expect(r.bytePos).toBeGreaterThanOrEqual(c!.at);
      }),
      { numRuns: 300, seed: 42 },
    );
  });

  it("property: k sectors of another sample (interleaved files) make the sample invalid, found at or after them", () => {
    fc.assert(
      fc.property(fc.nat(), fc.nat(), fc.integer({ min: 1, max: 8 }), fc.nat(), fc.nat(), (i, j, k, pick, from) => {
        const s = pbSamples[i % pbSamples.length]!;
        const donor = donors[j % donors.length]!;
        fc.pre(donor !== s);
        const c = corrupt(s, k, pick, (w) => {
          const at = 512 + (from % (donor.data.length - k * 512 - 512));
          w.set(donor.data.subarray(at, at + w.length));
        });
        fc.pre(c !== null);
        const r = parseSample(paramsOf(s), c!.data);
        expect(r.ok).toBe(false);
        if (r.ok === false) expect(r.bytePos).toBeGreaterThanOrEqual(c!.at);
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('a sample cut by one sector, or with one sector more, is invalid', () => {
    for (const s of pbSamples.slice(0, 40)) {
      expect(parseSample(paramsOf(s), s.data.subarray(0, s.data.length - 512)).ok).toBe(false);
      const longer = new Uint8Array(s.data.length + 512);
      longer.set(s.data);
      longer.fill(0x5a, s.data.length);
      expect(parseSample(paramsOf(s), longer).ok).toBe(false);
    }
  });
});

describe.skipIf(pbSamples.length === 0)('slice API', () => {
  it('parseIntraSlice reports P/B slices as unsupported; parseSlice parses them', () => {
    const s = pbSamples[0]!;
    const params = paramsOf(s);
    const ls = params.lengthSize;
    let p = 0;
    for (;;) {
      let len = 0;
      for (let i = 0; i < ls; i++) len = len * 256 + s.data[p + i]!;
      const nal = s.data.subarray(p + ls, p + ls + len);
      if (((nal[0]! >> 1) & 0x3f) < 32) {
        expect(parseIntraSlice(params, nal).ok).toBe(null);
        expect(parseSlice(params, nal).ok).toBe(true);
        return;
      }
      p += ls + len;
    }
  });

  it('random bytes in a sample never throw and keep the verdict bounded', () => {
    fc.assert(
      fc.property(fc.nat(), fc.uint8Array({ minLength: 0, maxLength: 3000 }), (i, bytes) => {
        const s = pbSamples[i % pbSamples.length]!;
        const data = new Uint8Array(s.data.length);
        data.set(s.data.subarray(0, 40));
        data.set(bytes.subarray(0, data.length - 40), 40);
        const r = parseSample(paramsOf(s), data);
        expect(r.ok).not.toBe(true);
      }),
      { numRuns: 200, seed: 3 },
    );
  });
});

/** Writes bits MSB first (test input for st_ref_pic_set). */
class BitWriter {
  private readonly bits: number[] = [];
  u(n: number, v: number): this {
    for (let i = n - 1; i >= 0; i--) this.bits.push((v >> i) & 1);
    return this;
  }
  ue(v: number): this {
    const len = Math.floor(Math.log2(v + 1));
    return this.u(len, 0).u(len + 1, v + 1);
  }
  bytes(): Uint8Array {
    const out = new Uint8Array(Math.ceil(this.bits.length / 8) + 4);
    this.bits.forEach((b, i) => (out[i >> 3]! |= b << (7 - (i & 7))));
    return out;
  }
}

describe('short-term reference picture sets (§7.3.7, §7.4.8)', () => {
  it('hand-checked: inter RPS prediction derives the sets of equations 7-61 and 7-62', () => {
    // Set 0: S0 = {−1, −3} (used, not used), S1 = {2} (used).
    const w = new BitWriter().ue(2).ue(1).ue(0).u(1, 1).ue(1).u(1, 0).ue(1).u(1, 1);
    // Set 1 predicted from set 0 with deltaRps = −1: entries j = 0..3 (S0[0], S0[1], S1[0], the deltaRps itself).
    w.u(1, 1).u(1, 1).ue(0); // inter_ref_pic_set_prediction_flag, delta_rps_sign = 1, abs_delta_rps_minus1 = 0
    w.u(1, 1).u(1, 0).u(1, 1).u(1, 1).u(1, 0).u(1, 1); // used, (unused, use_delta 1), used, (unused, use_delta 1)
    const r = new BitReader(w.bytes());
    const set0 = stRefPicSet(r, 0, 2, []);
    expect(set0).toEqual({ deltaPocS0: [-1, -3], usedS0: [true, false], deltaPocS1: [2], usedS1: [true] });
    const set1 = stRefPicSet(r, 1, 2, [set0]);
    // S0: from S1 (2 − 1 = 1 > 0: no), deltaRps −1 (use 1, used 0), then S0 −2 (used), −4 (not used).
    // S1: from S0 reversed (−4, −2: no), deltaRps (< 0: no), S1 (1: used).
    expect(set1).toEqual({ deltaPocS0: [-1, -2, -4], usedS0: [false, true, false], deltaPocS1: [1], usedS1: [true] });
    expect(usedByCurr(set1)).toBe(2);
  });
});
