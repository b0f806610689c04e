/** mulberry32: a small seeded PRNG, so generated images are the same for the same seed. */
export function mulberry32(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** An integer in [min, max]. */
export function randInt(rand: () => number, min: number, max: number): number {
  return min + Math.floor(rand() * (max - min + 1));
}

/** Fills `buf` with pseudo-random bytes. */
export function fillRandom(rand: () => number, buf: Uint8Array): Uint8Array {
  for (let i = 0; i < buf.length; i += 4) {
    const v = (rand() * 0x100000000) >>> 0;
    buf[i] = v & 0xff;
    if (i + 1 < buf.length) buf[i + 1] = (v >>> 8) & 0xff;
    if (i + 2 < buf.length) buf[i + 2] = (v >>> 16) & 0xff;
    if (i + 3 < buf.length) buf[i + 3] = v >>> 24;
  }
  return buf;
}
