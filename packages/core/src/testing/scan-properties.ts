/**
 * Properties checked through the engine's scanning path (scanBuffer):
 * samples placed in filler are found and carved byte-exact, and a
 * bifragmented sample is rebuilt by reassembly.
 */
import fc from 'fast-check';
import { resultLength } from '../carver.js';
import type { Candidate } from '../scan/carve-page.js';
import { ConformanceError, ensure, guardedCarve } from './guard.js';
import { buildImage, roundUp, type FillerKind, type Placement } from './image.js';
import { scanBuffer } from './memory-scan.js';
import type { ConformanceRun, ConformanceSample } from './options.js';

const KINDS: FillerKind[] = ['random', 'zeros', 'ones', 'mixed'];

/** The bytes a kept file's runs point at. */
export function bytesOf(image: Uint8Array, f: Pick<Candidate, 'byteRuns'>): Uint8Array {
  const out = new Uint8Array(resultLength(f));
  for (const r of f.byteRuns) out.set(image.subarray(r.imgOffset, r.imgOffset + r.length), r.fileOffset);
  return out;
}

const equal = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && Buffer.compare(a, b) === 0;

/** Every planted file comes back complete and byte-exact at its offset; nothing else is called complete. */
function expectPlanted(image: Uint8Array, files: readonly Candidate[], planted: readonly { offset: number; sample: ConformanceSample }[], what: string): void {
  for (const p of planted) {
    const f = files.find((x) => x.offset === p.offset);
    if (!f) throw new ConformanceError(`${what}: ${p.sample.name} at image offset ${p.offset} was not found (files at ${files.map((x) => x.offset).join(', ') || 'none'})`);
    ensure(f.status === 'complete', () => `${what}: ${p.sample.name} at image offset ${p.offset} is ${f.status}: ${f.notes.join(' | ')}`);
    ensure(equal(bytesOf(image, f), p.sample.bytes), () => `${what}: ${p.sample.name} at image offset ${p.offset} is not byte-exact (${resultLength(f)} bytes carved, ${p.sample.bytes.length} expected, runs ${JSON.stringify(f.byteRuns)})`);
  }
  const extra = files.filter((f) => f.status === 'complete' && !planted.some((p) => p.offset === f.offset));
  ensure(extra.length === 0, () => `${what}: complete files where none was planted, at image offsets ${extra.map((f) => f.offset).join(', ')}`);
}

/**
 * Property: up to four samples at random aligned offsets (with gaps of zero
 * or more sectors) in random, zero, 0xFF or mixed filler are all found by the
 * scanner and carved complete and byte-exact.
 */
export function propertyEmbedded(run: ConformanceRun): void {
  const { carver, samples, align } = run;
  const arb = fc.record({
    picks: fc.array(fc.nat(), { minLength: 1, maxLength: 4 }),
    gaps: fc.array(fc.integer({ min: 0, max: 12 }), { minLength: 5, maxLength: 5 }),
    lead: fc.integer({ min: 0, max: 48 }),
    kind: fc.constantFrom(...KINDS),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
  });
  fc.assert(
    fc.property(arb, ({ picks, gaps, lead, kind, seed }) => {
      const planted: { offset: number; sample: ConformanceSample }[] = [];
      let at = lead * align;
      picks.forEach((p, i) => {
        const sample = samples[p % samples.length]!;
        planted.push({ offset: at, sample });
        at = roundUp(at + sample.bytes.length, align) + gaps[i]! * align;
      });
      const size = at + (gaps[4]! + 1) * align;
      const image = buildImage(size, planted.map((p): Placement => ({ offset: p.offset, bytes: p.sample.bytes })), seed, kind);
      const { files, issues } = scanBuffer(image, [carver], { align, reassemble: false });
      ensure(issues.length === 0, () => `scan issues: ${issues.map((i) => i.message).join(' | ')}`);
      expectPlanted(image, files, planted, `${kind} filler`);
    }),
    { numRuns: run.numRuns, includeErrorInReport: true, ...(run.seed !== undefined ? { seed: run.seed } : {}) },
  );
}

/**
 * Samples long enough to cut in two past their header, with the file offsets
 * where a cut may fall: cluster boundaries from the first one where the first
 * piece alone (followed by zeros) is still carved, as an incomplete file whose
 * dataStart lies at or before the cut, to one cluster before the end (the
 * second piece keeps a whole cluster: the search must see it can continue the file).
 */
function cuttable(run: ConformanceRun): { sample: ConformanceSample; cuts: number[] }[] {
  const cs = run.align;
  const out: { sample: ConformanceSample; cuts: number[] }[] = [];
  for (const sample of run.samples) {
    const last = Math.floor((sample.bytes.length - cs) / cs);
    const headCarves = (k: number): boolean => {
      const img = new Uint8Array(k * cs + 4 * cs);
      img.set(sample.bytes.subarray(0, k * cs));
      const r = guardedCarve(run.carver, img, 0, { maxFileSize: run.carver.maxFileSize, align: cs }, run.limits, `${sample.name} cut at ${k * cs}`).result;
      return r !== null && r.status !== 'complete' && (r.dataStart ?? 0) <= k * cs;
    };
    // The smallest such cut, by bisection (a longer first piece holds at least as much of the header).
    let lo = 1;
    let hi = last + 1;
    while (lo < hi) {
      const mid = (lo + hi) >>> 1;
      if (headCarves(mid)) hi = mid;
      else lo = mid + 1;
    }
    const cuts: number[] = [];
    for (let k = lo; k <= last; k++) cuts.push(k * cs);
    if (cuts.length > 0) out.push({ sample, cuts });
  }
  return out;
}

/**
 * Property: a sample cut in two on a cluster boundary past its dataStart,
 * the second piece after the first with zero-filled clusters between (or
 * before it, with zero-filled clusters on both sides), is rebuilt complete and byte-exact from two runs by a scan with
 * reassembly. Returns false when no sample is long enough.
 */
export function propertyFragmented(run: ConformanceRun): boolean {
  const { carver, align: cs } = run;
  const pool = cuttable(run);
  if (pool.length === 0) return false;
  const arb = fc.record({
    pick: fc.nat(),
    cut: fc.nat(),
    gap: fc.integer({ min: 1, max: 8 }),
    lead: fc.integer({ min: 0, max: 16 }),
    before: fc.boolean(),
    kind: fc.constantFrom<FillerKind>('random', 'zeros', 'mixed'),
    seed: fc.integer({ min: 1, max: 0x7fffffff }),
  });
  fc.assert(
    fc.property(arb, ({ pick, cut, gap, lead, before, kind, seed }) => {
      const { sample, cuts } = pool[pick % pool.length]!;
      const c = cuts[cut % cuts.length]!;
      const head = sample.bytes.subarray(0, c);
      const tail = sample.bytes.subarray(c);
      const zeros = (n: number): Uint8Array => new Uint8Array(n * cs);
      // Forward: head, gap, tail. Out of order: gap, tail, gap, head, gap. Zero clusters around each
      // piece are the evidence of where it starts and ends (filler the carver cannot take for its data).
      const parts = before ? [zeros(gap), tail, zeros(gap), head, zeros(gap)] : [head, zeros(gap), tail];
      const placements: Placement[] = [];
      let at = lead * cs;
      let headAt = 0;
      for (const p of parts) {
        if (p === head) headAt = at;
        placements.push({ offset: at, bytes: p });
        at = roundUp(at + p.length, cs);
      }
      const image = buildImage(at + 4 * cs, placements, seed, kind);
      const { files } = scanBuffer(image, [carver], { align: cs, reassemble: true });
      const what = `${sample.name} cut at file offset ${c}${before ? ', second piece first' : ''}, ${gap} zero clusters between, ${kind} filler`;
      const f = files.find((x) => x.offset === headAt);
      if (!f) throw new ConformanceError(`${what}: the first piece at image offset ${headAt} was not found`);
      ensure(f.status === 'complete', () => `${what}: not rebuilt (${f.status}): ${f.notes.join(' | ')}`);
      ensure(f.byteRuns.length === 2, () => `${what}: expected 2 runs, got ${JSON.stringify(f.byteRuns)}`);
      ensure(equal(bytesOf(image, f), sample.bytes), () => `${what}: rebuilt file is not byte-exact (runs ${JSON.stringify(f.byteRuns)})`);
    }),
    { numRuns: run.numRuns, includeErrorInReport: true, ...(run.seed !== undefined ? { seed: run.seed } : {}) },
  );
  return true;
}
