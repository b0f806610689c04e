import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildReport, writeReports } from '../report/build.js';
import { makeTlv } from '../testing/tlv-carver.js';
import { scanImage } from './scan-image.js';

// Workers load carvers as JavaScript: the compiled toy carver (npm test builds first).
const TLV_MODULE = pathToFileURL(resolve(import.meta.dirname, '../../dist/testing/tlv-carver.js')).href;
const SCHEMA = resolve(import.meta.dirname, '../../../../../shared/dfxml/dfxml.xsd');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-core-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Deterministic filler with no TLV magic in it. */
function filler(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 24) & 0x7f; // never 'R' twice in a row matters little: magic needs 6 exact bytes
  }
  return out;
}

interface Planted {
  offset: number;
  bytes: Uint8Array;
}

function buildImage(name: string, size: number, files: Planted[]): string {
  const img = filler(size, 7);
  for (const f of files) img.set(f.bytes, f.offset);
  const path = join(work, name);
  writeFileSync(path, img);
  return path;
}

describe('scanImage', () => {
  it('finds every file exactly once across page boundaries, with any page size and job count', async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.integer({ min: 0, max: 120 }), { minLength: 1, maxLength: 6 }),
        fc.constantFrom(4096, 8192, 65536),
        fc.constantFrom(1, 2),
        async (sectors, pageSize, jobs) => {
          const files: Planted[] = [...sectors].sort((a, b) => a - b).map((s, i) => ({
            offset: s * 1024,
            bytes: makeTlv(filler(200 + ((i * 397) % 700), i + 11)),
          }));
          const image = buildImage(`p${run}.img`, 128 * 1024, files);
          const out = join(work, `p${run++}`);
          const result = await scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE], align: 512, pageSize, margin: 16, jobs });
          expect(result.files.map((f) => f.imgOffset)).toEqual(files.map((f) => f.offset));
          for (const [i, f] of result.files.entries()) {
            expect(f.status).toBe('complete');
            expect(f.sha256).toBe(sha(files[i]!.bytes));
            expect(sha(readFileSync(join(out, f.path)))).toBe(f.sha256);
          }
          expect(readdirSync(join(out, 'files', 'tlv'))).toHaveLength(files.length);
        },
      ),
      { numRuns: 12 },
    );
  });

  it('writes identical files once and lists the other offsets as duplicates', async () => {
    const same = makeTlv(filler(3000, 99));
    const other = makeTlv(filler(1000, 5));
    const image = buildImage('dup.img', 64 * 1024, [
      { offset: 4096, bytes: same },
      { offset: 20480, bytes: other },
      { offset: 40960, bytes: same },
    ]);
    const out = join(work, 'dup');
    const result = await scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE], pageSize: 16384, margin: 16 });
    expect(result.files.map((f) => [f.imgOffset, f.duplicates])).toEqual([
      [4096, [40960]],
      [20480, []],
    ]);
    expect(readdirSync(join(out, 'files', 'tlv')).sort()).toEqual(['f0000004096.tlv', 'f0000020480.tlv']);
  });

  it('reports a file running off the end of the image as truncated, never complete', async () => {
    const file = makeTlv(filler(5000, 3));
    const image = buildImage('trunc.img', 8192, [{ offset: 6144, bytes: file.subarray(0, 2048) }]);
    const out = join(work, 'trunc');
    const result = await scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE] });
    expect(result.files).toHaveLength(1);
    expect(result.files[0]!.status).toBe('truncated');
    expect(result.files[0]!.size).toBe(2048);
  });

  it('refuses a non-empty output folder unless forced, and never writes beside the image', async () => {
    const image = buildImage('guard.img', 8192, [{ offset: 0, bytes: makeTlv(new Uint8Array(10)) }]);
    const out = join(work, 'guard');
    await scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE] });
    await expect(scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE] })).rejects.toThrow(/not empty/);
    await expect(scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE], force: true })).resolves.toBeTruthy();
    await expect(scanImage({ imagePath: image, outDir: work, carverModules: [TLV_MODULE] })).rejects.toThrow(/evidence/);
  });

  it.skipIf(!existsSync(SCHEMA))('writes report.xml that validates against the DFXML 2.0 schema, and report.json with the contract fields', async () => {
    const image = buildImage('report.img', 64 * 1024, [
      { offset: 512, bytes: makeTlv(filler(700, 1)) },
      { offset: 30000 - (30000 % 512), bytes: makeTlv(filler(900, 2)) },
    ]);
    const out = join(work, 'report');
    const result = await scanImage({ imagePath: image, outDir: out, carverModules: [TLV_MODULE] });
    const report = buildReport(result, {
      toolName: 'rawcarve', toolVersion: '0.0.0-test', commandLine: ['rawcarve', 'scan', image, '<&>"'], imagePath: image,
      plugins: [], startedAt: new Date(), finishedAt: new Date(),
    });
    const paths = writeReports(out, report);
    const xmllint = execFileSync('xmllint', ['--noout', '--schema', SCHEMA, paths.xml], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
    expect(xmllint).toBe('');
    const json = JSON.parse(readFileSync(paths.json, 'utf8'));
    expect(json.source).toMatchObject({ path: image, size: 64 * 1024 });
    expect(json.files).toHaveLength(2);
    expect(Object.keys(json.files[0]).sort()).toEqual(expect.arrayContaining(['path', 'type', 'status', 'size', 'byteRuns', 'sha256', 'md5', 'duplicates', 'metadata']));
    expect(json.files[0].byteRuns).toEqual([{ imgOffset: 512, fileOffset: 0, length: 714 }]);
    expect(json.files[0].path).toBe('files/tlv/f0000000512.tlv');
    expect(json.summary.filesWritten).toBe(2);
    const xml = readFileSync(paths.xml, 'utf8');
    expect(xml).toContain('<byte_run file_offset="0" img_offset="512" len="714"/>');
    expect(xml).toContain(`<hashdigest type="SHA256">${json.files[0].sha256}</hashdigest>`);
  });
});
