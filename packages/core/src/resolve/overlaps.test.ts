import { describe, expect, it } from 'vitest';
import type { CarveStatus } from '../carver.js';
import type { Candidate } from '../scan/carve-page.js';
import { OverlapResolver } from './overlaps.js';

const cand = (offset: number, length: number, status: CarveStatus = 'complete', verifiedLength?: number): Candidate => ({
  carver: 'x',
  offset,
  status,
  ...(verifiedLength !== undefined ? { verifiedLength } : {}),
  byteRuns: [{ imgOffset: offset, fileOffset: 0, length }],
  notes: [],
});

describe('OverlapResolver', () => {
  it('drops a candidate that starts inside a complete file (a thumbnail) and keeps the next file', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 10_000));
    r.add(cand(512, 2_000));
    r.add(cand(10_240, 500));
    const kept = r.ready(Infinity).map((k) => k.candidate.offset);
    expect(kept).toEqual([0, 10_240]);
    expect(r.stats.suppressed).toBe(1);
  });

  it('cuts a truncated file where a complete file that reaches past it starts', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 8_192, 'truncated'));
    r.add(cand(4_096, 10_000));
    const kept = r.ready(Infinity);
    expect(kept.map((k) => [k.candidate.offset, k.candidate.byteRuns[0]!.length, k.candidate.status])).toEqual([
      [0, 4_096, 'truncated'],
      [4_096, 10_000, 'complete'],
    ]);
    expect(r.stats.trimmed).toBe(1);
    expect(kept[0]!.candidate.notes.join(' ')).toContain('4096');
  });

  it('a file cut by the size limit and then cut again where a complete file starts loses the limit mark (reassembly may search it)', () => {
    const r = new OverlapResolver();
    r.add({ ...cand(0, 8_192, 'truncated'), cutAtLimit: 8_192 });
    r.add(cand(4_096, 10_000));
    const first = r.ready(Infinity)[0]!.candidate;
    expect(first.byteRuns[0]!.length).toBe(4_096);
    expect(first.cutAtLimit).toBeUndefined();
  });

  it('keeps a complete file contained in a truncated one, off a sector, out (an embedded preview)', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 8_192, 'truncated'));
    r.add(cand(1_000, 1_000));
    expect(r.ready(Infinity).map((k) => k.candidate.offset)).toEqual([0]);
  });

  it('a complete file inside the verified part of a truncated one is embedded data, even on a sector', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 8_192, 'truncated'));
    r.add(cand(1_024, 1_000));
    expect(r.ready(Infinity).map((k) => k.candidate.offset)).toEqual([0]);
  });

  it('a complete file on a sector in the unverified tail of a truncated one is its own file', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 8_192, 'truncated', 600));
    r.add(cand(1_024, 1_000));
    expect(r.ready(Infinity).map((k) => [k.candidate.offset, k.candidate.byteRuns[0]!.length])).toEqual([
      [0, 1_024],
      [1_024, 1_000],
    ]);
  });

  it('a complete file on a sector past the verified part of a damaged one is its own file, and cuts the damaged one', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 100_000, 'damaged', 4_000));
    r.add(cand(2_048, 1_000)); // in the verified part: embedded
    r.add(cand(10_001, 1_000)); // not on a sector: embedded data of the damaged file, not a file
    r.add(cand(20_480, 1_000));
    const kept = r.ready(Infinity);
    expect(kept.map((k) => [k.candidate.offset, k.candidate.byteRuns[0]!.length, k.candidate.status])).toEqual([
      [0, 20_480, 'truncated'],
      [20_480, 1_000, 'complete'],
    ]);
  });

  it('releases a file only when the frontier has passed its end', () => {
    const r = new OverlapResolver();
    r.add(cand(0, 5_000));
    expect(r.ready(4_096)).toEqual([]);
    expect(r.ready(8_192).map((k) => k.candidate.offset)).toEqual([0]);
    expect(r.ready(Infinity)).toEqual([]);
  });
});
