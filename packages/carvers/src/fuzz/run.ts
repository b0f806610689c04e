/**
 * One fuzz input through one carver: the input is made from (seed, target,
 * index) alone, carved with a clock around the call, the result checked for
 * well-formedness and classified by the oracle. Shared by the vitest
 * property tests and scripts/fuzz.ts.
 */
import { BufferReader, type CarveResult, type Carver } from '@rawcarve/core';
import { BMFF_MUTATORS, BYTE_MUTATORS, bitflip, boxFlood, concat, nestingBomb, Rng, ftypBox, type Mutant, type Mutator } from '@rawcarve/core/fuzz';
import { JPEG_MUTATORS, markerFlood } from './jpeg-mutators.js';
import { carvedBytes, classify, type Classification } from './oracle.js';
import type { Format } from './regions.js';
import { CARVERS, type Seed } from './seeds.js';

export interface FuzzInput {
  readonly target: Format;
  readonly kind: string;
  readonly seed: Seed | null;
  readonly mutant: Mutant | null;
  readonly bytes: Uint8Array;
  readonly detail: string;
}

const FORMAT_MUTATORS: Record<Format, readonly (readonly [number, Mutator])[]> = {
  jpeg: JPEG_MUTATORS,
  heic: BMFF_MUTATORS,
  mov: BMFF_MUTATORS,
};

const SIGNATURES: Record<Format, Uint8Array[]> = {
  jpeg: [Uint8Array.of(0xff, 0xd8, 0xff)],
  heic: [ftypBox('heic'), ftypBox('mif1', ['mif1', 'heic'])],
  mov: [ftypBox('isom', ['isom', 'mp41']), ftypBox('qt  ', ['qt  ']), Uint8Array.of(0, 0, 0, 8, 0x6d, 0x64, 0x61, 0x74), Uint8Array.of(0, 0, 0, 0, 0x6d, 0x6f, 0x6f, 0x76)],
};

/** Seeds from the temp cache and samples are small; real camera files are big: pick those 1 time in `mediaEvery`. */
function pickSeed(rng: Rng, seeds: readonly Seed[], mediaEvery: number): Seed | null {
  if (seeds.length === 0) return null;
  const media = seeds.filter((s) => s.name.startsWith('media/'));
  const small = seeds.filter((s) => !s.name.startsWith('media/'));
  if (media.length > 0 && (small.length === 0 || rng.int(mediaEvery) === 0)) return rng.pick(media);
  return rng.pick(small.length > 0 ? small : seeds);
}

/** Applies 1–3 mutations; the result's `overwritten` stays set only when all of them were in place. */
function mutate(rng: Rng, format: Format, seed: Seed, other: Seed | null): Mutant | null {
  const steps = rng.bool(0.85) ? 1 : rng.range(2, 3);
  let current: Mutant | null = null;
  for (let i = 0; i < steps; i++) {
    const pool = rng.bool(0.55) ? FORMAT_MUTATORS[format] : BYTE_MUTATORS;
    const m = rng.weighted(pool);
    const input: Uint8Array = current?.bytes ?? seed.bytes.subarray(0, seed.length);
    // Format mutators parse their input: stacked ones work on the original's structure only.
    const next: Mutant | null = current && pool === FORMAT_MUTATORS[format] ? null : m(rng, input, other?.bytes);
    if (!next) continue;
    // Stacked mutations stay in place and apart: where each one happened must stay known to the oracle.
    if (current && (!current.overwritten || !next.overwritten)) continue;
    if (current?.overwritten?.some((a) => next.overwritten!.some((b) => a.start < b.end && b.start < a.end))) continue;
    current = current
      ? {
          kind: `${current.kind}+${next.kind}`,
          bytes: next.bytes,
          overwritten: current.overwritten && next.overwritten ? [...current.overwritten, ...next.overwritten] : null,
          from: Math.min(current.from, next.from),
          detail: `${current.detail}; ${next.detail}`,
        }
      : next;
  }
  return current;
}

/**
 * The input number `index` of a run with `seedValue` for `target`. Kinds:
 * random bytes (a third with the format's signature in front), floods and
 * bombs (markers ×1e6, nesting depth 1e5, 2^18 tiny boxes), and mutated seeds.
 */
export function makeInput(target: Format, seedValue: number | string, index: number, seeds: readonly Seed[], options: { mediaEvery?: number } = {}): FuzzInput {
  const rng = new Rng(seedValue, target, index);
  const roll = rng.float();
  if (roll < 0.04 || seeds.length === 0) {
    const n = rng.pick([0, 1, 7, 8, 16, 64, 512, 4096, 65536]);
    const body = rng.bytes(n);
    const bytes = rng.bool(0.6) ? concat([rng.pick(SIGNATURES[target]), body]) : body;
    return { target, kind: 'random', seed: null, mutant: null, bytes, detail: `${bytes.length} bytes` };
  }
  if (roll < 0.045) {
    if (target === 'jpeg') {
      const m = markerFlood(rng, rng.bool() ? pickSeed(rng, seeds, 50)?.bytes ?? null : null);
      return { target, kind: m.kind, seed: null, mutant: null, bytes: m.bytes, detail: m.detail };
    }
    const major = target === 'heic' ? 'heic' : 'isom';
    const bomb = rng.bool()
      ? nestingBomb(rng.pick([17, 1000, 100_000]), major, rng.pick([['moov', 'trak', 'mdia', 'minf', 'stbl'], ['meta'], ['iprp', 'ipco'], ['moof', 'traf']]))
      : boxFlood(rng.pick([1000, 262_144]), major, rng.pick(['moov', 'meta', 'moof', 'free']), rng.pick(['free', 'trak', 'infe', 'mdat']));
    return { target, kind: 'bmff-bomb', seed: null, mutant: null, bytes: bomb, detail: `${bomb.length} bytes` };
  }
  const seed = pickSeed(rng, seeds, options.mediaEvery ?? 20)!;
  const other = pickSeed(rng, seeds, 100);
  // A mutator that does not apply (no such box, nothing to flip there) gives way to another: every input is mutated.
  let mutant: Mutant | null = null;
  for (let attempt = 0; attempt < 16 && !mutant; attempt++) mutant = mutate(rng, target, seed, other);
  mutant ??= bitflip(rng, seed.bytes.subarray(0, seed.length));
  if (!mutant) return { target, kind: 'unmutated', seed, mutant: null, bytes: seed.bytes.subarray(0, seed.length), detail: 'no mutation applied' };
  return { target, kind: mutant.kind.split('+')[0]!, seed, mutant, bytes: mutant.bytes, detail: `${seed.name}: ${mutant.kind} ${mutant.detail}` };
}

export type Status = CarveResult['status'] | 'null';

/** Does one of the carver's signatures match at offset 0 (the engine calls carve() only then)? */
export function signatureMatches(carver: Carver, bytes: Uint8Array): boolean {
  return carver.signatures.some((sig) => {
    const at = sig.offset ?? 0;
    return sig.bytes.every((v, i) => ((bytes[at + i] ?? -1) & (sig.mask?.[i] ?? 0xff)) === v);
  });
}

export interface Outcome {
  status: Status;
  /** Milliseconds in carve(). */
  ms: number;
  /** Milliseconds in the other hooks (expectedAt, suspectBreaks, couldContinue). */
  hookMs: number;
  /** A thrown exception (a crash) or a malformed result (a contract violation). */
  crash?: string;
  classification?: Classification;
}

/** Checks a result against the Carver contract; a message when it breaks it. */
export function malformed(result: CarveResult, size: number): string | null {
  if (!['complete', 'truncated', 'damaged'].includes(result.status)) return `status ${String(result.status)}`;
  if (!Array.isArray(result.byteRuns) || result.byteRuns.length === 0) return 'no byte runs';
  let fileOffset = 0;
  for (const r of result.byteRuns) {
    if (!Number.isSafeInteger(r.imgOffset) || !Number.isSafeInteger(r.length) || r.imgOffset < 0 || r.length <= 0 || r.imgOffset + r.length > size) return `byte run ${JSON.stringify(r)} outside the image of ${size} bytes`;
    if (r.fileOffset !== fileOffset) return `byte run file offset ${r.fileOffset}, expected ${fileOffset}`;
    fileOffset += r.length;
  }
  if (result.validFraction !== undefined && !(result.validFraction >= 0 && result.validFraction <= 1)) return `validFraction ${result.validFraction}`;
  if (result.status === 'complete' && result.validFraction !== undefined && result.validFraction !== 1) return `complete with validFraction ${result.validFraction}`;
  if (result.verifiedLength !== undefined && !(result.verifiedLength >= 0)) return `verifiedLength ${result.verifiedLength}`;
  if (!result.notes.every((n) => typeof n === 'string')) return 'a note is not a string';
  try {
    JSON.stringify(result.metadata ?? {});
  } catch (e) {
    return `metadata is not JSON: ${String(e)}`;
  }
  return null;
}

const errorText = (e: unknown): string => (e instanceof Error ? `${e.name}: ${e.message}\n${(e.stack ?? '').split('\n').slice(1, 6).join('\n')}` : String(e));

/**
 * Carves `input` from offset 0 and classifies the result. `validate: false`
 * skips the external decoders (a complete that is not identical/unchecked is
 * then 'unverified'); `hooks` also calls the carver's reassembly hooks.
 */
export function runInput(input: FuzzInput, options: { validate?: boolean; hooks?: boolean } = {}): Outcome {
  const carver: Carver = CARVERS[input.target];
  const reader = new BufferReader(input.bytes);
  let result: CarveResult | null;
  const t0 = performance.now();
  try {
    result = carver.carve(reader, 0, { maxFileSize: carver.maxFileSize, align: 512 });
  } catch (e) {
    return { status: 'null', ms: performance.now() - t0, hookMs: 0, crash: `carve threw ${errorText(e)}` };
  }
  const ms = performance.now() - t0;
  if (result === null) return { status: 'null', ms, hookMs: 0 };
  const bad = malformed(result, input.bytes.length);
  if (bad) return { status: result.status, ms, hookMs: 0, crash: `malformed result: ${bad}` };
  const carved = carvedBytes(input.bytes, result);
  let hookMs = 0;
  if (options.hooks) {
    const h0 = performance.now();
    try {
      const file = new BufferReader(carved);
      if (result.status !== 'complete') carver.expectedAt?.(file, result);
      if (result.status !== 'complete') carver.suspectBreaks?.(file, result);
      carver.couldContinue?.(input.bytes.subarray(Math.max(0, input.bytes.length - 4096)));
    } catch (e) {
      return { status: result.status, ms, hookMs: performance.now() - h0, crash: `hook threw ${errorText(e)}` };
    }
    hookMs = performance.now() - h0;
  }
  // Without a matching signature the engine never asks: carve() must not crash, but its verdict is not judged.
  if (!signatureMatches(carver, input.bytes)) return { status: result.status, ms, hookMs, classification: { verdict: 'no-signature', label: 'signature' } };
  const classification = classify(input.target, input.seed, input.mutant, result.status, carved, { validate: options.validate ?? true });
  return { status: result.status, ms, hookMs, classification };
}
