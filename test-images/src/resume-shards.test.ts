/**
 * Chain of custody end to end, on a raw lab image built from the real
 * camera files in ../shared/media (fragmented files included, so the
 * reassembly pass takes part): a scan killed with SIGKILL at chosen points
 * and at a random moment resumes to exactly the files and reports of one
 * uninterrupted run, and four shards merged give the same. Runs the built CLI.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readdirSync, rmSync, writeSync, closeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildRawLab } from './raw-lab.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const MEDIA = resolve(ROOT, '../shared/media');
const SCHEMA = resolve(ROOT, '../shared/dfxml/dfxml.xsd');
const ready = existsSync(join(MEDIA, 'jpeg')) && spawnSync('which', ['xmllint']).status === 0;
if (!ready) console.warn('resume/shard tests skipped: they need ../shared/media (the camera files) and xmllint');

/** A 12 MiB image: contiguous photos and videos (one an MJPEG video full of JPEG frames), a bifragmented JPEG, an out-of-order HEIC. */
const FILES = ['jpeg/j001_apple_iphone4.jpg', 'jpeg/j004_apple_iphone5.jpg', 'jpeg/j020_samsung_galaxy_s2.jpg', 'heic/h001_apple_iphone7.heic', 'heic/h023_samsung_a32.heic',
  'mov/m002_apple_iphone6_gps.mov', 'mov/m007_mjpeg_noftyp.mov', 'mp4/p004_android_gps.mp4', 'mp4/p005_3gp5_brand.mp4'];
/** 25 pages of 512 KiB: the unit of checkpoints, so kills land between many of them. */
const PAGE = ['--page-size', '512K'];
const PAGES = 25;

const work = mkdtempSync(join(tmpdir(), 'rawcarve-custody-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const cli = (args: string[], env: Record<string, string> = {}) =>
  spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work, env: { ...process.env, ...env } });

interface Report {
  files: { notes: string[] }[];
  issues: unknown[];
  source: { md5: string | null; sha256: string | null };
  resumes: unknown[];
  summary: Record<string, unknown>;
}

/** What one run and an interrupted or sharded one must agree on: every file, record and note. */
function outcome(outDir: string) {
  const report = JSON.parse(readFileSync(join(outDir, 'report.json'), 'utf8')) as Report;
  const files = report.files;
  const disk = readdirSync(join(outDir, 'files'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${e.name} ${sha(readFileSync(join(e.parentPath, e.name)))}`)
    .sort();
  const s = report.summary;
  const counts = [s['hits'], s['rejected'], s['suppressed'], s['trimmed'], s['bytesScanned'], s['filesWritten'], s['duplicates']];
  return { files, disk, issues: report.issues, counts };
}

describe.skipIf(!ready)('resume and shards end to end (CLI, ../shared/media)', () => {
  let image = '';
  let one: ReturnType<typeof outcome>;
  let oneReport: Report;
  /** How long one uninterrupted run takes here: random kills land inside it. */
  let oneMs = 0;

  beforeAll(() => {
    const dir = join(work, 'evidence');
    mkdirSync(dir);
    image = join(dir, 'lab.img');
    buildRawLab({ mediaDir: MEDIA, outFile: image, seed: 3, fragmented: true, files: FILES.map((f) => join(MEDIA, f)) });
    const t0 = performance.now();
    const r = cli(['scan', image, '-o', 'one', '--progress', 'none', '-j', '2', ...PAGE]);
    oneMs = performance.now() - t0;
    expect(r.status, r.stderr).toBe(0);
    one = outcome(join(work, 'one'));
    oneReport = JSON.parse(readFileSync(join(work, 'one', 'report.json'), 'utf8')) as Report;
    expect(oneReport.source.sha256).toBe(sha(readFileSync(image)));
    expect(one.files.length).toBeGreaterThan(6);
  });

  it('killed with SIGKILL after 20%, 50% and 80% of its pages, a scan resumes to the files and reports of one uninterrupted run', () => {
    for (const share of [0.2, 0.5, 0.8]) {
      const out = `kill${share}`;
      const killed = cli(['scan', image, '-o', out, '--progress', 'none', '-j', '2', ...PAGE, '--checkpoint-interval', '0'], {
        RAWCARVE_TEST_KILL_AFTER_PAGES: String(Math.ceil(share * PAGES)),
      });
      expect(killed.signal, `${share}: ${killed.stderr}`).toBe('SIGKILL');
      const resumed = cli(['scan', image, '-o', out, '--progress', 'none', '-j', '2', '--resume']);
      expect(resumed.status, resumed.stderr).toBe(0);
      expect(outcome(join(work, out)), `killed at ${share}`).toEqual(one);
      const report = JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8')) as Report;
      expect(report.source).toMatchObject({ md5: oneReport.source.md5, sha256: oneReport.source.sha256 });
      expect(report.resumes).toHaveLength(1);
      expect(spawnSync('xmllint', ['--noout', '--schema', SCHEMA, join(work, out, 'report.xml')]).status).toBe(0);
      const audit = readFileSync(join(work, out, 'audit.log'), 'utf8');
      expect(audit).toMatch(/ start tool=rawcarve [\s\S]* resume tool=rawcarve [\s\S]* end status=ok/);
    }
  });

  it('killed at a random moment with the default checkpoints, then killed again while resuming, it still ends as one run', async () => {
    const out = 'random';
    const delay = Math.round(oneMs * (0.15 + 0.7 * Math.random()));
    const child = spawn(process.execPath, [CLI, 'scan', image, '-o', out, '--progress', 'none', '-j', '2', ...PAGE], { cwd: work, stdio: 'ignore' });
    const timer = setTimeout(() => child.kill('SIGKILL'), delay);
    const signal = await new Promise<NodeJS.Signals | null>((done) => child.on('exit', (_code, sig) => done(sig)));
    clearTimeout(timer);
    if (signal !== 'SIGKILL') {
      expect(outcome(join(work, out))).toEqual(one); // a fast machine finished first
      return;
    }
    const again = cli(['scan', image, '-o', out, '--progress', 'none', '--resume'], { RAWCARVE_TEST_KILL_AFTER_PAGES: String(PAGES - 2) });
    if (again.status !== 0) expect(again.signal, `after ${delay} ms: ${again.stderr}`).toBe('SIGKILL');
    if (again.status !== 0) {
      const last = cli(['scan', image, '-o', out, '--progress', 'none', '--resume']);
      expect(last.status, last.stderr).toBe(0);
    }
    expect(outcome(join(work, out)), `killed after ${delay} ms`).toEqual(one);
  });

  it('four shards (--shard i/4) merged give the files and reports of one run; the merged report keeps each shard\'s range hashes', () => {
    const dirs: string[] = [];
    const bytes = readFileSync(image);
    for (let i = 0; i < 4; i++) {
      const r = cli(['scan', image, '-o', `shard${i}`, '--shard', `${i}/4`, '--progress', 'none', '-q', '-j', '2', ...PAGE]);
      expect(r.status, r.stderr).toBe(0);
      const range = (JSON.parse(readFileSync(join(work, `shard${i}`, 'report.json'), 'utf8')) as { source: { range: { start: number; length: number; sha256: string } } }).source.range;
      expect(range.sha256).toBe(sha(bytes.subarray(range.start, range.start + range.length)));
      dirs.push(`shard${i}`);
    }
    const m = cli(['merge', ...dirs, '-o', 'merged', '-j', '2', '--progress', 'none']);
    expect(m.status, m.stderr).toBe(0);
    expect(outcome(join(work, 'merged'))).toEqual(one);
    const merged = JSON.parse(readFileSync(join(work, 'merged', 'report.json'), 'utf8')) as { source: { md5: null; shards: unknown[]; coverage: { complete: boolean } } };
    expect(merged.source).toMatchObject({ md5: null, coverage: { complete: true } });
    expect(merged.source.shards).toHaveLength(4);
    expect(spawnSync('xmllint', ['--noout', '--schema', SCHEMA, join(work, 'merged', 'report.xml')]).status).toBe(0);
  });

  it('refuses to resume when the image changed after the interrupted run read it', () => {
    const dir = join(work, 'evidence2');
    mkdirSync(dir);
    const copy = join(dir, 'lab.img');
    copyFileSync(image, copy);
    const killed = cli(['scan', copy, '-o', 'changed', '--progress', 'none', '-j', '2', ...PAGE, '--checkpoint-interval', '0'], { RAWCARVE_TEST_KILL_AFTER_PAGES: '15' });
    expect(killed.signal).toBe('SIGKILL');
    const cp = JSON.parse(readFileSync(join(work, 'changed', '.rawcarve-checkpoint.json'), 'utf8')) as { prefixHashes: { length: number } | null };
    expect(cp.prefixHashes?.length).toBeGreaterThan(0);
    const fd = openSync(copy, 'r+');
    writeSync(fd, Buffer.from('tampered'), 0, 8, 100); // inside the prefix already scanned
    closeSync(fd);
    const resumed = cli(['scan', copy, '-o', 'changed', '--progress', 'none', '--resume']);
    expect(resumed.status).toBe(1);
    expect(resumed.stderr).toMatch(/image changed since the interrupted run/);
  });
});
