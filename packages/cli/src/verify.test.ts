import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const MEDIA = resolve(ROOT, '../shared/media/jpeg');
const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;
const hasTools = has('ewfacquire') && (existsSync(MEDIA) || has('convert'));
if (!hasTools) console.warn('verify/E01 CLI tests skipped: they need ewfacquire (ewf-tools) and ../shared/media/jpeg or ImageMagick convert');

/** Made when the tests run (not when they are skipped), removed after. */
let work = '';
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work });
const hex = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');

/** A few JPEGs: the smallest sample photos, or ImageMagick plasma pictures when the samples are absent. */
function jpegs(): Buffer[] {
  if (existsSync(MEDIA)) {
    const files = readdirSync(MEDIA).filter((f) => /\.jpe?g$/i.test(f)).map((f) => join(MEDIA, f));
    const sized = files.map((f) => ({ f, n: readFileSync(f).length })).filter((x) => x.n > 50_000 && x.n < 700_000);
    return sized.sort((a, b) => a.n - b.n).slice(0, 4).map((x) => readFileSync(x.f));
  }
  return [0, 1, 2].map((i) => execFileSync('convert', ['-seed', String(i + 1), '-size', `${480 + 64 * i}x360`, 'plasma:', 'jpg:-']));
}

/** What a scan carved: file name → SHA-256, from its report. */
function carved(out: string): Record<string, string> {
  const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as { files: { path: string; sha256: string }[] };
  return Object.fromEntries(report.files.map((f) => [f.path, f.sha256]));
}

describe.skipIf(!hasTools)('E01 and split raw through the CLI (needs ewfacquire)', () => {
  let raw = Buffer.alloc(0);
  let rawPath = '';
  let e01 = '';
  const photos: Buffer[] = [];

  beforeAll(() => {
    work = mkdtempSync(join(tmpdir(), 'rawcarve-verify-'));
    rawPath = join(work, 'evidence', 'card.img');
    photos.push(...jpegs());
    const size = 4 << 20;
    raw = Buffer.alloc(size);
    for (let i = 0; i < size; i += 4) raw.writeUInt32LE((i * 2654435761) >>> 0, i); // filler with no FF D8 FF on sectors
    let at = 8192;
    for (const p of photos) {
      p.copy(raw, at);
      at = Math.ceil((at + p.length + 4096) / 512) * 512;
    }
    expect(at).toBeLessThan(size);
    mkdirSync(join(work, 'evidence'));
    writeFileSync(rawPath, raw);
    mkdirSync(join(work, 'e01'));
    execFileSync('ewfacquire', ['-u', '-q', '-t', join(work, 'e01', 'card'), '-f', 'encase6', '-c', 'deflate:fast', '-d', 'sha1', '-S', '1MiB',
      '-C', 'case-9', '-D', 'sd card', '-E', 'item 3', '-e', 'examiner', '-N', 'notes', '-m', 'removable', '-M', 'physical', rawPath], { stdio: 'pipe' });
    e01 = join(work, 'e01', 'card.E01');
    expect(existsSync(join(work, 'e01', 'card.E03'))).toBe(true);
  });
  afterAll(() => rmSync(work, { recursive: true, force: true }));

  it('scan of the E01 carves exactly the files the scan of the raw image carves', () => {
    const fromRaw = join(work, 'out-raw');
    const fromE01 = join(work, 'out-e01');
    const a = run(['scan', rawPath, '-o', fromRaw, '--progress', 'none', '--jobs', '2']);
    expect(a.status, a.stderr).toBe(0);
    const b = run(['scan', e01, '-o', fromE01, '--progress', 'none', '--jobs', '2']);
    expect(b.status, b.stderr).toBe(0);
    const files = carved(fromRaw);
    expect(Object.keys(files).length).toBeGreaterThanOrEqual(photos.length);
    for (const p of photos) expect(Object.values(files)).toContain(hex('sha256', p));
    expect(carved(fromE01)).toEqual(files);
    const report = JSON.parse(readFileSync(join(fromE01, 'report.json'), 'utf8'));
    expect(report.source).toMatchObject({ kind: 'ewf', size: raw.length });
    expect(report.issues).toEqual([]);
  });

  it('verify checks an E01 against its stored MD5 and SHA1, and fails on a corrupt chunk', () => {
    const ok = run(['verify', e01, '--progress', 'none']);
    expect(ok.status, ok.stderr).toBe(0);
    expect(ok.stdout).toContain(`MD5:       ${hex('md5', raw)}  matches the stored hash`);
    expect(ok.stdout).toContain(`SHA1:      ${hex('sha1', raw)}  matches the stored hash`);
    expect(ok.stdout).toMatch(/case:\s+case-9/);
    expect(ok.stdout).toContain('verified');

    mkdirSync(join(work, 'bad'));
    for (const f of readdirSync(join(work, 'e01'))) copyFileSync(join(work, 'e01', f), join(work, 'bad', f));
    const second = readFileSync(join(work, 'bad', 'card.E02'));
    second[second.length >> 1]! ^= 0xff;
    writeFileSync(join(work, 'bad', 'card.E02'), second);
    const bad = run(['verify', join(work, 'bad', 'card.E01'), '--progress', 'none']);
    expect(bad.status).toBe(1);
    expect(bad.stdout).toMatch(/unreadable: read of \d+ bytes at image offset \d+/);
    expect(bad.stdout).toContain('verification FAILED');

    // The scan of the damaged image still completes, naming the bad offset.
    const out = join(work, 'out-bad');
    const scan = run(['scan', join(work, 'bad', 'card.E01'), '-o', out, '--progress', 'none']);
    expect(scan.status, scan.stderr).toBe(0);
    const issues = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')).issues as { offset: number; message: string }[];
    expect(issues.some((i) => /EWF chunk \d+/.test(i.message))).toBe(true);

    rmSync(join(work, 'bad', 'card.E03'));
    const missing = run(['verify', join(work, 'bad', 'card.E01')]);
    expect(missing.status).toBe(1);
    expect(missing.stderr).toMatch(/card\.E03 is missing: the segment set is incomplete/);
  });

  it('verify prints MD5 and SHA-256 of raw and split raw images, which read as the same bytes', () => {
    const parts = join(work, 'split');
    mkdirSync(parts);
    const cut = [0, 1_000_000, 1_000_001, 3 << 20, raw.length];
    for (let i = 0; i + 1 < cut.length; i++) writeFileSync(join(parts, `card.raw.${String(i + 1).padStart(3, '0')}`), raw.subarray(cut[i], cut[i + 1]));
    for (const image of [rawPath, join(parts, 'card.raw.001')]) {
      const r = run(['verify', image, '--progress', 'none']);
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain(`MD5:       ${hex('md5', raw)}`);
      expect(r.stdout).toContain(`SHA-256:   ${hex('sha256', raw)}`);
    }
    const out = join(work, 'out-split');
    expect(run(['scan', join(parts, 'card.raw.001'), '-o', out, '--progress', 'none']).status).toBe(0);
    expect(carved(out)).toEqual(carved(join(work, 'out-raw')));
  });
});
