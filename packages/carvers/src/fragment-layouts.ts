/**
 * Test fixtures for reassembly: a file cut in two at a sector, laid out with
 * random bytes on every side of both fragments (the neighbours that give a
 * seam no evidence), in order or out of order. Used by the carvers' seam tests.
 */

/** Random bytes from a seed. */
export function randomBytes(n: number, seed: number): Uint8Array {
  let x = seed | 1;
  return Uint8Array.from({ length: n }, () => ((x = (x * 1103515245 + 12345) >>> 0) >>> 24));
}

/**
 * `file` cut at the sector at or before `cutAt`, `gap` sectors of random
 * bytes between the fragments; out of order puts the second fragment first.
 * Returns the image and the image offset of the file's first byte.
 */
export function twoFragments(file: Uint8Array, cutAt: number, gap: number, outOfOrder: boolean, seed: number): { img: Uint8Array; fileAt: number } {
  const cut = Math.floor(cutAt / 512) * 512;
  const first = file.subarray(0, cut);
  const second = file.subarray(cut);
  const pad = (512 - (second.length % 512)) % 512;
  const parts = outOfOrder
    ? [randomBytes(8 * 512, seed), second, randomBytes(pad + gap * 512, seed + 1), first, randomBytes(8 * 512, seed + 2)]
    : [randomBytes(8 * 512, seed), first, randomBytes(gap * 512, seed + 1), second, randomBytes(pad + 8 * 512, seed + 2)];
  return { img: Uint8Array.from(Buffer.concat(parts)), fileAt: outOfOrder ? 8 * 512 + second.length + pad + gap * 512 : 8 * 512 };
}

/**
 * `file` in three pieces cut at the sectors at or before `cuts` (two file
 * offsets), stored first, third, second, with `gap` sectors of `filler`
 * (one repeated byte) around each: the middle piece lies after the last.
 */
export function threeFragmentsOutOfOrder(file: Uint8Array, cuts: readonly [number, number], gap: number, filler: number): { img: Uint8Array; fileAt: number } {
  const [a, b] = cuts.map((c) => Math.floor(c / 512) * 512) as [number, number];
  const fill = (n: number): Uint8Array => new Uint8Array(n).fill(filler);
  const last = file.subarray(b);
  const pad = (512 - (last.length % 512)) % 512;
  const parts = [fill(8 * 512), file.subarray(0, a), fill(gap * 512), last, fill(pad + gap * 512), file.subarray(a, b), fill(8 * 512)];
  return { img: Uint8Array.from(Buffer.concat(parts)), fileAt: 8 * 512 };
}
