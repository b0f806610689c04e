/** The benchmark image generator: its regions tile the image and hold what the layout says. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { generateImage, parseMix, parseSize, type RegionKind } from './gen-image.js';

const SAMPLES = resolve(import.meta.dirname, '../test-images/samples');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-gen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('generateImage', () => {
  it('tiles the image with zero, 0xFF, random and media regions that hold those bytes', () => {
    const out = join(work, 'g.img');
    const size = 24 * 1024 * 1024 + 512;
    const layout = generateImage({ out, size, mediaDir: SAMPLES, density: 'dense', seed: 5 });
    const image = readFileSync(out);
    expect(image.length).toBe(size);
    expect(JSON.parse(readFileSync(`${out}.layout.json`, 'utf8'))).toEqual(layout);

    let at = 0;
    const totals: Record<RegionKind, number> = { zero: 0, ff: 0, random: 0, media: 0 };
    for (const r of layout.regions) {
      expect(r.offset).toBe(at);
      expect(r.length).toBeGreaterThan(0);
      totals[r.kind] += r.length;
      const bytes = image.subarray(r.offset, r.offset + r.length);
      if (r.kind === 'zero') expect(bytes.every((b) => b === 0)).toBe(true);
      if (r.kind === 'ff') expect(bytes.every((b) => b === 0xff)).toBe(true);
      if (r.kind === 'random') expect(new Set(bytes.subarray(0, 4096)).size).toBeGreaterThan(200);
      at += r.length;
    }
    expect(at).toBe(size);
    expect(totals).toEqual(layout.bytesByKind);
    for (const kind of ['zero', 'ff', 'random', 'media'] as const) expect(layout.bytesByKind[kind]).toBeGreaterThan(0);
    // Dense: about 60% of the bytes are media.
    expect(layout.bytesByKind.media / size).toBeGreaterThan(0.4);

    expect(layout.media.length).toBeGreaterThan(100);
    for (const m of layout.media) {
      expect(m.offset % 4096).toBe(0);
      expect(createHash('sha256').update(image.subarray(m.offset, m.offset + m.size)).digest('hex')).toBe(m.sha256);
      expect(m.type).toBe('jpeg');
    }
  });

  it('is reproducible from its seed, and the mix weighs the filler kinds', () => {
    const opts = { size: 8 * 1024 * 1024, mediaDir: SAMPLES, density: 'none' as const, seed: 9, mix: parseMix('zero=0,ff=1,random=0') };
    const a = generateImage({ ...opts, out: join(work, 'a.img') });
    const b = generateImage({ ...opts, out: join(work, 'b.img') });
    expect(readFileSync(join(work, 'a.img')).equals(readFileSync(join(work, 'b.img')))).toBe(true);
    expect(a).toEqual(b);
    expect(a.media).toEqual([]);
    expect(a.bytesByKind).toEqual({ zero: 0, ff: opts.size, random: 0, media: 0 });
    expect(a.regions).toEqual([{ offset: 0, length: opts.size, kind: 'ff' }]);
  });

  it('parses sizes and mixes', () => {
    expect(parseSize('4G')).toBe(4 * 2 ** 30);
    expect(parseSize('256MiB')).toBe(256 * 2 ** 20);
    expect(parseMix('zero=35,ff=25,random=40')).toEqual({ zero: 35, ff: 25, random: 40 });
    expect(() => parseMix('zeros=1')).toThrow(/bad mix/);
  });
});
