/**
 * Smoke test of the benchmark harness, so it cannot rot between benchmark
 * runs: a small image through bench/run.ts, checking the result's shape and
 * recall. No timing is asserted (timing goals live in the benchmarks).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '..');
const MEDIA = resolve(ROOT, '../shared/media');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-bench-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface BenchResult {
  sizeBytes: number;
  wallSeconds: number;
  gbPerSecond: number;
  peakRssMiB: number;
  mediaPlaced: number;
  mediaRecoveredExact: number;
  phasesMs: Record<string, number>;
  reassembly: { attempted: number };
}

describe.skipIf(!existsSync(join(MEDIA, 'jpeg')))('bench/run.ts (needs ../shared/media)', () => {
  it('generates an image, scans it and reports throughput, memory, phases and recall', () => {
    const r = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), '--size', '96M', '--density', 'dense', '--types', 'heic,mov,mp4', '--dir', work], {
      encoding: 'utf8',
      cwd: ROOT,
    });
    expect(r.status, r.stderr).toBe(0);
    const json = r.stdout.slice(r.stdout.indexOf('{'));
    const res = JSON.parse(json) as BenchResult;
    expect(res.sizeBytes).toBe(96 * 1024 * 1024);
    expect(res.mediaPlaced).toBeGreaterThan(5);
    // Every HEIC, MOV and MP4 placed whole comes back byte-exact.
    expect(res.mediaRecoveredExact).toBe(res.mediaPlaced);
    expect(res.gbPerSecond).toBeGreaterThan(0);
    expect(res.peakRssMiB).toBeGreaterThan(0);
    for (const phase of ['read', 'search', 'carve', 'write', 'reassembly']) expect(res.phasesMs).toHaveProperty(phase);
  });
});
