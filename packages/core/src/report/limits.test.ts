import { describe, expect, it } from 'vitest';
import type { Carver } from '../carver.js';
import { DEFAULT_BUDGET, DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import { assertCarver } from '../registry.js';
import { limitsInForce } from './build.js';

/** A carver with just what the report reads. */
function carver(name: string, limits?: Record<string, number>): Carver {
  return {
    name, version: '1.0.0', description: name, extensions: [name], signatures: [{ bytes: [1, 2] }], maxFileSize: 1024,
    carve: () => null,
    ...(limits ? { limits } : {}),
  };
}

const reassembly = (passMs: number) => ({
  maxTrials: DEFAULT_BUDGET.maxTrials, maxBytes: DEFAULT_BUDGET.maxBytes, maxMs: DEFAULT_BUDGET.maxMs, maxFragments: DEFAULT_BUDGET.maxFragments, maxPassMs: passMs,
});

describe('report.json options.limits', () => {
  it('lists each carver\'s fixed bounds (copied), leaves out carvers without any, and the reassembly budget the pass uses', () => {
    const own = { maxThings: 7, maxDepth: 3 };
    const limits = limitsInForce({ carvers: [carver('aaa', own), carver('bbb')], limits: { maxFileSize: { aaa: 10, bbb: 20 }, reassemblyMs: 5000 } });
    expect(limits).toEqual({ maxFileSize: { aaa: 10, bbb: 20 }, carvers: { aaa: own }, reassembly: reassembly(5000) });
    expect(limits.carvers!['aaa']).not.toBe(own);
  });

  it('without run limits: each carver\'s own largest file and the default pass budget', () => {
    expect(limitsInForce({ carvers: [carver('aaa')] })).toEqual({ maxFileSize: { aaa: 1024 }, carvers: {}, reassembly: reassembly(DEFAULT_REASSEMBLY_MS) });
  });

  it('a plugin\'s limits must be finite numbers ≥ 0 (they go into the report as they are)', () => {
    expect(() => assertCarver(carver('ok', { maxA: 0, maxB: 1e6 }), 'p')).not.toThrow();
    for (const bad of [{ a: -1 }, { a: Number.NaN }, { a: Infinity }, { a: '5' }, [1, 2], null, 3]) {
      expect(() => assertCarver({ ...carver('bad'), limits: bad }, 'p'), JSON.stringify(bad)).toThrow(/limits/);
    }
  });
});
