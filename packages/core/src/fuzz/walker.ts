/**
 * Fuzzing the box walker (bmff/box.ts) and the NAL unit checker (bmff/nal.ts)
 * on their own: walk every container of a hostile tree with a budget, check
 * the walker's promises (children tile from the container's start, each box
 * at least its header, never past its container, bounded count and depth),
 * and run the NAL checker over extents cut from the same bytes.
 */
import { BoxBudget, childBoxes, readBoxHeader, type BoxHeader } from '../bmff/box.js';
import { checkNalUnits } from '../bmff/nal.js';
import { BufferReader } from '../reader/source-reader.js';
import type { Rng } from './prng.js';

/** Containers walked into (ISO BMFF, QuickTime and HEIF). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'stbl', 'dinf', 'edts', 'mvex', 'moof', 'traf', 'mfra', 'udta', 'iprp', 'ipco', 'meta', 'iref', 'iinf']);
const SKIP: Record<string, number> = { meta: 4, iref: 4, iinf: 6 };

export interface WalkReport {
  boxes: number;
  depth: number;
  /** A broken promise of the walker, or a thrown exception. */
  violation?: string;
}

/** Walks `bytes` as a box tree from offset 0 with a budget of `budget` boxes. */
export function walkTree(bytes: Uint8Array, budget = 100_000): WalkReport {
  const reader = new BufferReader(bytes);
  const b = new BoxBudget(budget, 16);
  let boxes = 0;
  let depth = 0;
  const check = (list: readonly BoxHeader[], start: number, end: number, d: number): string | null => {
    let at = start;
    for (const box of list) {
      if (box.start !== at) return `box at ${box.start} does not follow the previous one (expected ${at})`;
      if (box.size < box.headerSize || box.headerSize < 8) return `box at ${box.start} of size ${box.size} with a ${box.headerSize}-byte header`;
      if (box.end > end) return `box at ${box.start} ends at ${box.end}, past its container's end ${end}`;
      if (box.end !== box.start + box.size) return `box at ${box.start}: end ≠ start + size`;
      at = box.end;
      boxes++;
      if (CONTAINERS.has(box.type) && d < b.maxDepth) {
        const from = box.start + box.headerSize + (SKIP[box.type] ?? 0);
        if (from > box.end) continue;
        depth = Math.max(depth, d + 1);
        const kids = childBoxes(reader, from, box.end, b);
        const bad = check(kids.boxes, from, box.end, d + 1);
        if (bad) return bad;
      }
    }
    return null;
  };
  try {
    const top: BoxHeader[] = [];
    for (let at = 0; at < bytes.length && top.length < 10_000; ) {
      const h = readBoxHeader(reader, at, bytes.length);
      if (!h || h.end > bytes.length) break;
      top.push(h);
      at = h.end;
    }
    const bad = check(top, 0, bytes.length, 0);
    if (boxes > budget + top.length) return { boxes, depth, violation: `${boxes} boxes read with a budget of ${budget}` };
    return bad ? { boxes, depth, violation: bad } : { boxes, depth };
  } catch (e) {
    return { boxes, depth, violation: `threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}

/** checkNalUnits over random extents of `bytes`: must not throw, and what it reports must lie in the extents. */
export function fuzzNal(rng: Rng, bytes: Uint8Array): string | null {
  const reader = new BufferReader(bytes);
  const extents = Array.from({ length: rng.range(1, 4) }, () => {
    const offset = rng.int(bytes.length + 16);
    return { offset, length: rng.pick([0, 1, 5, 64, 4096, rng.int(bytes.length + 1)]) };
  });
  const lengthSize = rng.pick([1, 2, 4, 4, 3, 0]);
  try {
    const r = checkNalUnits(reader, extents, lengthSize, rng.bool() ? 'hevc' : 'avc');
    if (r.nals < 0 || r.vcl > r.nals) return `nals ${r.nals}, vcl ${r.vcl}`;
    if (!r.ok && r.problem === undefined) return 'failed without a problem';
    return null;
  } catch (e) {
    return `checkNalUnits threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}`;
  }
}
