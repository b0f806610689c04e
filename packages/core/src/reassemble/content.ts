/**
 * Which clusters could hold a file's data: not another file's, not a header,
 * not uniform, and passing the carver's quick test of its content.
 */
import { checkedLength, distinctBytes, resultLength, type Carver, type CarveResult } from '../carver.js';
import { uniformValue } from '../scan/find-candidates.js';
import { clusterCeil } from './block-size.js';
import type { GapCarveEnv } from './env.js';

/**
 * Could the cluster at x hold the middle of the file starting at `owner`:
 * not another file's, not a header, not uniform, and passing the carver's
 * quick test (default: high entropy)? Cached per file and, for the content
 * part, per carver across files.
 */
export function continuableTest(env: GapCarveEnv, carver: Carver, owner: number): (x: number) => boolean {
  const cs = env.grid.size;
  const cache = new Map<number, boolean>();
  let contentCache = env.contentCache.get(carver.name);
  if (!contentCache) env.contentCache.set(carver.name, (contentCache = new Map()));
  const content = contentCache;
  return (x: number): boolean => {
    if (x < 0 || x + 1 > env.reader.size) return false;
    let v = cache.get(x);
    if (v !== undefined) return v;
    v = !env.claims.takenByOther(x, x + cs, owner) && !(env.headers.has(x) && x !== owner);
    if (v) {
      let c = content.get(x);
      if (c === undefined) {
        const b = env.reader.bytes(x, Math.min(512, cs));
        c = !uniform(b) && (carver.couldContinue ? carver.couldContinue(b) : highEntropy(b));
        content.set(x, c);
      }
      v = c;
    }
    cache.set(x, v);
    return v;
  };
}

/**
 * Where to end an incomplete file that could not be rebuilt: at the first
 * cluster past its checked part that certainly is not its own (uniform,
 * low-entropy, another file's), so filler after a break is not written as
 * part of it. Null when no such cluster lies inside the file.
 */
export function unprovenTailCut(env: GapCarveEnv, carver: Carver, result: CarveResult, offset: number): number | null {
  if (result.byteRuns.length !== 1) return null;
  const from = offset + Math.max(result.dataStart ?? 0, checkedLength(result));
  return firstForeignCluster(env, carver, offset, from, offset + resultLength(result));
}

/** The first cluster in [from, end) that cannot hold data of the file starting at `offset`, or null. */
export function firstForeignCluster(env: GapCarveEnv, carver: Carver, offset: number, from: number, end: number): number | null {
  const continuable = continuableTest(env, carver, offset);
  for (let x = clusterCeil(env.grid, Math.max(from, offset + 1)); x < end; x += env.grid.size) {
    if (!continuable(x)) return x;
  }
  return null;
}

/**
 * The default test for clusters inside media files: compressed data uses most
 * byte values in any 512 bytes; text, tables and padding do not.
 */
function highEntropy(b: Uint8Array): boolean {
  return distinctBytes(b) >= Math.min(64, b.length >> 3);
}

function uniform(b: Uint8Array): boolean {
  return uniformValue(b, null, 0, b.length) >= 0;
}

