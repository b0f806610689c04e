import { createHash, randomFillSync } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { RawFileSource } from '../source/raw-file.js';
import { ImageHasher, type HashAlgorithm } from './image-hash.js';
import { rehashPrefix } from './rehash-prefix.js';

// The hash threads run the compiled hash-worker.js (npm test builds first).
const work = mkdtempSync(join(tmpdir(), 'rawcarve-hash-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const digest = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');
const shared = (b: Uint8Array): Uint8Array => {
  const s = new Uint8Array(new SharedArrayBuffer(b.length));
  s.set(b);
  return s;
};

describe('ImageHasher', () => {
  it('property: however the bytes are cut into buffers, the digests are those of the whole, and marks those of prefixes', async () => {
    const data = randomFillSync(new Uint8Array(300_000));
    await fc.assert(
      fc.asyncProperty(fc.uniqueArray(fc.integer({ min: 1, max: data.length - 1 }), { maxLength: 12 }), async (cuts) => {
        const bounds = [0, ...[...cuts].sort((a, b) => a - b), data.length];
        const algorithms: HashAlgorithm[] = ['md5', 'sha1', 'sha256'];
        const hasher = new ImageHasher(algorithms);
        const returned: number[] = [];
        try {
          for (let i = 0; i + 1 < bounds.length; i++) {
            await hasher.whenBelow(3);
            hasher.push(shared(data.subarray(bounds[i]!, bounds[i + 1]!)), () => returned.push(i));
            if (i === 0) {
              const mark = await hasher.markNow();
              expect(mark.length).toBe(bounds[1]);
              expect(mark.digests.md5).toBe(digest('md5', data.subarray(0, bounds[1])));
            }
          }
          const d = await hasher.digest();
          for (const a of algorithms) expect(d[a]).toBe(digest(a, data));
          // Each buffer is handed back once every thread hashed it, in push order (the scan reuses them).
          expect(returned).toEqual(bounds.slice(0, -1).map((_, i) => i));
        } finally {
          await hasher.close();
        }
      }),
      { numRuns: 8 },
    );
  });

  it('refuses bytes not in shared memory (the threads would each get a copy)', async () => {
    const hasher = new ImageHasher(['md5']);
    try {
      expect(() => hasher.push(new Uint8Array(4))).toThrow(/SharedArrayBuffer/);
    } finally {
      await hasher.close();
    }
  });

  it('re-hashes a prefix for a resumed run, and refuses a prefix that changed since its checkpoint', async () => {
    const data = randomFillSync(new Uint8Array(3 * 1024 * 1024 + 77));
    const path = join(work, 'img.bin');
    writeFileSync(path, data);
    const source = new RawFileSource(path);
    try {
      const first = new ImageHasher(['md5', 'sha256']);
      first.push(shared(data.subarray(0, 1_000_000)));
      const mark = await first.markNow();
      await first.close();

      const again = new ImageHasher(['md5', 'sha256']);
      await rehashPrefix(source, 0, 2_000_000, again, mark);
      again.push(shared(data.subarray(2_000_000)));
      expect((await again.digest()).sha256).toBe(digest('sha256', data));

      const changed = { ...mark, digests: { ...mark.digests, md5: '0'.repeat(32) } };
      const third = new ImageHasher(['md5']);
      await expect(rehashPrefix(source, 0, 2_000_000, third, changed)).rejects.toThrow(/image changed/);
      await third.close();
    } finally {
      source.close();
    }
  });
});
