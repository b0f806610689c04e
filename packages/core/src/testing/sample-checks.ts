/** Checks made once per sample, without random inputs. */
import { resultLength, type CarveResult } from '../carver.js';
import { BufferReader } from '../reader/source-reader.js';
import { matchesSignature } from './declaration.js';
import { ConformanceError, ensure, guardedCarve, jsonSafe } from './guard.js';
import { filler } from './image.js';
import type { ConformanceRun, ConformanceSample } from './options.js';

/** Every sample starts with one of the carver's signatures (at its offset). */
export function checkSignatures(run: ConformanceRun, s: ConformanceSample): void {
  ensure(matchesSignature(run.carver, s.bytes), () => `${s.name}: none of the declared signatures matches it at its offset; the scanner would never find it`);
}

/**
 * The sample alone in an image exactly its size, then inside filler at an
 * aligned offset, then with ctx.maxFileSize set to its exact length: each
 * time complete, one run, byte-exact, and the same result when carved twice
 * (no state kept between calls). Returns the result for later checks.
 */
export function checkAlone(run: ConformanceRun, s: ConformanceSample): CarveResult {
  const { carver, limits, align } = run;
  const len = s.bytes.length;
  const ctx = { maxFileSize: carver.maxFileSize, align };
  ensure(len <= carver.maxFileSize, () => `${s.name}: ${len} bytes is more than the carver's maxFileSize ${carver.maxFileSize}`);
  const first = expectExact(guardedCarve(carver, s.bytes, 0, ctx, limits, `${s.name} alone`).result, 0, len, `${s.name} alone in an image of its size`);
  const again = guardedCarve(carver, s.bytes, 0, ctx, limits, `${s.name} carved twice`).result;
  ensure(JSON.stringify(again) === JSON.stringify(first), () => `${s.name}: carving the same bytes twice gave different results (a carver keeps no state between calls)`);
  const at = 8 * align;
  const img = filler(at + len + 4 * align, len, 'random');
  img.set(s.bytes, at);
  expectExact(guardedCarve(carver, img, at, ctx, limits, `${s.name} in filler`).result, at, len, `${s.name} at image offset ${at} in random filler`);
  expectExact(guardedCarve(carver, img, at, { ...ctx, maxFileSize: len }, limits, `${s.name} with maxFileSize = its length`).result, at, len, `${s.name} with ctx.maxFileSize equal to its length`);
  return first!;
}

function expectExact(r: CarveResult | null, offset: number, len: number, what: string): CarveResult {
  if (r === null) throw new ConformanceError(`${what}: carve() returned null (not a file)`);
  ensure(r.status === 'complete', () => `${what}: status ${r.status}, expected complete; notes: ${r.notes.join(' | ')}`);
  ensure(r.byteRuns.length === 1 && r.byteRuns[0]!.imgOffset === offset, () => `${what}: expected one byte run at ${offset}, got ${JSON.stringify(r.byteRuns)}`);
  ensure(resultLength(r) === len, () => `${what}: carved ${resultLength(r)} bytes, the file has ${len}`);
  return r;
}

/** describe(), when the carver has it, resolves to JSON-safe metadata for every sample. */
export async function checkDescribe(run: ConformanceRun, s: ConformanceSample, result: CarveResult): Promise<void> {
  const describe = run.carver.describe;
  if (!describe) return;
  let m: unknown;
  try {
    m = await describe.call(run.carver, new BufferReader(s.bytes), result, { verifyDecode: false });
  } catch (err) {
    throw new ConformanceError(`${s.name}: describe() rejected on a valid file: ${err instanceof Error ? err.message : String(err)}`);
  }
  ensure(typeof m === 'object' && m !== null && !Array.isArray(m) && jsonSafe(m), () => `${s.name}: describe() must resolve to a plain JSON-safe object, got ${String(m)}`);
}
