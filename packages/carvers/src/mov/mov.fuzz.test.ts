/**
 * Hostile MOV/MP4 input (fast property tests; scripts/fuzz.ts runs them by
 * the million): mutated real and generated movies (box sizes, sample tables
 * claiming 2^32−1 entries, chunk offsets past 2^53 or back into moov,
 * fragments, nesting bombs, floods), random bytes after an ftyp. No
 * exception, bounded time, and `complete` only where the oracle proves the
 * mutation harmless or ffmpeg still decodes every stream.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, type CarveResult } from '@rawcarve/core';
import { allBoxes, boxFlood, boxTree, concat, ftypBox, nestingBomb, payloadOf, writeUint } from '@rawcarve/core/fuzz';
import { loadSeeds, makeInput, malformed, runInput, validatorAvailable, type Seed } from '../fuzz/index.js';
import { movCarver } from './index.js';

const HANG_MS = 2000;
const ctx = { maxFileSize: movCarver.maxFileSize, align: 512 };

function carve(bytes: Uint8Array): CarveResult | null {
  const t0 = performance.now();
  const r = movCarver.carve(new BufferReader(bytes), 0, ctx);
  expect(performance.now() - t0).toBeLessThan(HANG_MS);
  if (r) expect(malformed(r, bytes.length)).toBeNull();
  return r;
}

/** A copy of the seed with `edit` applied to the payload of its `nth` box of `type`. */
function edited(seed: Seed, type: string, edit: (b: Uint8Array, payload: number) => void, nth = 0): Uint8Array {
  const b = Uint8Array.from(seed.bytes.subarray(0, seed.length));
  const box = allBoxes(boxTree(b)).filter((n) => n.type === type)[nth];
  if (!box) throw new Error(`${seed.name} has no ${type}`);
  edit(b, payloadOf(box));
  return b;
}

describe('MOV carver under hostile input', () => {
  const set = loadSeeds('mov', { maxMediaBytes: 1 << 20 });
  if (set.notes.length > 0) console.warn(`mov fuzz seeds: ${set.notes.join('; ')}`);
  const validate = validatorAvailable('mov');

  it.skipIf(set.seeds.length === 0)('property: mutated movies never crash, stay bounded, and are complete only when the oracle allows it', () => {
    fc.assert(
      fc.property(fc.nat(), (index) => {
        const input = makeInput('mov', 'vitest', index, set.seeds, { mediaEvery: 10 });
        const o = runInput(input, { validate, hooks: true });
        expect(o.crash, input.detail).toBeUndefined();
        expect(o.ms + o.hookMs, input.detail).toBeLessThan(HANG_MS);
        expect(o.classification?.verdict, `${input.detail}: ${o.classification?.why}`).not.toBe('false-complete');
      }),
      { numRuns: 250, seed: 42 },
    );
  });

  it('property: random bytes after a movie ftyp never crash and are never complete', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 2048 }), (body) => {
        expect(carve(concat([ftypBox('isom', ['isom', 'mp41']), body]))?.status).not.toBe('complete');
      }),
      { numRuns: 300, seed: 7 },
    );
  });

  it('nesting depth bombs and floods of tiny boxes are bounded', () => {
    for (const bytes of [nestingBomb(100_000, 'isom'), nestingBomb(100_000, 'isom', ['moof', 'traf']), boxFlood(262_144, 'isom', 'moov', 'trak'), boxFlood(262_144, 'isom', 'moov', 'free')]) {
      expect(carve(bytes)?.status).not.toBe('complete');
    }
  });

  const last = set.seeds.find((s) => s.name.endsWith('generated/last.mp4'));
  const frag = set.seeds.find((s) => s.name.endsWith('generated/frag.mp4'));
  it.skipIf(!last || !frag)('sample tables claiming 2^32−1 entries, chunk offsets back into moov, 2^64−1 fragment bases', () => {
    const moovStart = allBoxes(boxTree(last!.bytes)).find((n) => n.type === 'moov')!.start;
    const cases: [string, Uint8Array][] = [
      ['stsz sample_count 2^32-1', edited(last!, 'stsz', (b, p) => writeUint(b, p + 8, 4, 0xffffffff))],
      ['stco entry_count 2^32-1', edited(last!, 'stco', (b, p) => writeUint(b, p + 4, 4, 0xffffffff))],
      ['stsc entry_count 2^32-1', edited(last!, 'stsc', (b, p) => writeUint(b, p + 4, 4, 0xffffffff))],
      ['stsc samples_per_chunk 2^32-1', edited(last!, 'stsc', (b, p) => writeUint(b, p + 12, 4, 0xffffffff))],
      ['stco first chunk inside moov', edited(last!, 'stco', (b, p) => writeUint(b, p + 8, 4, moovStart))],
      ['stsd entry_count 2^32-1', edited(last!, 'stsd', (b, p) => writeUint(b, p + 4, 4, 0xffffffff))],
      ['mdat size 2^32-1', edited(last!, 'mdat', (b, p) => writeUint(b, p - 8, 4, 0xffffffff))],
      ['trun sample_count 2^32-1', edited(frag!, 'trun', (b, p) => writeUint(b, p + 4, 4, 0xffffffff))],
      ['tfhd track_ID unknown', edited(frag!, 'tfhd', (b, p) => writeUint(b, p + 4, 4, 77))],
      ['moov size 0', edited(last!, 'moov', (b, p) => writeUint(b, p - 8, 4, 0))],
    ];
    for (const [what, bytes] of cases) expect(carve(bytes)?.status, what).not.toBe('complete');
    expect(carve(last!.bytes.subarray(0, last!.length))?.status).toBe('complete');
  });

  it.skipIf(!last || !frag)('regressions found by fuzzing: stsd count, misplaced and missing boxes, missing trex, description index, empty stsz with chunks, hidden avcC', () => {
    const cases: [string, Uint8Array][] = [
      ['stsd claims 2 entries, holds 1', edited(last!, 'stsd', (b, p) => writeUint(b, p + 4, 4, 2))],
      ['stts renamed: stbl lacks stts', edited(last!, 'stts', (b, p) => b.set([0x78, 0x78, 0x78, 0x78], p - 4))],
      ['hdlr renamed trak: a trak inside mdia', edited(last!, 'hdlr', (b, p) => b.set([0x74, 0x72, 0x61, 0x6b], p - 4))],
      ['trex names another track', edited(frag!, 'trex', (b, p) => writeUint(b, p + 4, 4, 99))],
      ['stsc names sample description 2 of 1', edited(last!, 'stsc', (b, p) => writeUint(b, p + 16, 4, 2))],
      ['stsz lists no samples, stco lists chunks', edited(last!, 'stsz', (b, p) => writeUint(b, p + 8, 4, 0), 1)],
      ['avcC emptied (size 8)', edited(last!, 'avcC', (b, p) => writeUint(b, p - 8, 4, 8))],
      ['avc1 renamed: an unknown entry holding avcC', edited(last!, 'avc1', (b, p) => b.set([0x61, 0x76, 0x63, 0x39], p - 4))],
      ['a sample of 0 bytes in a fragment', edited(frag!, 'trun', (b, p) => {
        const flags = (b[p + 1]! << 16) | (b[p + 2]! << 8) | b[p + 3]!;
        expect(flags & 0x200).toBeTruthy();
        const first = p + 8 + (flags & 1 ? 4 : 0) + (flags & 4 ? 4 : 0) + (flags & 0x100 ? 4 : 0);
        writeUint(b, first, 4, 0);
      })],
      ['jpeg sample entry renamed idat', (() => {
        const mj = set.seeds.find((s) => s.name.endsWith('generated/mjpeg.mov'));
        return mj ? edited(mj, 'jpeg', (b, p) => b.set([0x69, 0x64, 0x61, 0x74], p - 4)) : last!.bytes.subarray(0, 8);
      })()],
    ];
    for (const [what, bytes] of cases) expect(carve(bytes)?.status, what).not.toBe('complete');
  });
});
