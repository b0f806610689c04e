/**
 * Filters before writing (--min-size, --min-pixels, --since/--until),
 * --report-only, --json, --quiet and the plain progress lines, end to end on
 * the demo card (generated photos on a FAT32 image: no external tools).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { dateTaken, type ScanReport } from '@rawcarve/core';
import { buildDemoCard } from '@rawcarve/test-images';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-filters-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, ...env } });
const report = (out: string): ScanReport => JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as ScanReport;
const written = (out: string): string[] => (existsSync(join(work, out, 'files', 'jpeg')) ? readdirSync(join(work, out, 'files', 'jpeg')).sort() : []);
const offsets = (r: { imgOffset: number }[]): number[] => r.map((f) => f.imgOffset).sort((a, b) => a - b);

describe('rawcarve scan: filters, --report-only, --json, progress', () => {
  let image = '';
  let base: ScanReport;

  beforeAll(async () => {
    image = join(work, 'evidence', 'demo.img');
    spawnSync('mkdir', ['-p', join(work, 'evidence')]);
    await buildDemoCard({ outFile: image });
    const r = run(['scan', image, '-o', 'base', '--progress', 'plain', '-j', '2']);
    expect(r.status, r.stderr).toBe(0);
    base = report('base');
    expect(base.files.length).toBeGreaterThan(4);
    // Progress: plain lines (not a TTY) naming the phase, bytes/s, ETA and files by type; the phases after the scan.
    expect(r.stderr).toMatch(/^progress scan \d+\.\d% .* B\/s ETA .* files/m);
    expect(r.stderr).toMatch(/^progress scan 100\.0% .*\(jpeg \d+\)/m);
    expect(r.stderr).toMatch(/^phase thumbnails: \d+ file/m);
    expect(r.stderr).toMatch(/^phase reports$/m);
  }, 120_000);

  it('--min-size, --min-pixels, --since/--until: files below the bounds are not written but listed with the rule', () => {
    const sizes = base.files.map((f) => f.size).sort((a, b) => a - b);
    const minSize = sizes[Math.floor(sizes.length / 2)]!;
    const pixels = (f: ScanReport['files'][number]): number => (f.metadata['width'] as number) * (f.metadata['height'] as number);
    const px = base.files.map(pixels).sort((a, b) => a - b);
    const minPixels = px[Math.floor(px.length / 2)]!;
    const days = [...new Set(base.files.map((f) => dateTaken(f.metadata)!.slice(0, 10)))].sort();
    const since = days[1]!;
    const until = days[days.length - 2]!;
    const cases: [string, string[], (f: ScanReport['files'][number]) => boolean, 'size' | 'pixels' | 'date'][] = [
      ['size', ['--min-size', String(minSize)], (f) => f.size < minSize, 'size'],
      ['pixels', ['--min-pixels', String(minPixels)], (f) => pixels(f) < minPixels, 'pixels'],
      ['dates', ['--since', since, '--until', until], (f) => dateTaken(f.metadata)!.slice(0, 10) < since || dateTaken(f.metadata)!.slice(0, 10) > until, 'date'],
    ];
    for (const [out, args, skipped, reason] of cases) {
      const r = run(['scan', image, '-o', out, '--progress', 'none', '-j', '2', '--no-gallery', ...args]);
      expect(r.status, r.stderr).toBe(0);
      const rep = report(out);
      const expectSkipped = base.files.filter(skipped);
      expect(expectSkipped.length, out).toBeGreaterThan(0);
      expect(offsets(rep.filtered)).toEqual(offsets(expectSkipped));
      expect(rep.filtered.every((f) => f.reason === reason && f.detail.length > 0)).toBe(true);
      expect(offsets(rep.files)).toEqual(offsets(base.files.filter((f) => !skipped(f))));
      expect(written(out)).toEqual(rep.files.map((f) => f.path.split('/').pop()).sort());
      const by = { size: 'bySize', pixels: 'byPixels', date: 'byDate' } as const;
      expect(rep.summary.filtered[by[reason]]).toBe(expectSkipped.length);
      expect(rep.options.filter).not.toBeNull();
      expect(readFileSync(join(work, out, 'report.xml'), 'utf8')).toContain(`<rc:filtered type="jpeg"`);
      expect(existsSync(join(work, out, 'report.html'))).toBe(false); // --no-gallery
    }
  });

  it('--report-only writes no file but reports the same files, hashes and thumbnails (from the image)', () => {
    const r = run(['scan', image, '-o', 'ro', '--progress', 'none', '-j', '2', '--report-only']);
    expect(r.status, r.stderr).toBe(0);
    const rep = report('ro');
    expect(existsSync(join(work, 'ro', 'files'))).toBe(false);
    expect(rep.options.reportOnly).toBe(true);
    expect(rep.files.map((f) => [f.path, f.sha256])).toEqual(base.files.map((f) => [f.path, f.sha256]));
    expect(rep.summary.gallery?.files).toBe(base.files.length);
    expect(rep.summary.gallery?.failed).toBe(0);
    expect(readdirSync(join(work, 'ro', 'report', 'thumbs', 'jpeg'))).toHaveLength(base.files.length);
    expect(readFileSync(join(work, 'ro', 'report.html'), 'utf8')).toContain('"reportOnly":true');
  });

  it('--json prints one JSON summary on stdout; --quiet prints nothing', () => {
    const r = run(['scan', image, '-o', 'json', '--progress', 'plain', '-j', '2', '--json', '--no-gallery']);
    expect(r.status, r.stderr).toBe(0);
    const j = JSON.parse(r.stdout) as { summary: ScanReport['summary']; reports: { json: string }; source: { sha256: string } };
    expect(j.summary.filesWritten).toBe(base.files.length);
    expect(j.reports.json).toBe(join(work, 'json', 'report.json'));
    expect(j.source.sha256).toBe(base.source.sha256);
    expect(r.stderr).toContain('progress scan');
    const q = run(['scan', image, '-o', 'quiet', '-j', '2', '--quiet']);
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout).toBe('');
    expect(q.stderr).toBe('');
  });

  it('a resumed run with filters ends with the files and filtered list of one uninterrupted run', () => {
    const sizes = base.files.map((f) => f.size).sort((a, b) => a - b);
    const args = ['--min-size', String(sizes[Math.floor(sizes.length / 2)]!), '--page-size', '64K', '--checkpoint-interval', '0', '-j', '1', '--progress', 'none', '--no-gallery'];
    const whole = run(['scan', image, '-o', 'whole', ...args]);
    expect(whole.status, whole.stderr).toBe(0);
    // Killed (SIGKILL, no clean-up) once most of the files' pages are folded, then resumed.
    const pages = Math.floor(Math.max(...base.files.map((f) => f.imgOffset)) / 65536);
    const killed = run(['scan', image, '-o', 'killed', ...args], { RAWCARVE_TEST_KILL_AFTER_PAGES: String(pages) });
    expect(killed.status).not.toBe(0);
    const resumed = run(['scan', image, '-o', 'killed', '--resume', '--progress', 'none', '--no-gallery']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = report('killed');
    const b = report('whole');
    expect(a.files.map((f) => [f.path, f.sha256])).toEqual(b.files.map((f) => [f.path, f.sha256]));
    expect(a.filtered).toEqual(b.filtered);
    expect(written('killed')).toEqual(written('whole'));
  });

  it('exits 2 for bad filter values, --since after --until, and filters given again on --resume', () => {
    expect(run(['scan', image, '-o', 'bad1', '--min-pixels', 'many']).status).toBe(2);
    expect(run(['scan', image, '-o', 'bad2', '--since', 'last week']).status).toBe(2);
    const inverted = run(['scan', image, '-o', 'bad3', '--since', '2024-06-05', '--until', '2024-06-01']);
    expect(inverted.status).toBe(2);
    expect(inverted.stderr).toContain('after --until');
    expect(run(['scan', image, '-o', 'base', '--resume', '--min-size', '1K']).status).toBe(2);
  });
});
