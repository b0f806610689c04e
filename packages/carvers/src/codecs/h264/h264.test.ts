import { readFileSync } from 'node:fs';
import { basename } from 'node:path';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { parseAvcC, parseSample, parseSlice, ParamSets, type AvcConfig } from './index.js';
import { avcTracks, garble, hasX264, MEDIA, mediaMovies, x264Movies } from './test-helpers.js';

interface Movie {
  name: string;
  cfg: AvcConfig;
  samples: Uint8Array[];
  offsets: number[];
}

function movie(name: string, file: Uint8Array): Movie | null {
  const t = avcTracks(file)[0];
  const cfg = t ? parseAvcC(t.avcC) : null;
  if (!t || !cfg) return null;
  return { name, cfg, samples: t.samples, offsets: t.samples.map((s) => s.byteOffset - file.byteOffset) };
}

/** Every sample must parse to its exact end and cover exactly one picture. */
function expectAllOk(m: Movie): void {
  const failures: string[] = [];
  m.samples.forEach((s, i) => {
    const r = parseSample(m.cfg, s);
    if (r.ok !== true) failures.push(`${m.name} #${i}: ${JSON.stringify(r)}`);
    else if (!r.complete) failures.push(`${m.name} #${i}: ${r.mbs} macroblocks is not one picture`);
  });
  expect(failures.slice(0, 5)).toEqual([]);
}

const media = mediaMovies();
const realMovies = media.flatMap((f) => {
  const m = movie(basename(f), readFileSync(f));
  return m ? [m] : [];
});
const generated = hasX264 ? Object.entries(x264Movies()).flatMap(([n, f]) => {
  const m = movie(`x264 ${n}`, f);
  return m ? [m] : [];
}) : [];

describe('H.264 slice parser on real camera movies', () => {
  if (media.length === 0) {
    it.skip(`needs the media set at ${MEDIA} (absent: real-file oracle skipped)`, () => {});
    return;
  }
  it('finds the H.264 movies', () => {
    expect(realMovies.length).toBeGreaterThanOrEqual(5);
  });
  for (const m of realMovies) {
    it(`parses every sample of ${m.name} to its exact end (${m.samples.length} samples)`, () => expectAllOk(m));
  }
});

describe('H.264 slice parser on libx264 variants', () => {
  if (!hasX264) {
    it.skip('needs ffmpeg with libx264 (absent: generated variants skipped)', () => {});
    return;
  }
  for (const m of generated) {
    it(`parses every sample of ${m.name}`, () => expectAllOk(m));
  }
});

describe('H.264 slice parser against foreign data', () => {
  // Small samples keep the property fast; sources are whatever is available.
  const pool = [...generated, ...realMovies.map((m) => ({ ...m, samples: m.samples.slice(0, 40), offsets: m.offsets.slice(0, 40) }))];
  if (pool.length === 0) {
    it.skip('needs the media set or ffmpeg with libx264', () => {});
    return;
  }
  const trial = fc.record({
    movie: fc.nat(), sample: fc.nat(), pick: fc.nat(), sectors: fc.integer({ min: 1, max: 8 }),
    foreign: fc.boolean(), seed: fc.integer(), source: fc.nat(), at: fc.nat(),
  });
  it('rejects a sample whose slice data has sector-aligned random or foreign bytes', () => {
    let tried = 0;
    let detected = 0;
    fc.assert(fc.property(trial, (t) => {
      const m = pool[t.movie % pool.length]!;
      const i = t.sample % m.samples.length;
      let fill: Uint8Array;
      if (t.foreign) {
        const o = pool[t.source % pool.length]!;
        const src = o.samples[t.at % o.samples.length]!;
        const from = t.at % Math.max(1, src.length - 512 * t.sectors);
        fill = src.subarray(from, from + 512 * t.sectors);
        if (fill.length === 0) return;
      } else {
        fill = new Uint8Array(512 * t.sectors);
        let x = t.seed | 1;
        for (let j = 0; j < fill.length; j++) {
          x ^= x << 13;
          x ^= x >>> 17;
          x ^= x << 5;
          fill[j] = x & 0xff;
        }
      }
      const g = garble(m.samples[i]!, m.offsets[i]!, m.cfg.lengthSize, t.pick, t.sectors, fill);
      if (!g) return;
      // Foreign bytes identical to what they replace are no damage at all.
      const same = m.samples[i]!.every((b, k) => b === g.bytes[k]);
      if (same) return;
      tried++;
      const r = parseSample(m.cfg, g.bytes);
      if (r.ok === false) {
        detected++;
        expect(r.bytePos).toBeGreaterThanOrEqual(0);
        expect(r.bytePos).toBeLessThanOrEqual(g.bytes.length);
      }
    }), { numRuns: 400, seed: 20240611 });
    expect(tried).toBeGreaterThan(100);
    // Measured 100 % on thousands of trials (h264.bench.ts); leave room for a freak survivor.
    expect(detected / tried).toBeGreaterThanOrEqual(0.99);
  });
});

describe('H.264 slice parser on hostile input', () => {
  it('never throws and always answers on random avcC and sample bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), fc.uint8Array({ maxLength: 4096 }), (avcC, sample) => {
      const r = parseSample(avcC, sample);
      expect([true, false, null]).toContain(r.ok);
    }), { numRuns: 500, seed: 7 });
  });

  it('never throws on random slice NAL units with real parameter sets', () => {
    const cfgs = [...generated, ...realMovies].map((m) => m.cfg);
    if (cfgs.length === 0) return;
    fc.assert(fc.property(fc.nat(), fc.constantFrom(0x65, 0x41, 0x01, 0x21), fc.uint8Array({ minLength: 1, maxLength: 20000 }), (k, head, body) => {
      const cfg = cfgs[k % cfgs.length]!;
      const nal = new Uint8Array(body.length + 1);
      nal[0] = head;
      nal.set(body, 1);
      const r = parseSlice(nal, cfg.params);
      expect([true, false, null]).toContain(r.ok);
      if (r.ok === false) expect(r.bytePos).toBeLessThanOrEqual(nal.length);
    }), { numRuns: 300, seed: 11 });
  });

  it('reports unknown parameter sets as unsupported, not invalid', () => {
    const r = parseSlice(new Uint8Array([0x65, 0x88, 0x84, 0x00, 0x33]), new ParamSets());
    expect(r.ok).toBe(null);
  });
});
