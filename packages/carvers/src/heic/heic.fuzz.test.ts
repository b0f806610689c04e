/**
 * Hostile HEIC/HEIF/AVIF input (fast property tests; scripts/fuzz.ts runs
 * them by the million): mutated real and generated files (box sizes, counts,
 * iloc fields, nesting bombs, floods), random bytes after an ftyp. No
 * exception, bounded time per call, and `complete` only where the oracle
 * proves the mutation harmless or libheif still decodes the file.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, type CarveResult } from '@rawcarve/core';
import { boxFlood, boxTree, allBoxes, concat, ftypBox, nestingBomb, payloadOf, writeUint } from '@rawcarve/core/fuzz';
import { loadSeeds, makeInput, malformed, runInput, validatorAvailable, type Seed } from '../fuzz/index.js';
import { heicCarver } from './index.js';

const HANG_MS = 2000;
const ctx = { maxFileSize: heicCarver.maxFileSize, align: 512 };

function carve(bytes: Uint8Array): CarveResult | null {
  const t0 = performance.now();
  const r = heicCarver.carve(new BufferReader(bytes), 0, ctx);
  expect(performance.now() - t0).toBeLessThan(HANG_MS);
  if (r) expect(malformed(r, bytes.length)).toBeNull();
  return r;
}

/** A copy of the seed with `edit` applied at the payload of its first box of `type`. */
function edited(seed: Seed, type: string, edit: (b: Uint8Array, payload: number) => void): Uint8Array {
  const b = Uint8Array.from(seed.bytes.subarray(0, seed.length));
  const box = allBoxes(boxTree(b)).find((n) => n.type === type);
  if (!box) throw new Error(`${seed.name} has no ${type}`);
  edit(b, payloadOf(box));
  return b;
}

describe('HEIC carver under hostile input', () => {
  const set = loadSeeds('heic', { maxMediaBytes: 1 << 20 });
  if (set.notes.length > 0) console.warn(`heic fuzz seeds: ${set.notes.join('; ')}`);
  const validate = validatorAvailable('heic');

  it.skipIf(set.seeds.length === 0)('property: mutated files never crash, stay bounded, and are complete only when the oracle allows it', () => {
    fc.assert(
      fc.property(fc.nat(), (index) => {
        const input = makeInput('heic', 'vitest', index, set.seeds, { mediaEvery: 10 });
        const o = runInput(input, { validate, hooks: true });
        expect(o.crash, input.detail).toBeUndefined();
        expect(o.ms + o.hookMs, input.detail).toBeLessThan(HANG_MS);
        expect(o.classification?.verdict, `${input.detail}: ${o.classification?.why}`).not.toBe('false-complete');
      }),
      { numRuns: 400, seed: 42 },
    );
  });

  it('property: random bytes after an HEIC ftyp never crash and are never complete', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => {
        expect(carve(concat([ftypBox('heic'), body]))?.status).not.toBe('complete');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('nesting depth bombs and floods of tiny boxes are bounded', () => {
    for (const bytes of [nestingBomb(100_000, 'heic', ['meta']), nestingBomb(100_000, 'heic', ['iprp', 'ipco']), boxFlood(262_144, 'heic', 'meta', 'infe'), boxFlood(262_144, 'heic', 'meta', 'free')]) {
      expect(carve(bytes)?.status).not.toBe('complete');
    }
  });

  const plain = set.seeds.find((s) => s.name.endsWith('g0-plain.heic'));
  it.skipIf(!plain)('huge counts and offsets: iloc item and extent counts, base_offset overflow, iinf/ipma counts', () => {
    const cases: [string, Uint8Array][] = [
      ['iloc item_count 65535', edited(plain!, 'iloc', (b, p) => writeUint(b, p + 6, 2, 0xffff))],
      ['iinf entry_count 65535', edited(plain!, 'iinf', (b, p) => writeUint(b, p + 4, b[p] === 0 ? 2 : 4, 0xffff))],
      ['ipma entry_count 2^32-1', edited(plain!, 'ipma', (b, p) => writeUint(b, p + 4, 4, 0xffffffff))],
      ['iloc offset and length sizes 8, 8', edited(plain!, 'iloc', (b, p) => (b[p + 4] = 0x88))],
      ['iloc first extent offset 2^32-1', edited(plain!, 'iloc', (b, p) => {
        const sizes = (b[p + 4]! << 8) | b[p + 5]!;
        const v = b[p]!;
        // item_ID, [construction_method], data_reference_index, base_offset, extent_count, then the first extent.
        const at = p + 6 + (v < 2 ? 2 : 4) + (v < 2 ? 2 : 4) + (v > 0 ? 2 : 0) + 2 + ((sizes >> 4) & 15) + 2 + (v > 0 ? sizes & 15 : 0);
        writeUint(b, at, sizes >> 12, 2 ** (8 * (sizes >> 12)) - 1);
      })],
    ];
    for (const [what, bytes] of cases) expect(carve(bytes)?.status, what).not.toBe('complete');
  });

  it.skipIf(!plain)('regressions found by fuzzing: data in another file, hidden or non-image primary, missing ispe, size-0 meta, extent length 0', () => {
    const withLength0 = edited(plain!, 'iloc', (b, p) => {
      const sizes = (b[p + 4]! << 8) | b[p + 5]!;
      const v = b[p]!;
      const count = v < 2 ? (b[p + 6]! << 8) | b[p + 7]! : 0;
      expect(count).toBeGreaterThan(0);
      const at = p + 6 + 2 + 2 + (v > 0 ? 2 : 0) + 2 + ((sizes >> 4) & 15) + 2 + (v > 0 ? sizes & 15 : 0) + (sizes >> 12);
      writeUint(b, at, (sizes >> 8) & 15, 0);
    });
    expect(carve(withLength0)?.status).not.toBe('complete');
    const sizeZeroMeta = edited(plain!, 'meta', (b, p) => writeUint(b, p - 8, 4, 0));
    expect(carve(sizeZeroMeta)?.status).not.toBe('complete');
    const dataRef = edited(plain!, 'iloc', (b, p) => {
      const v = b[p]!;
      writeUint(b, p + 6 + (v < 2 ? 2 : 4) + (v < 2 ? 2 : 4) + (v > 0 ? 2 : 0), 2, 1);
    });
    expect(carve(dataRef)?.status).not.toBe('complete');
    const noIspe = edited(plain!, 'ispe', (b, p) => b.set([0x78, 0x78, 0x78, 0x78], p - 4));
    expect(carve(noIspe)?.status).not.toBe('complete');
    expect(carve(plain!.bytes.subarray(0, plain!.length))?.status).toBe('complete');
  });

  it.skipIf(!plain)('regressions found by fuzzing: a decoder configuration not marked essential, "no property" marked essential', () => {
    const b0 = plain!.bytes.subarray(0, plain!.length);
    const nodes = allBoxes(boxTree(b0));
    const props = nodes.find((n) => n.type === 'ipco')!.children.map((c) => c.type);
    /** Byte offsets of the 1-byte associations (ipma version 0, flags 0) and the property each names. */
    const associations = (): { at: number; type: string }[] => {
      const ipma = nodes.find((n) => n.type === 'ipma')!;
      const out: { at: number; type: string }[] = [];
      let at = payloadOf(ipma) + 8;
      const count = (b0[at - 4]! << 24) | (b0[at - 3]! << 16) | (b0[at - 2]! << 8) | b0[at - 1]!;
      for (let i = 0; i < count; i++) {
        at += 2;
        const n = b0[at++]!;
        for (let k = 0; k < n; k++, at++) out.push({ at, type: props[(b0[at]! & 0x7f) - 1] ?? '?' });
      }
      return out;
    };
    expect(b0[payloadOf(nodes.find((n) => n.type === 'ipma')!)]).toBe(0);
    const hvcC = associations().find((a) => a.type === 'hvcC')!;
    const notEssential = Uint8Array.from(b0);
    notEssential[hvcC.at]! &= 0x7f;
    expect(carve(notEssential)?.status).not.toBe('complete');
    const essentialNothing = Uint8Array.from(b0);
    essentialNothing[associations().find((a) => a.type !== 'hvcC')!.at] = 0x80;
    expect(carve(essentialNothing)?.status).not.toBe('complete');
  });
});
