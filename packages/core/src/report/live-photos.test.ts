import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { FileRecord } from './types.js';
import { pairLivePhotos } from './live-photos.js';

const file = (path: string, type: string, contentIdentifier?: string): FileRecord =>
  ({ path, type, metadata: contentIdentifier === undefined ? {} : { contentIdentifier } }) as unknown as FileRecord;

describe('pairLivePhotos', () => {
  it('pairs stills and videos sharing a content identifier, and nothing else', () => {
    const pairs = pairLivePhotos([
      file('files/heic/a.heic', 'heic', 'ID-1'),
      file('files/mov/b.mov', 'mov', 'ID-1'),
      file('files/jpeg/c.jpg', 'jpeg', 'ID-2'), // still without a video
      file('files/mov/d.mov', 'mov', 'ID-3'), // video without a still
      file('files/jpeg/e.jpg', 'jpeg'),
    ]);
    expect(pairs).toEqual([{ contentIdentifier: 'ID-1', stills: ['files/heic/a.heic'], videos: ['files/mov/b.mov'] }]);
  });

  it('property: every pair has both halves with the same identifier, and every file with a matching other half is paired', () => {
    const rec = fc.record({ id: fc.constantFrom('A', 'B', 'C', ''), video: fc.boolean() });
    fc.assert(
      fc.property(fc.array(rec, { maxLength: 20 }), (specs) => {
        const files = specs.map((s, i) => file(`f${i}`, s.video ? 'mov' : 'heic', s.id));
        const pairs = pairLivePhotos(files);
        for (const p of pairs) {
          expect(p.stills.length).toBeGreaterThan(0);
          expect(p.videos.length).toBeGreaterThan(0);
        }
        for (const id of ['A', 'B', 'C']) {
          const both = specs.some((s) => s.id === id && s.video) && specs.some((s) => s.id === id && !s.video);
          expect(pairs.some((p) => p.contentIdentifier === id)).toBe(both);
        }
        expect(pairs.some((p) => p.contentIdentifier === '')).toBe(false);
      }),
    );
  });
});
