/**
 * Properties over damaged and hostile input: cut files, overwritten tails,
 * random bytes after a signature, bit flips and lying fields, size limits.
 * Every carve call goes through guardedCarve (no exception, a sane result,
 * bounded reads and time); each property adds what must never be 'complete'.
 */
import fc from 'fast-check';
import { resultLength, type CarveResult } from '../carver.js';
import { ensure, guardedCarve } from './guard.js';
import { filler, type FillerKind } from './image.js';
import type { ConformanceRun } from './options.js';

const settings = (run: ConformanceRun, factor = 1): fc.Parameters<unknown> => ({
  numRuns: run.numRuns * factor,
  includeErrorInReport: true,
  ...(run.seed !== undefined ? { seed: run.seed } : {}),
});

/** `file` at sector `lead` of random filler, with `tail` bytes of filler after it. */
function place(file: Uint8Array, lead: number, tail: number, seed: number, align: number, kind: FillerKind = 'random'): { image: Uint8Array; at: number } {
  const at = lead * align;
  const image = filler(at + file.length + tail, seed, kind);
  image.set(file, at);
  return { image, at };
}

const describeResult = (r: CarveResult | null): string => (r === null ? 'null' : `${r.status}, ${resultLength(r)} bytes; notes: ${r.notes.join(' | ')}`);

/** Property: a sample cut anywhere, ending with the image, is never complete. */
export function propertyTruncated(run: ConformanceRun): void {
  const { carver, samples, align, limits } = run;
  fc.assert(
    fc.property(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.integer({ min: 0, max: 8 }), fc.nat(), (pick, frac, lead, seed) => {
      const s = samples[pick % samples.length]!;
      const cut = Math.max(1, Math.floor(s.bytes.length * frac));
      const { image, at } = place(s.bytes.subarray(0, cut), lead, 0, seed, align);
      const what = `${s.name} cut to ${cut} of ${s.bytes.length} bytes at the image end`;
      const r = guardedCarve(carver, image, at, { maxFileSize: carver.maxFileSize, align }, limits, what).result;
      ensure(r?.status !== 'complete', () => `${what}: called complete (${describeResult(r)})`);
    }),
    settings(run, 2),
  );
}

/** Property: a sample overwritten from a sector boundary on (zeros, 0xFF, random) is never complete past the first changed byte. */
export function propertyOverwritten(run: ConformanceRun): void {
  const { carver, samples, align, limits } = run;
  fc.assert(
    fc.property(fc.nat(), fc.nat(), fc.constantFrom<FillerKind>('zeros', 'ones', 'random'), fc.integer({ min: 0, max: 16 }), fc.nat(), (pick, c, kind, tailSectors, seed) => {
      const s = samples[pick % samples.length]!;
      const sectors = Math.ceil(s.bytes.length / align);
      const cut = (c % sectors) * align;
      const file = Uint8Array.from(s.bytes);
      file.set(filler(file.length - cut, seed, kind), cut);
      const changed = firstDifference(file, s.bytes);
      fc.pre(changed < file.length);
      const { image, at } = place(file, 4, tailSectors * align, seed + 1, align, kind);
      const what = `${s.name} overwritten with ${kind} from file offset ${cut} (first changed byte ${changed})`;
      const r = guardedCarve(carver, image, at, { maxFileSize: carver.maxFileSize, align }, limits, what).result;
      ensure(!(r?.status === 'complete' && resultLength(r) > changed), () => `${what}: called complete over changed bytes (${describeResult(r)})`);
    }),
    settings(run, 2),
  );
}

/** Property: random bytes around a declared signature never make carve throw, and are never a complete file. */
export function propertyRandom(run: ConformanceRun): void {
  const { carver, align, limits } = run;
  fc.assert(
    fc.property(fc.nat(), fc.uint8Array({ maxLength: 8192 }), fc.integer({ min: 0, max: 4096 }), fc.nat(), (sig, junk, tail, seed) => {
      const s = carver.signatures[sig % carver.signatures.length]!;
      const off = s.offset ?? 0;
      const file = new Uint8Array(Math.max(junk.length, off + s.bytes.length));
      file.set(junk);
      file.set(s.bytes, off);
      const { image, at } = place(file, 2, tail, seed, align);
      const what = `random bytes around signature ${sig % carver.signatures.length} (${file.length} bytes)`;
      const r = guardedCarve(carver, image, at, { maxFileSize: carver.maxFileSize, align }, limits, what).result;
      ensure(r?.status !== 'complete', () => `${what}: called complete (${describeResult(r)})`);
    }),
    settings(run, 4),
  );
}

const FIELD_VALUES = [0, 1, 2, 7, 8, 12, 16, 0xff, 0xffff, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];
const edit = fc.record({
  kind: fc.constantFrom('flip', 'byte', 'u32', 'u16'),
  pos: fc.nat(),
  /** Fields sit in headers: most field writes go to the first 64 KiB. */
  head: fc.boolean(),
  value: fc.oneof(fc.constantFrom(...FIELD_VALUES), fc.nat({ max: 0xffffffff })),
});

/**
 * Property: bit flips, byte writes and lying 16/32-bit fields never make
 * carve throw, run long or read past its limit. With detectsEveryChange, a
 * complete result never covers a changed byte.
 */
export function propertyMutations(run: ConformanceRun): void {
  const { carver, samples, align, limits } = run;
  fc.assert(
    fc.property(fc.nat(), fc.array(edit, { minLength: 1, maxLength: 8 }), fc.nat(), (pick, edits, seed) => {
      const s = samples[pick % samples.length]!;
      const file = Uint8Array.from(s.bytes);
      const dv = new DataView(file.buffer);
      for (const e of edits) {
        const span = e.head ? Math.min(file.length, 65536) : file.length;
        const at = e.pos % span;
        if (e.kind === 'flip') file[at] = file[at]! ^ (1 << (e.value % 8));
        else if (e.kind === 'byte') file[at] = e.value & 0xff;
        else if (e.kind === 'u16' && at + 2 <= file.length) dv.setUint16(at, e.value & 0xffff);
        else if (e.kind === 'u32' && at + 4 <= file.length) dv.setUint32(at, e.value >>> 0);
      }
      const changed = firstDifference(file, s.bytes);
      const { image, at } = place(file, 4, 2 * align, seed, align);
      const what = `${s.name} with ${edits.length} edit(s), first changed byte ${changed}`;
      const r = guardedCarve(carver, image, at, { maxFileSize: carver.maxFileSize, align }, limits, what).result;
      if (run.detectsEveryChange && changed < file.length) {
        ensure(!(r?.status === 'complete' && resultLength(r) > changed), () => `${what}: called complete over a changed byte (${describeResult(r)})`);
      }
    }),
    settings(run, 2),
  );
}

/**
 * Property: with ctx.maxFileSize below a sample's length the carver never
 * returns more than the limit, never calls the file complete, and reads at
 * most PEEK_BYTES past offset + limit.
 */
export function propertyMaxFileSize(run: ConformanceRun): void {
  const { carver, samples, align, limits } = run;
  fc.assert(
    fc.property(fc.nat(), fc.double({ min: 0, max: 1, noNaN: true, maxExcluded: true }), fc.nat(), (pick, frac, seed) => {
      const s = samples[pick % samples.length]!;
      const limit = Math.max(1, Math.floor(s.bytes.length * frac));
      const { image, at } = place(s.bytes, 4, 8 * align, seed, align);
      const what = `${s.name} (${s.bytes.length} bytes) with ctx.maxFileSize ${limit}`;
      const r = guardedCarve(carver, image, at, { maxFileSize: limit, align }, limits, what).result;
      ensure(r?.status !== 'complete', () => `${what}: called complete (${describeResult(r)})`);
    }),
    settings(run),
  );
}

/** Index of the first byte where a and b differ (their common length when none). */
function firstDifference(a: Uint8Array, b: Uint8Array): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return n;
}

