/**
 * Smoke test of the benchmark harness, so it cannot rot between benchmark
 * runs: small images through bench/run.ts, checking the result's shape,
 * recall, the tracker JSON files and the history file (a temporary one, never
 * bench/history.jsonl). No timing is asserted (timing goals live in the
 * benchmarks). Needs the CLI built (npm test builds first).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import type { HistoryEntry } from './lib/history.js';
import { onPath } from './lib/measure.js';
import type { BenchResult } from './lib/result.js';
import type { TrackerEntry } from './lib/tracker.js';

const ROOT = resolve(import.meta.dirname, '..');
const MEDIA = resolve(ROOT, '../shared/media');
const SAMPLES = join(ROOT, 'test-images/samples');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-bench-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function runHarness(args: string[]): { status: number | null; stdout: string; stderr: string } {
  return spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'bench/run.ts'), ...args], { encoding: 'utf8', cwd: ROOT });
}

const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;
const readLines = (path: string): HistoryEntry[] =>
  readFileSync(path, 'utf8').trim().split('\n').map((l) => JSON.parse(l) as HistoryEntry);

describe('bench/run.ts on the committed sample photos', () => {
  const dir = join(work, 'samples');
  const jsonDir = join(dir, 'json');
  const history = join(dir, 'history.jsonl');
  const common = ['--size', '32M', '--density', 'dense', '--types', 'jpeg', '--media', SAMPLES, '--dir', dir, '--json-dir', jsonDir, '--history', history];

  it('writes tracker files and a history line, and compares a second run with the first', () => {
    const first = runHarness(common);
    expect(first.status, first.stderr).toBe(0);
    expect(first.stdout).toContain('no previous run of this configuration');
    const second = runHarness(common);
    expect(second.status, second.stderr).toBe(0);
    expect(second.stdout).toMatch(/compared with the run of \S+ at ([0-9a-f]{12}|unknown commit)/);
    expect(second.stdout).toMatch(/throughput +\| [\d.]+ GB\/s +\| [\d.]+ GB\/s +\| [-+][\d.]+% (better|worse|same)/);

    const entries = readLines(history);
    expect(entries).toHaveLength(2);
    for (const e of entries) {
      // null only outside a git checkout.
      expect(e.commit === null || /^[0-9a-f]{40}$/.test(e.commit)).toBe(true);
      expect(typeof e.dirty).toBe('boolean');
      expect(new Date(e.date).toISOString()).toBe(e.date);
      expect(e.machine.cpus).toBeGreaterThan(0);
      expect(e.machine.node).toBe(process.version);
      expect(e.configKey).toBe(entries[0]!.configKey);
      expect(e.metrics.throughput).toBeGreaterThan(0);
    }

    const bigger = readJson<TrackerEntry[]>(join(jsonDir, 'bigger.json'));
    const smaller = readJson<TrackerEntry[]>(join(jsonDir, 'smaller.json'));
    for (const list of [bigger, smaller]) {
      for (const e of list) {
        expect(e.name).toContain(entries[0]!.configKey);
        expect(typeof e.unit).toBe('string');
        expect(Number.isFinite(e.value)).toBe(true);
      }
    }
    expect(bigger.map((e) => e.unit)).toEqual(expect.arrayContaining(['GB/s', 'files/s', '%']));
    expect(smaller.map((e) => e.name.split('] ')[1])).toEqual(expect.arrayContaining(['wall time', 'peak RSS', 'phase carve', 'phase write', 'phase reassembly']));

    const result = readJson<BenchResult>(join(jsonDir, 'result.json'));
    expect(result.config.sizeBytes).toBe(32 * 1024 * 1024);
    expect(result.rawcarve.recall.placed).toBeGreaterThan(50);
    // The sample photos are whole baseline JPEGs: every placed copy comes back.
    expect(result.rawcarve.recall.exact).toBe(result.rawcarve.recall.placed);
    expect(result.rawcarve.peakRssMiB).toBeGreaterThan(0);
    expect(result.bytesByKind.zero + result.bytesByKind.ff + result.bytesByKind.random + result.bytesByKind.media).toBe(32 * 1024 * 1024);
  });

  it.skipIf(!onPath('foremost'))('runs a peer on the same image, and --no-history leaves the history alone', () => {
    const before = readFileSync(history, 'utf8');
    const r = runHarness([...common, '--peers', 'foremost', '--no-history', '--json']);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as BenchResult;
    const foremost = res.peers.find((p) => p.tool === 'foremost');
    expect(foremost?.status).toBe('ok');
    expect(foremost?.exactCopies).toBe(res.rawcarve.recall.placed);
    expect(foremost?.rawcarveSpeedup).toBeGreaterThan(0);
    expect(readFileSync(history, 'utf8')).toBe(before);
  });
});

describe.skipIf(!existsSync(join(MEDIA, 'jpeg')))('bench/run.ts on ../shared/media', () => {
  it('generates an image, scans it and reports throughput, memory, phases and recall', () => {
    const dir = join(work, 'shared');
    const r = runHarness(['--size', '96M', '--density', 'dense', '--types', 'heic,mov,mp4', '--dir', dir, '--json-dir', dir,
      '--history', join(dir, 'history.jsonl'), '--json']);
    expect(r.status, r.stderr).toBe(0);
    const res = JSON.parse(r.stdout) as BenchResult;
    expect(res.config.sizeBytes).toBe(96 * 1024 * 1024);
    expect(res.rawcarve.recall.placed).toBeGreaterThan(5);
    // Every HEIC, MOV and MP4 placed whole comes back byte-exact.
    expect(res.rawcarve.recall.exact).toBe(res.rawcarve.recall.placed);
    expect(res.rawcarve.gbPerSecond).toBeGreaterThan(0);
    expect(res.rawcarve.peakRssMiB).toBeGreaterThan(0);
    for (const phase of ['read', 'search', 'carve', 'write', 'reassembly']) expect(res.rawcarve.phasesMs).toHaveProperty(phase);
  });
});
