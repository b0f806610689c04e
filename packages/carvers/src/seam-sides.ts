/**
 * What the HEIC and movie carvers' seam proofs share: a seam is judged by
 * the coded parts (a tile, a video sample) that hold its two sides.
 */
import type { SeamProof } from '@rawcarve/core';

/**
 * Bytes a CABAC decoder may have read past the last bit it used: a reported
 * failure is moved on by this much, so it never lies before the foreign data
 * (the reassembly search jumps there).
 */
export const CABAC_READ_AHEAD = 8;

/**
 * The verdict on a seam from the parts holding the byte before it and the
 * byte at it (the same part when the seam falls inside one): broken when a
 * part does not parse (the earliest failure), proven when both sides lie in
 * parts that parse, unknown otherwise (a side outside every coded part, such
 * as audio, metadata or padding, cannot be proven by content).
 */
export function seamVerdict<T>(before: T | null, after: T | null, judge: (part: T) => SeamProof): SeamProof {
  const sides = [...new Set([before, after])].filter((x): x is T => x !== null);
  const verdicts = sides.map(judge);
  const broken = verdicts.filter((v) => v.verdict === 'broken');
  if (broken.length > 0) return broken.reduce((a, b) => ((a.failedAt ?? Infinity) <= (b.failedAt ?? Infinity) ? a : b));
  if (before === null || after === null) return { verdict: 'unknown' };
  return verdicts.every((v) => v.verdict === 'proven') ? { verdict: 'proven' } : { verdict: 'unknown' };
}
