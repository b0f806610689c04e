import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const SCHEMA = resolve(ROOT, '../shared/dfxml/dfxml.xsd');
const hasTools = ['cjpeg', 'xmllint'].every((t) => spawnSync('which', [t]).status === 0);
const work = mkdtempSync(join(tmpdir(), 'rawcarve-cli-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const run = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd: work });

/** A PPM test picture: gradients and a pattern, so the JPEG's entropy data is realistic. */
function ppm(w: number, h: number, seed: number): Buffer {
  const head = Buffer.from(`P6\n${w} ${h}\n255\n`);
  const px = Buffer.alloc(w * h * 3);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 3;
      px[i] = (x * 255) / w;
      px[i + 1] = (y * 255) / h;
      px[i + 2] = ((x ^ y) * seed) & 0xff;
    }
  }
  return Buffer.concat([head, px]);
}

describe.skipIf(!hasTools)('rawcarve scan end to end (needs cjpeg and xmllint)', () => {
  const jpegs: Buffer[] = [];
  const offsets = [4096, 300 * 512, 2048 * 512 + 512];
  let image = '';

  beforeAll(() => {
    const variants = [[], ['-progressive'], ['-restart', '2']];
    variants.forEach((flags, i) => {
      const src = join(work, `p${i}.ppm`);
      writeFileSync(src, ppm(160 + 32 * i, 120 + 16 * i, i + 3));
      jpegs.push(execFileSync('cjpeg', ['-quality', '85', ...flags, src]));
    });
    const img = Buffer.alloc(2 * 1024 * 1024, 0);
    for (let i = 0; i < img.length; i += 4) img.writeUInt32LE((i * 2654435761) >>> 0, i); // filler, no FF D8 FF at sectors
    jpegs.forEach((j, i) => j.copy(img, offsets[i]!));
    image = join(work, 'evidence', 'card.img');
    mkdirSync(join(work, 'evidence'));
    writeFileSync(image, img);
  });

  it('carves every JPEG byte-exact, writes nothing else, and reports in DFXML and JSON', () => {
    const out = join(work, 'out');
    const r = run(['scan', image, '-o', out, '--progress', 'plain', '--jobs', '2']);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain('files written');
    const written = readdirSync(join(out, 'files', 'jpeg')).sort();
    expect(written).toEqual(offsets.map((o) => `f${String(o).padStart(10, '0')}.jpg`));
    written.forEach((name, i) => expect(sha(readFileSync(join(out, 'files', 'jpeg', name)))).toBe(sha(jpegs[i]!)));
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.files.map((f: { status: string }) => f.status)).toEqual(['complete', 'complete', 'complete']);
    expect(report.files.map((f: { typeCheck: { matches: boolean } }) => f.typeCheck.matches)).toEqual([true, true, true]);
    if (existsSync(SCHEMA)) {
      execFileSync('xmllint', ['--noout', '--schema', SCHEMA, join(out, 'report.xml')], { stdio: 'pipe' });
    }
    // Nothing was written beside the evidence.
    expect(readdirSync(join(work, 'evidence'))).toEqual(['card.img']);
  });

  it('exits 2 for usage errors: non-empty outdir without --force, missing image, unknown type', () => {
    const out = join(work, 'busy');
    mkdirSync(out);
    writeFileSync(join(out, 'keep.txt'), 'x');
    expect(run(['scan', image, '-o', out]).status).toBe(2);
    expect(readFileSync(join(out, 'keep.txt'), 'utf8')).toBe('x');
    expect(run(['scan', join(work, 'nope.img'), '-o', join(work, 'o2')]).status).toBe(2);
    expect(run(['scan', image]).status).toBe(2);
    const unknown = run(['scan', image, '-o', join(work, 'o3'), '--types', 'nosuch']);
    expect(unknown.status).not.toBe(0);
    expect(unknown.stderr).toContain('nosuch');
  });

  it('rebuilds a JPEG split in two around a gap, and leaves it truncated with --no-reassemble', () => {
    const src = join(work, 'big.ppm');
    writeFileSync(src, ppm(640, 480, 7));
    const jpeg = execFileSync('cjpeg', ['-quality', '95', src]);
    const cut = 512 * Math.floor(jpeg.length / 1024); // a sector boundary in the middle of the scan
    const img = Buffer.alloc(jpeg.length + 256 * 1024, 0);
    const first = 8192;
    const second = first + cut + 64 * 512; // 64 zeroed sectors between the fragments
    jpeg.copy(img, first, 0, cut);
    jpeg.copy(img, second, cut);
    const dir = join(work, 'frag');
    mkdirSync(dir);
    const fragImage = join(dir, 'frag.img');
    writeFileSync(fragImage, img);

    const out = join(work, 'out-frag');
    expect(run(['scan', fragImage, '-o', out, '--progress', 'none']).status).toBe(0);
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
    expect(report.files).toHaveLength(1);
    const f = report.files[0];
    expect(f.status).toBe('complete');
    expect(f.byteRuns.map((r: { imgOffset: number; length: number }) => [r.imgOffset, r.length])).toEqual([[first, cut], [second, jpeg.length - cut]]);
    expect(f.gaps).toEqual([64 * 512]);
    expect(f.sha256).toBe(sha(jpeg));
    expect(report.summary.reassembly).toMatchObject({ attempted: 1, rebuilt: 1 });

    const off = join(work, 'out-nofrag');
    expect(run(['scan', fragImage, '-o', off, '--progress', 'none', '--no-reassemble']).status).toBe(0);
    const plain = JSON.parse(readFileSync(join(off, 'report.json'), 'utf8'));
    expect(plain.files.map((x: { status: string }) => x.status)).toEqual(['truncated']);
    expect(plain.summary.reassembly.attempted).toBe(0);
  });

  it('lists carvers and prints its version', () => {
    const types = run(['types']);
    expect(types.status).toBe(0);
    expect(types.stdout).toMatch(/^jpeg\s/m);
    const v = run(['--version']);
    expect(v.status).toBe(0);
    // The installed command (a committed shim, linked by npm before any build) runs the same CLI.
    const shim = spawnSync(process.execPath, [join(ROOT, 'packages/cli/bin/rawcarve.js'), '--version'], { encoding: 'utf8' });
    expect(shim.stdout).toBe(v.stdout);
    expect(v.stdout.trim()).toBe(JSON.parse(readFileSync(join(ROOT, 'packages/cli/package.json'), 'utf8')).version);
  });
});
