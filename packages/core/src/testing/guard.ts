/**
 * One carve call as the conformance suite makes it: through a Reader that
 * records how far the carver read, timed, and with its result checked the way
 * the engine checks it before writing anything.
 */
import { type Carver, type CarveContext, type CarveResult, type MetadataValue } from '../carver.js';
import type { Reader } from '../reader/reader.js';
import { BufferReader } from '../reader/source-reader.js';
import { checkCarveResult } from '../scan/carve-page.js';

/** A conformance check failed; the message says which rule and for what input. */
export class ConformanceError extends Error {
  /** Always "ConformanceError". */
  override name = 'ConformanceError';
}

/** Bytes a carver may read past `offset + ctx.maxFileSize` (to see what follows its file), no more. */
export const PEEK_BYTES = 4096;

/** A Reader over bytes in memory that remembers the highest image offset it handed out. */
export class RecordingReader implements Reader {
  /** Length of the bytes given. */
  readonly size: number;
  /** Image offset just past the furthest byte returned so far. */
  highest = 0;
  private readonly inner: BufferReader;
  constructor(data: Uint8Array) {
    this.inner = new BufferReader(data);
    this.size = data.length;
  }
  /** See {@link Reader.bytes}. */
  bytes(offset: number, length: number): Uint8Array {
    return this.seen(offset, this.inner.bytes(offset, length));
  }
  /** See {@link Reader.chunk}. */
  chunk(offset: number, maxLength: number): Uint8Array {
    return this.seen(offset, this.inner.chunk(offset, maxLength));
  }
  private seen(offset: number, view: Uint8Array): Uint8Array {
    if (view.length > 0) this.highest = Math.max(this.highest, offset + view.length);
    return view;
  }
}

/** Limits every guarded carve call is held to. */
export interface GuardLimits {
  /** Wall time one carve call may take (ms). */
  readonly maxCarveMs: number;
}

/** A carve call's outcome and what it cost. */
export interface Guarded {
  /** What carve() returned (checked). */
  readonly result: CarveResult | null;
  /** Wall time of the call. */
  readonly ms: number;
  /** Image offset just past the furthest byte read. */
  readonly highest: number;
}

/**
 * Carves `image` at `offset` and enforces the rules every call must keep:
 * no exception, a result the engine accepts (runs in file order inside the
 * image, ≤ ctx.maxFileSize, a known status), JSON-safe metadata, an
 * extension the carver declares, sane fractions and offsets, at most
 * {@link PEEK_BYTES} read past the size limit, and bounded time.
 * `what` names the input in failure messages.
 */
export function guardedCarve(carver: Carver, image: Uint8Array, offset: number, ctx: CarveContext, limits: GuardLimits, what: string): Guarded {
  const reader = new RecordingReader(image);
  const t0 = performance.now();
  let result: CarveResult | null;
  try {
    result = carver.carve(reader, offset, ctx);
  } catch (err) {
    throw new ConformanceError(`${what}: carve() threw instead of returning null or an incomplete result: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`);
  }
  const ms = performance.now() - t0;
  if (ms > limits.maxCarveMs) throw new ConformanceError(`${what}: carve() took ${ms.toFixed(0)} ms (limit ${limits.maxCarveMs} ms): work must be bounded`);
  const limit = offset + ctx.maxFileSize + PEEK_BYTES;
  if (reader.highest > limit) {
    throw new ConformanceError(`${what}: carve() read up to image offset ${reader.highest}, ${reader.highest - offset - ctx.maxFileSize} bytes past offset + ctx.maxFileSize (${PEEK_BYTES} allowed)`);
  }
  if (result !== null) {
    const problem = resultProblem(carver, result, offset, ctx, image.length);
    if (problem) throw new ConformanceError(`${what}: invalid result: ${problem}`);
  }
  return { result, ms, highest: reader.highest };
}

/** What is wrong with a non-null result, or null. Covers the engine's own checks and the contract's. */
export function resultProblem(carver: Carver, r: CarveResult, offset: number, ctx: CarveContext, imageSize: number): string | null {
  const engine = checkCarveResult(r, offset, ctx, imageSize);
  if (engine) return engine;
  if (!Array.isArray(r.notes) || r.notes.some((n) => typeof n !== 'string')) return 'notes must be an array of strings';
  if (r.extension !== undefined && !carver.extensions.includes(r.extension)) return `extension "${r.extension}" is not among the declared extensions ${carver.extensions.join(', ')}`;
  if (r.validFraction !== undefined && !(r.validFraction >= 0 && r.validFraction <= 1)) return `validFraction ${r.validFraction} is not in [0, 1]`;
  if (r.status === 'complete' && r.validFraction !== undefined && r.validFraction !== 1) return `a complete file has validFraction ${r.validFraction}, not 1`;
  if (r.verifiedLength !== undefined && !(Number.isSafeInteger(r.verifiedLength) && r.verifiedLength >= 0)) return `verifiedLength ${r.verifiedLength} is not a non-negative integer`;
  // dataStart may lie past a cut file's end (its data never arrived), not past the size limit.
  if (r.dataStart !== undefined && !(Number.isSafeInteger(r.dataStart) && r.dataStart >= 0 && r.dataStart <= ctx.maxFileSize)) return `dataStart ${r.dataStart} is not a file offset within ctx.maxFileSize`;
  if (r.metadata !== undefined && !jsonSafe(r.metadata)) return 'metadata is not JSON-safe (it goes into report.json and DFXML as it is)';
  return null;
}

/** True when `v` survives JSON.stringify/parse unchanged (finite numbers, plain objects and arrays, no undefined). */
export function jsonSafe(v: unknown): v is MetadataValue {
  if (v === null || typeof v === 'string' || typeof v === 'boolean') return true;
  if (typeof v === 'number') return Number.isFinite(v);
  if (Array.isArray(v)) return v.every(jsonSafe);
  if (typeof v === 'object' && Object.getPrototypeOf(v) === Object.prototype) return Object.values(v as object).every(jsonSafe);
  return false;
}

/** Throws a ConformanceError with `message` unless `ok`. */
export function ensure(ok: boolean, message: () => string): asserts ok {
  if (!ok) throw new ConformanceError(message());
}
