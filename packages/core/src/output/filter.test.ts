import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../errors.js';
import { dateTaken, filterActive, metadataVerdict, parseDateBound, parsePixels, sizeVerdict } from './filter.js';

describe('filters before writing', () => {
  it('reads the date taken from EXIF, Apple QuickTime and movie headers, as wall-clock time', () => {
    expect(dateTaken({ dateTimeOriginal: '2024:06:01 10:15:00' })).toBe('2024-06-01T10:15:00');
    expect(dateTaken({ creationDate: '2019-06-12T12:34:56+0200', creationTime: '2019-06-12T10:34:56.000Z' })).toBe('2019-06-12T12:34:56');
    expect(dateTaken({ creationTime: '2021-02-03T04:05:06.000Z' })).toBe('2021-02-03T04:05:06');
    expect(dateTaken({ createDate: '2020:01:02 03:04:05' })).toBe('2020-01-02T03:04:05');
    // No date, an all-zero EXIF date, the QuickTime epoch: no date taken.
    expect(dateTaken({})).toBeNull();
    expect(dateTaken({ dateTimeOriginal: '0000:00:00 00:00:00' })).toBeNull();
    expect(dateTaken({ creationTime: '1904-01-01T00:00:00.000Z' })).toBeNull();
    expect(dateTaken({ dateTimeOriginal: '    :  :     :  :  ', createDate: '2020:01:02 03:04:05' })).toBe('2020-01-02T03:04:05');
  });

  it('parses --since/--until as a day\'s first or last second, or an exact time', () => {
    expect(parseDateBound('2024-06-01', '--since')).toBe('2024-06-01T00:00:00');
    expect(parseDateBound('2024-06-01', '--until')).toBe('2024-06-01T23:59:59');
    expect(parseDateBound('2024-06-01T18:30', '--until')).toBe('2024-06-01T18:30:00');
    expect(parseDateBound('2024-06-01 18:30:15', '--since')).toBe('2024-06-01T18:30:15');
    for (const bad of ['yesterday', '2024-13-01', '2024-6-1', '2024-06-01Z', '']) expect(() => parseDateBound(bad, '--since')).toThrow(UsageError);
  });

  it('parses --min-pixels as a count or WIDTHxHEIGHT', () => {
    expect(parsePixels('76800')).toBe(76800);
    expect(parsePixels('320x240')).toBe(76800);
    expect(parsePixels('320X240')).toBe(76800);
    for (const bad of ['0', 'x', '320x', '-5', '1.5']) expect(() => parsePixels(bad)).toThrow(UsageError);
  });

  it('skips by size, pixels and date; keeps videos from the pixel rule and undated files from the date rule', () => {
    const f = { minSize: 1000, minPixels: 320 * 240, since: '2024-06-01T00:00:00', until: '2024-06-30T23:59:59' };
    expect(filterActive(f)).toBe(true);
    expect(filterActive({})).toBe(false);
    expect(sizeVerdict(f, 999)?.reason).toBe('size');
    expect(sizeVerdict(f, 1000)).toBeNull();
    expect(metadataVerdict(f, { width: 160, height: 120 })?.reason).toBe('pixels');
    expect(metadataVerdict(f, { width: 320, height: 240 })).toBeNull();
    expect(metadataVerdict(f, { width: 176, height: 144, duration: 3 })).toBeNull();
    expect(metadataVerdict(f, { dateTimeOriginal: '2024:05:31 23:59:59' })?.reason).toBe('date');
    expect(metadataVerdict(f, { dateTimeOriginal: '2024:07:01 00:00:00' })?.detail).toContain('after --until');
    expect(metadataVerdict(f, { dateTimeOriginal: '2024:06:15 12:00:00' })).toBeNull();
    expect(metadataVerdict(f, {})).toBeNull();
  });

  it('a file is skipped by date exactly when its date taken lies outside the bounds', () => {
    const day = fc.date({ min: new Date('1971-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true });
    fc.assert(
      fc.property(day, day, day, (a, b, x) => {
        const [lo, hi] = [a, b].sort((p, q) => p.getTime() - q.getTime()) as [Date, Date];
        const iso = (d: Date): string => d.toISOString().slice(0, 19);
        const exif = iso(x).replace(/-/g, ':').replace('T', ' ');
        const v = metadataVerdict({ since: iso(lo), until: iso(hi) }, { dateTimeOriginal: exif });
        const outside = iso(x) < iso(lo) || iso(x) > iso(hi);
        return (v !== null) === outside;
      }),
    );
  });
});
