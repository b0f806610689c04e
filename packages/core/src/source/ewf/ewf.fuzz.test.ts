/**
 * The E01 reader under hostile input (fast property test; scripts/fuzz.ts
 * runs the ewf target by the ten thousand): images made by ewfacquire,
 * mutated byte-wise and EWF-wise with their checksums fixed up (section
 * chains, volume geometry, table counts, base offsets and entries, chunk
 * data). Opening and reading may fail only with EwfFormatError or
 * ImageReadError, within a time bound, and bytes that read without an error
 * are the acquired ones.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { ewfSeeds, hasEwfacquire, makeEwfInput, Rng, runEwfInput } from '../../fuzz/index.js';
import { decodeChunk } from './chunk-codec.js';
import { adler32 } from './adler32.js';

const HANG_MS = 2000;
const available = hasEwfacquire();
if (!available) console.warn('E01 fuzz tests skipped: ewfacquire is not installed (apt-get install ewf-tools, or scripts/install-test-tools.sh)');

describe.skipIf(!available)('E01 reader under hostile input', () => {
  const seeds = available ? ewfSeeds(join(tmpdir(), 'rawcarve-fuzz-seeds-v1', 'ewf')) : [];
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-ewf-fuzz-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('property: mutated images open or fail with typed errors, bounded, and never read back false bytes', () => {
    const seen = { opened: 0, rejected: 0 };
    fc.assert(
      fc.property(fc.nat(), (index) => {
        const input = makeEwfInput(new Rng('vitest-ewf', index), seeds);
        if (!input) return;
        const o = runEwfInput(input, dir);
        seen[o.result]++;
        expect(o.crash, `${input.seed.name} ${input.kind}`).toBeUndefined();
        expect(o.falseBytes, `${input.seed.name} ${input.kind}`).toBe(0);
        expect(o.ms).toBeLessThan(HANG_MS);
      }),
      { numRuns: 300, seed: 11 },
    );
    expect(seen.opened).toBeGreaterThan(0);
    expect(seen.rejected).toBeGreaterThan(0);
  });

  it('regression found by fuzzing: a volume that lies about the chunk size cannot make the last chunk place data', () => {
    // 8 KiB of stored data in the last chunk where the sector count leaves room for 4.5 KiB: a whole sector more than it places.
    const data = new Uint8Array(8192).fill(7);
    const stored = new Uint8Array(8196);
    stored.set(data);
    new DataView(stored.buffer).setUint32(8192, adler32(data), true);
    expect(() => decodeChunk(stored, false, 4608, 8704, 512)).toThrow(/more than the sector count places/);
    expect(decodeChunk(stored, false, 8192 - 100, 16384, 512)).toHaveLength(8192); // a partial sector's tail is kept
  });
});
