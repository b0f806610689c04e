/**
 * The "false complete" oracle. A carver may call a mutated input complete
 * only when
 *   1. the carved bytes are byte-identical to the unmutated original (the
 *      mutation lay outside the file: after its end, in the image around it), or
 *      they are an unmutated prefix of it and the mutation lay past the end
 *      of what was carved (a dropped trailer: nothing false was claimed);
 *   2. the carved file has the original's length and differs from it only
 *      in bytes the format does not check (regions.ts: EXIF/APPn payloads,
 *      DQT values, opaque sample data, ...), however the mutation got there;
 *      The same holds for a carved file that ends where the original has a
 *      structure boundary (a movie fragment, an MPF image): nothing in the
 *      file says more follows ("prefix-at-boundary");
 *   3. an independent decoder (validators.ts) accepts the carved file: the
 *      mutant is still a valid file. This is counted apart, as "undetectable
 *      by design: decodes validly" (a bit flip in Huffman-coded data that
 *      maps one valid code onto another is invisible to any validator).
 *      For movies, one more class: every video stream decodes and only an
 *      audio stream fails ("undetectable-audio": the carver parses no audio,
 *      so audio bytes and the table entries that cut them into samples are
 *      checked for placement only). A file of the original's length that
 *      differs in checked and unchecked bytes is judged with the unchecked
 *      differences undone: the carver cannot tell the two apart.
 * Anything else is a false complete: a bug.
 */
import type { CarveResult } from '@rawcarve/core';
import type { Mutant } from '@rawcarve/core/fuzz';
import { covered, type Format } from './regions.js';
import type { Seed } from './seeds.js';
import { independentOpinion } from './validators.js';

export type Verdict =
  | 'not-complete'
  | 'identical'
  | 'unmutated-prefix'
  /** Shorter than the original, ending at one of its structure boundaries, differing only in unchecked bytes. */
  | 'prefix-at-boundary'
  | 'unchecked'
  | 'decodes-validly'
  /** MOV/MP4: every stream the carver parses decodes; only audio or a codec it does not know fails (not parsed by design). */
  | 'undetectable-audio'
  | 'false-complete'
  | 'unverified'
  /** No signature of the carver at the candidate offset: the engine would not have called carve(). */
  | 'no-signature';

export interface Classification {
  verdict: Verdict;
  /** Where the mutation hit (structure name), for the report. */
  label: string;
  why?: string;
}

function equal(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  return Buffer.from(a.buffer, a.byteOffset, a.length).equals(Buffer.from(b.buffer, b.byteOffset, b.length));
}

/** The carved bytes of a contiguous or fragmented result over `image`. */
export function carvedBytes(image: Uint8Array, result: CarveResult): Uint8Array {
  if (result.byteRuns.length === 1) {
    const r = result.byteRuns[0]!;
    return image.subarray(r.imgOffset, r.imgOffset + r.length);
  }
  return Buffer.concat(result.byteRuns.map((r) => image.subarray(r.imgOffset, r.imgOffset + r.length)));
}

export function classify(format: Format, seed: Seed | null, mutant: Mutant | null, status: CarveResult['status'] | null, carved: Uint8Array | null, options: { validate?: boolean } = {}): Classification {
  const label = seed && mutant ? seed.regions().labelAt(mutant.from) : 'random';
  if (status !== 'complete' || !carved) return { verdict: 'not-complete', label };
  if (seed) {
    const original = seed.bytes.subarray(0, seed.length);
    if (equal(carved, original)) return { verdict: 'identical', label };
    if (mutant && carved.length <= mutant.from && equal(carved, original.subarray(0, carved.length))) return { verdict: 'unmutated-prefix', label };
    // The original's length, or shorter and ending where the original has a structure boundary (a movie
    // fragment, an MPF image: nothing in the file says more follows): every byte that differs from the
    // original must lie where the format checks nothing.
    const prefix = carved.length < seed.length && seed.regions().boundaries.has(carved.length);
    if (carved.length <= seed.length) {
      // Shorter, not at a boundary: only the repair below can show that the carver missed nothing it checks.
      const fits: Verdict = prefix ? 'prefix-at-boundary' : 'unchecked';
      const shorter = carved.length < seed.length && !prefix;
      const base = original.subarray(0, carved.length);
      const runs = differingRuns(carved, base);
      const unchecked = seed.regions().unchecked;
      if (!shorter && runs !== null && runs.every((r) => covered(unchecked, r))) return { verdict: fits, label };
      // Changes in both kinds of bytes. The carver looks at checked bytes only, so it cannot tell this file from
      // the one with the unchecked changes undone: if that one is valid, the carver was right about all it checks
      // (a decoder failure comes from bytes it never looks at). First by mutation (a swap stays whole while the
      // flips beside it in unchecked bytes are undone), then by byte.
      const judge = (repaired: Uint8Array): Classification | null => {
        const o = independentOpinion(format, repaired, seed.imageStarts.filter((x) => x < repaired.length)).opinion;
        const how = `${label}+checked-valid${shorter ? '+shorter' : ''}`;
        if (o === 'valid') return { verdict: fits, label: how };
        if (o === 'valid-video') return { verdict: 'undetectable-audio', label: how };
        return null;
      };
      const parts = mutant?.overwritten;
      if (parts && (parts.length > 1 || shorter) && options.validate !== false) {
        const repaired = Uint8Array.from(carved);
        let undone = 0;
        for (const r of parts) {
          if (r.end <= carved.length && covered(unchecked, r)) {
            repaired.set(base.subarray(r.start, r.end), r.start);
            undone++;
          }
        }
        const v = undone > 0 ? judge(repaired) : null;
        if (v) return v;
      }
      if (runs !== null && options.validate !== false) {
        const repaired = Uint8Array.from(carved);
        let undone = 0;
        for (const r of runs) {
          for (const u of overlapping(unchecked, r)) {
            repaired.set(base.subarray(u.start, u.end), u.start);
            undone++;
          }
        }
        const v = undone > 0 ? judge(repaired) : null;
        if (v) return v;
      }
    }
  }
  if (options.validate === false) return { verdict: 'unverified', label };
  const starts = seed && mutant ? mappedStarts(seed, mutant, carved.length) : [0];
  const { opinion, why } = independentOpinion(format, carved, starts);
  if (opinion === 'valid') return { verdict: 'decodes-validly', label };
  if (opinion === 'valid-video') return { verdict: 'undetectable-audio', label, why };
  if (opinion === 'unavailable') return { verdict: 'unverified', label, why };
  return { verdict: 'false-complete', label, why };
}

/** The parts of `r` inside the sorted disjoint `ranges`. */
function overlapping(ranges: readonly { start: number; end: number }[], r: { start: number; end: number }): { start: number; end: number }[] {
  let lo = 0;
  let hi = ranges.length;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (ranges[mid]!.end <= r.start) lo = mid + 1;
    else hi = mid;
  }
  const out: { start: number; end: number }[] = [];
  for (let i = lo; i < ranges.length && ranges[i]!.start < r.end; i++) out.push({ start: Math.max(r.start, ranges[i]!.start), end: Math.min(r.end, ranges[i]!.end) });
  return out;
}

/** Ranges where two equal-length buffers differ (null past `max` ranges). */
export function differingRuns(a: Uint8Array, b: Uint8Array, max = 4096): { start: number; end: number }[] | null {
  const out: { start: number; end: number }[] = [];
  const A = Buffer.from(a.buffer, a.byteOffset, a.length);
  const B = Buffer.from(b.buffer, b.byteOffset, b.length);
  const BLOCK = 4096;
  for (let base = 0; base < a.length; base += BLOCK) {
    const end = Math.min(a.length, base + BLOCK);
    if (A.compare(B, base, end, base, end) === 0) continue;
    for (let i = base; i < end; i++) {
      if (a[i] === b[i]) continue;
      const last = out[out.length - 1];
      if (last && last.end === i) last.end = i + 1;
      else if (out.length >= max) return null;
      else out.push({ start: i, end: i + 1 });
    }
  }
  return out;
}

/** The original's JPEG image offsets, where they are in the mutant. */
function mappedStarts(seed: Seed, mutant: Mutant, length: number): number[] {
  const delta = mutant.bytes.length - seed.bytes.length;
  const shifts = ['insert', 'delete', 'dup-chunk'].includes(mutant.kind) || mutant.kind.startsWith('jpeg-');
  return seed.imageStarts
    .map((s) => (s < mutant.from || mutant.overwritten ? s : shifts ? s + delta : -1))
    .filter((s) => s >= 0 && s < length);
}
