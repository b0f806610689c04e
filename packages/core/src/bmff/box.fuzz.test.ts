/**
 * The box walker and NAL checker under hostile input (fast property tests;
 * scripts/fuzz.ts runs the bmff target by the hundred thousand): random
 * bytes, random box trees with every size-field lie, nesting bombs and
 * floods. The walker's promises must hold (children tile their container,
 * never past it, each at least its header, bounded count and depth) and
 * nothing may throw or take long.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader } from '../reader/source-reader.js';
import { BoxBudget, childBoxes, readBoxHeader } from './box.js';
import { boxFlood, concat, fuzzNal, nestingBomb, Rng, walkTree, writeUint } from '../fuzz/index.js';

const HANG_MS = 2000;

/** A box with a size field that may lie: the real size, 0, 1 (+largesize), 2..7, 2^32−1, its parent's. */
const sizeLie = fc.constantFrom('real', 'zero', 'one', 'small', 'u32max', 'large-real', 'large-zero', 'large-one', 'large-max', 'large-back', 'plus', 'minus');
function box(type: string, body: Uint8Array, lie: string): Uint8Array {
  const large = lie.startsWith('large');
  const head = new Uint8Array(large ? 16 : 8);
  const size = head.length + body.length;
  writeUint(head, 0, 4, large ? 1 : ({ real: size, zero: 0, one: 1, small: 5, u32max: 0xffffffff, plus: size + 3, minus: Math.max(0, size - 3) } as Record<string, number>)[lie] ?? size);
  for (let i = 0; i < 4; i++) head[4 + i] = type.charCodeAt(i);
  if (large) writeUint(head, 8, 8, ({ 'large-real': BigInt(size), 'large-zero': 0n, 'large-one': 1n, 'large-max': 0xffffffffffffffffn, 'large-back': 8n } as Record<string, bigint>)[lie]!);
  return concat([head, body]);
}

const types = fc.constantFrom('moov', 'trak', 'mdia', 'minf', 'stbl', 'meta', 'iprp', 'ipco', 'moof', 'traf', 'free', 'mdat', 'stsz', 'uuid', 'ftyp');
const tree: fc.Arbitrary<Uint8Array> = fc.letrec((tie) => ({
  node: fc.oneof(
    { depthSize: 'small' },
    fc.tuple(types, fc.uint8Array({ maxLength: 48 }), sizeLie).map(([t, b, l]) => box(t, b, l)),
    fc.tuple(types, fc.array(tie('node'), { maxLength: 4 }), sizeLie).map(([t, kids, l]) => box(t, concat(kids as Uint8Array[]), l)),
  ),
})).node as fc.Arbitrary<Uint8Array>;

describe('box walker under hostile input', () => {
  it('property: random box trees with lying sizes keep the walker\'s promises', () => {
    fc.assert(
      fc.property(fc.array(tree, { maxLength: 6 }), (tops) => {
        const bytes = concat(tops);
        const t0 = performance.now();
        const w = walkTree(bytes);
        expect(w.violation).toBeUndefined();
        expect(performance.now() - t0).toBeLessThan(HANG_MS);
      }),
      { numRuns: 500, seed: 3 },
    );
  });

  it('property: random bytes and random extents: no throw from the walker or the NAL checker', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 4096 }), fc.nat(), (bytes, k) => {
        expect(walkTree(bytes).violation).toBeUndefined();
        expect(fuzzNal(new Rng('nal', k), bytes)).toBeNull();
      }),
      { numRuns: 500, seed: 5 },
    );
  });

  it('nesting bombs (100 000 deep) and floods (262 144 boxes) are bounded by the budget', () => {
    for (const bytes of [nestingBomb(100_000), nestingBomb(100_000, 'heic', ['meta']), boxFlood(262_144), boxFlood(262_144, 'heic', 'meta', 'infe')]) {
      const t0 = performance.now();
      const w = walkTree(bytes, 100_000);
      expect(w.violation).toBeUndefined();
      expect(w.depth).toBeLessThanOrEqual(16);
      expect(w.boxes).toBeLessThanOrEqual(100_002);
      expect(performance.now() - t0).toBeLessThan(HANG_MS);
    }
  });

  it('size fields 0, 1 with largesize 0/1/2^64−1, 2..7, 2^32−1: header rules', () => {
    const body = new Uint8Array(24);
    const r = (b: Uint8Array) => readBoxHeader(new BufferReader(b), 0, b.length);
    expect(r(box('free', body, 'one'))).toBeNull(); // size 1: the next 8 bytes (zeros here) are the size
    expect(r(box('free', body, 'large-zero'))).toBeNull();
    expect(r(box('free', body, 'large-one'))).toBeNull();
    expect(r(box('free', body, 'large-max'))).toBeNull(); // beyond 2^53
    expect(r(box('free', body, 'large-back'))).toBeNull(); // smaller than its own header
    expect(r(box('free', body, 'small'))).toBeNull();
    expect(r(box('free', body, 'u32max'))?.end).toBe(0xffffffff); // the caller compares with its limit
    expect(r(box('free', body, 'zero'))?.toEnd).toBe(true);
  });

  it('regression found by fuzzing: size 0 inside a container is damage, not "to the end of the file"', () => {
    const inner = box('ispe', new Uint8Array(12), 'zero');
    const ipco = concat([box('pixi', new Uint8Array(8), 'real'), inner]);
    const list = childBoxes(new BufferReader(ipco), 0, ipco.length, new BoxBudget());
    expect(list.problem).toMatch(/size 0 inside a container/);
  });
});
