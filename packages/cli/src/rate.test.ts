import { describe, expect, it } from 'vitest';
import { RateWindow, byTypeText } from './rate.js';

describe('ETA over a moving window', () => {
  it('stays honest when the scan slows down in a media-dense region', () => {
    const w = new RateWindow(30_000, 3_000);
    const GiB = 2 ** 30;
    const total = 100 * GiB;
    let bytes = 0;
    // 60 s of empty space at 1 GiB/s, then dense media at 50 MiB/s.
    for (let t = 0; t <= 60_000; t += 1000, bytes += GiB) w.add(t, bytes);
    expect(w.rate()).toBeCloseTo(GiB, -6);
    let t = 60_000;
    for (let i = 0; i < 40; i++) {
      t += 1000;
      bytes += 50 * 2 ** 20;
      w.add(t, bytes);
    }
    // 40 s later the window holds only the dense part: the rate and ETA are the dense region's.
    expect(w.rate()).toBeCloseTo(50 * 2 ** 20, -3);
    const eta = w.eta(total - bytes);
    const sinceStart = (total - bytes) / (bytes / (t / 1000));
    expect(eta).toBeGreaterThan(sinceStart * 5); // the average since the start would promise far too little
    expect(eta).toBeCloseTo((total - bytes) / (50 * 2 ** 20), 0);
  });

  it('says nothing until it has a few seconds of samples, and 0 when done', () => {
    const w = new RateWindow(30_000, 3_000);
    w.add(0, 0);
    w.add(500, 100);
    expect(w.eta(1000)).toBe(Infinity);
    w.add(3500, 700);
    expect(w.eta(200)).toBeCloseTo(1, 5);
    expect(w.eta(0)).toBe(0);
  });

  it('names the files found by type', () => {
    expect(byTypeText({ jpeg: 120, heic: 0, mov: 2 })).toBe('jpeg 120, mov 2');
    expect(byTypeText(undefined)).toBe('');
  });
});
