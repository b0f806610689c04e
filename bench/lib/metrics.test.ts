/** Comparison with the previous run: change directions, and which history entry is "the previous run". */
import { describe, expect, it } from 'vitest';
import type { HistoryEntry } from './history.js';
import { lastEntryFor } from './history.js';
import { describeChange, percentChange, type Metric } from './metrics.js';

const metric = (value: number, better: Metric['better']): Metric => ({ name: 'm', unit: 'x', value, better });

describe('describeChange', () => {
  it('says better or worse by the metric direction, and same under 1%', () => {
    expect(describeChange(metric(1.1, 'bigger'), 1)).toBe('+10.0% better');
    expect(describeChange(metric(1.1, 'smaller'), 1)).toBe('+10.0% worse');
    expect(describeChange(metric(0.5, 'smaller'), 1)).toBe('-50.0% better');
    expect(describeChange(metric(1.005, 'bigger'), 1)).toBe('+0.5% same');
    expect(describeChange(metric(3, 'bigger'), undefined)).toBe('-');
    expect(describeChange(metric(0, 'smaller'), 0)).toBe('same');
    expect(percentChange(0, 5)).toBeNull();
  });
});

describe('lastEntryFor', () => {
  it('takes the newest entry of the same configuration', () => {
    const entry = (configKey: string, date: string): HistoryEntry => ({ configKey, date } as HistoryEntry);
    const entries = [entry('a', '1'), entry('b', '2'), entry('a', '3'), entry('b', '4')];
    expect(lastEntryFor(entries, 'a')?.date).toBe('3');
    expect(lastEntryFor(entries, 'c')).toBeUndefined();
  });
});
