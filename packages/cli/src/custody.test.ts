import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const SCHEMA = resolve(ROOT, '../shared/dfxml/dfxml.xsd');
const has = (t: string): boolean => spawnSync('which', [t]).status === 0;
const hasTools = ['cjpeg', 'xmllint'].every(has);
const hasEwf = has('ewfacquire');
if (!hasTools) console.warn('chain-of-custody CLI tests skipped: they need cjpeg and xmllint');
else if (!hasEwf) console.warn('E01 chain-of-custody test skipped: ewfacquire is not installed (scripts/install-test-tools.sh)');

const work = mkdtempSync(join(tmpdir(), 'rawcarve-custody-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const hex = (alg: string, b: Uint8Array): string => createHash(alg).update(b).digest('hex');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work });
const json = (out: string) => JSON.parse(readFileSync(join(work, out, 'report.json'), 'utf8'));
const xmlValid = (out: string): number | null => spawnSync('xmllint', ['--noout', '--schema', SCHEMA, join(work, out, 'report.xml')]).status;

/** Twelve JPEGs (cjpeg, textured) in a 4 MiB image of noise, one every 320 KiB. */
function makeImage(): Buffer {
  const img = Buffer.alloc(4 * 1024 * 1024);
  for (let i = 0; i < img.length; i += 4) img.writeUInt32LE((i * 2654435761) >>> 0, i);
  for (let k = 0; k < 12; k++) {
    const w = 200 + 16 * k;
    const px = Buffer.alloc(w * 150 * 3);
    for (let i = 0; i < px.length; i++) px[i] = ((i * (k + 3)) ^ (i >> 7)) & 0xff;
    const src = join(work, `p${k}.ppm`);
    writeFileSync(src, Buffer.concat([Buffer.from(`P6\n${w} 150\n255\n`), px]));
    execFileSync('cjpeg', ['-quality', '80', src]).copy(img, 4096 + k * 320 * 1024);
  }
  return img;
}

describe.skipIf(!hasTools)('chain of custody: image hashes, audit log, Ctrl-C and --resume (CLI)', () => {
  let image = '';
  let bytes: Buffer;

  beforeAll(() => {
    mkdirSync(join(work, 'evidence'));
    image = join(work, 'evidence', 'card.dd');
    bytes = makeImage();
    writeFileSync(image, bytes);
  });

  it('hashes the image in the scan\'s read (MD5, SHA-256, SHA-1 on request) into both reports, and logs every step to audit.log', () => {
    const r = run(['scan', image, '-o', 'plain', '--progress', 'none', '-j', '2', '--sha1']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`SHA-256 ${hex('sha256', bytes)}`);
    const report = json('plain');
    expect(report.source).toMatchObject({ md5: hex('md5', bytes), sha256: hex('sha256', bytes), sha1: hex('sha1', bytes), size: bytes.length, kind: 'raw' });
    expect(report.files).toHaveLength(12);
    expect(report.resumes).toEqual([]);
    const xml = readFileSync(join(work, 'plain', 'report.xml'), 'utf8');
    expect(xml).toContain(`<byte_run img_offset="0" len="${bytes.length}">`);
    expect(xml).toContain(`<hashdigest type="md5">${hex('md5', bytes)}</hashdigest>`);
    expect(xmlValid('plain')).toBe(0);

    const lines = readFileSync(join(work, 'plain', 'audit.log'), 'utf8').trimEnd().split('\n');
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z [a-z-]+( |$)/);
    const events = lines.map((l) => l.split(' ')[1]);
    expect(events).toEqual(['start', 'command', 'host', 'source', 'options', 'file-systems', 'phase-start', 'phase-end', 'image-hashes', 'phase-end',
      'phase-start', 'phase-end', 'report', 'report', 'report', 'end']); // the thumbnail phase; report.json, .xml, .html
    const text = lines.join('\n');
    expect(text).toContain(`argv=${JSON.stringify([CLI, 'scan', image, '-o', 'plain', '--progress', 'none', '-j', '2', '--sha1'])}`);
    expect(text).toMatch(/ host hostname=\S+ .*user=/);
    expect(text).toContain(`source path=${image} `);
    expect(text).toContain(`sha256=${hex('sha256', bytes)}`);
    expect(text).toContain(`report format=json path=plain/report.json sha256=${hex('sha256', readFileSync(join(work, 'plain', 'report.json')))}`);
    // Nothing about the evidence anywhere but OUTDIR.
    expect(readdirSync(join(work, 'evidence'))).toEqual(['card.dd']);
  });

  it('stops on Ctrl-C with a checkpoint (exit 130) and --resume finishes the same files; resume refuses new settings', async () => {
    const child = spawn(process.execPath, [CLI, 'scan', image, '-o', 'ctrlc', '--progress', 'none', '-j', '1', '--page-size', '64K', '--checkpoint-interval', '0'], {
      cwd: work, stdio: ['ignore', 'ignore', 'pipe'], env: { ...process.env },
    });
    let stderr = '';
    child.stderr.on('data', (d: Buffer) => {
      stderr += d.toString();
    });
    // Interrupt once the first checkpoint exists (the run is underway).
    const started = Date.now();
    while (!readdirSync(join(work)).includes('ctrlc') || !readdirSync(join(work, 'ctrlc')).includes('.rawcarve-pages.jsonl')) {
      if (Date.now() - started > 20_000) throw new Error('the scan did not start');
      await new Promise((r) => setTimeout(r, 20));
    }
    child.kill('SIGINT');
    const code = await new Promise<number | null>((done) => child.on('exit', (c) => done(c)));
    if (code === 0) return; // the run finished before the signal: nothing to resume on this machine
    expect(code, stderr).toBe(130);
    expect(stderr).toMatch(/continue with --resume/);
    expect(readFileSync(join(work, 'ctrlc', 'audit.log'), 'utf8')).toMatch(/ interrupted message=/);
    expect(run(['scan', image, '-o', 'ctrlc', '--resume', '--types', 'jpeg']).status).toBe(2);
    const resumed = run(['scan', image, '-o', 'ctrlc', '--resume', '--progress', 'none', '-j', '2']);
    expect(resumed.status, resumed.stderr).toBe(0);
    const a = json('ctrlc');
    const b = json('plain');
    expect(a.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256])).toEqual(b.files.map((f: { path: string; sha256: string }) => [f.path, f.sha256]));
    expect(a.source.sha256).toBe(b.source.sha256);
    expect(a.resumes).toHaveLength(1);
    const again = run(['scan', image, '-o', 'ctrlc', '--resume']); // finished: nothing to do, and not an error
    expect(again.status).toBe(0);
    expect(again.stdout).toMatch(/already finished/);
  });

  it('scans a range (its hashes, not the image\'s) and merges shards by CLI; usage errors exit 2', () => {
    const r = run(['scan', image, '-o', 'part', '--range', '1M:1M', '--progress', 'none', '-q']);
    expect(r.status, r.stderr).toBe(0);
    const part = json('part');
    expect(part.source).toMatchObject({ md5: null, sha256: null, range: { start: 1 << 20, length: 1 << 20, sha256: hex('sha256', bytes.subarray(1 << 20, 2 << 20)) } });
    expect(part.options.range).toEqual({ start: 1 << 20, length: 1 << 20 });
    expect(part.files.every((f: { imgOffset: number }) => f.imgOffset >= 1 << 20 && f.imgOffset < 2 << 20)).toBe(true);
    expect(xmlValid('part')).toBe(0);
    for (const i of [0, 1]) expect(run(['scan', image, '-o', `half${i}`, '--shard', `${i}/2`, '--progress', 'none', '-q']).status).toBe(0);
    const m = run(['merge', 'half0', 'half1', '-o', 'whole', '--rehash', '--progress', 'none', '-q']);
    expect(m.status, m.stderr).toBe(0);
    const whole = json('whole');
    expect(whole.files.map((f: { sha256: string }) => f.sha256)).toEqual(json('plain').files.map((f: { sha256: string }) => f.sha256));
    expect(whole.source.sha256).toBe(hex('sha256', bytes));
    expect(xmlValid('whole')).toBe(0);
    expect(run(['scan', image, '-o', 'bad1', '--range', '9M:1M']).status).toBe(2);
    expect(run(['scan', image, '-o', 'bad2', '--shard', '2/2']).status).toBe(2);
    expect(run(['scan', image, '-o', 'bad3', '--range', '0:1M', '--shard', '0/2']).status).toBe(2);
    expect(run(['merge', 'half0', 'nowhere', '-o', 'bad4']).status).toBe(2);
  });

  it.skipIf(!hasEwf)('an E01 gets its case metadata and stored hashes checked against the data read, in both reports and the audit log', () => {
    mkdirSync(join(work, 'e01'));
    execFileSync('ewfacquire', ['-u', '-q', '-t', join(work, 'e01', 'card'), '-f', 'encase6', '-c', 'deflate:fast', '-d', 'sha1', '-S', '1MiB',
      '-C', 'case-42', '-D', 'SD card from the drawer', '-E', 'ev-7', '-e', 'J. Examiner', '-N', 'seized 2025-01-02', '-m', 'removable', '-M', 'physical', '-o', '0', image], { stdio: 'pipe' });
    const r = run(['scan', join(work, 'e01', 'card.E01'), '-o', 'ewf', '--progress', 'none', '-j', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/E01 stored MD5 +matches the data read/);
    const report = json('ewf');
    expect(report.source).toMatchObject({ kind: 'ewf', md5: hex('md5', bytes), sha1: hex('sha1', bytes), sha256: hex('sha256', bytes) });
    expect(report.source.ewf).toMatchObject({
      case: { caseNumber: 'case-42', evidenceNumber: 'ev-7', examiner: 'J. Examiner', description: 'SD card from the drawer', notes: 'seized 2025-01-02' },
      storedHashes: { md5: hex('md5', bytes), sha1: hex('sha1', bytes) },
      hashesMatch: { md5: true, sha1: true },
    });
    expect(report.source.ewf.segments.length).toBeGreaterThan(1);
    expect(report.source.ewf.case.acquiryDate).toMatch(/^\d{4}-\d\d-\d\dT/);
    expect(report.files).toHaveLength(12);
    const xml = readFileSync(join(work, 'ewf', 'report.xml'), 'utf8');
    expect(xml).toContain('<rc:examiner>J. Examiner</rc:examiner>');
    expect(xml).toContain(`<rc:stored_hash type="md5" matches="true">${hex('md5', bytes)}</rc:stored_hash>`);
    expect(xmlValid('ewf')).toBe(0);
    const audit = readFileSync(join(work, 'ewf', 'audit.log'), 'utf8');
    expect(audit).toMatch(/ ewf-case caseNumber=case-42 .*examiner="J. Examiner"/);
    expect(audit).toMatch(/ ewf-verify md5=true sha1=true /);
    // A range of an E01 cannot be checked against the whole image's stored hashes.
    expect(run(['scan', join(work, 'e01', 'card.E01'), '-o', 'ewf-part', '--range', '0:1M', '--progress', 'none', '-q']).status).toBe(0);
    expect(json('ewf-part').source.ewf.hashesMatch).toBeNull();
  });
});
