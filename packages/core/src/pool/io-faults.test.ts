import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { DEFAULT_BUDGET, DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import { buildReport } from '../report/build.js';
import { makeTlv } from '../testing/tlv-carver.js';
import type { FaultPlan } from '../source/fault-source.js';
import { scanImage } from './scan-image.js';

// Workers load carvers as JavaScript: the compiled toy carver (npm test builds first).
const TLV_MODULE = pathToFileURL(resolve(import.meta.dirname, '../../dist/testing/tlv-carver.js')).href;
const work = mkdtempSync(join(tmpdir(), 'rawcarve-faults-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Filler with no TLV magic in it (bytes < 0x40: never 'R'). */
function filler(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x = (Math.imul(x, 1103515245) + 12345) >>> 0;
    out[i] = (x >>> 24) & 0x3f;
  }
  return out;
}

/** A 256 KiB image: TLV files at 8K (20 KB), 64K (100 KB) and 200K (4 KB). */
function image(name: string): string {
  const img = filler(256 * 1024, 3);
  img.set(makeTlv(filler(20_000, 1)), 8 * 1024);
  img.set(makeTlv(filler(100_000, 2)), 64 * 1024);
  img.set(makeTlv(filler(4_000, 4)), 200 * 1024);
  const path = join(work, `${name}.img`);
  writeFileSync(path, img);
  return path;
}

async function scanWith(name: string, faults: FaultPlan, pageSize = 64 * 1024) {
  const out = join(work, name);
  const result = await scanImage({ imagePath: image(name), outDir: out, carverModules: [TLV_MODULE], pageSize, margin: 4096, jobs: 2, faults });
  const report = buildReport(result, { toolName: 't', toolVersion: '0', commandLine: [], imagePath: 'x', plugins: [], startedAt: new Date(), finishedAt: new Date() });
  return { out, result, report, audit: readFileSync(join(out, 'audit.log'), 'utf8') };
}

const byOffset = (files: readonly { imgOffset: number; status: string }[]): Record<number, string> =>
  Object.fromEntries(files.map((f) => [f.imgOffset, f.status]));

describe('read faults (injected: FaultySource)', () => {
  it('EIO inside a page: the error is reported with its offset, the scan goes on, and the file across it is not complete', async () => {
    const bad = 16 * 1024; // inside the file at 8K, in the scanner's own page
    const { result, audit, out } = await scanWith('eio', [{ offset: bad, length: 4096, kind: 'eio' }]);
    expect(byOffset(result.files)).toEqual({ [8 * 1024]: 'damaged', [64 * 1024]: 'complete', [200 * 1024]: 'complete' });
    const f = result.files.find((x) => x.imgOffset === 8 * 1024)!;
    expect(f.notes.join(' ')).toMatch(/could not be read/);
    const issue = result.issues.find((i) => i.offset === bad);
    expect(issue?.message).toMatch(/EIO.*4096 bytes from image offset 16384 unreadable/);
    expect(audit).toMatch(/ issue offset=16384 message=".*EIO/);
    // Nothing half-written is left behind.
    expect(readdirSync(join(out, 'files', 'tlv')).filter((n) => n.endsWith('.partial'))).toEqual([]);
  });

  it('EIO in a part of a file only the writer reads: the written file is damaged, not complete', async () => {
    // The 100 KB file at 64K spans pages 1..2 (64K pages, 4K margin); the toy carver reads its header and
    // trailer only, so the bad sector at 140K (page 2) is met by page 2's scan and by this file's write.
    const { result } = await scanWith('eio-write', [{ offset: 140 * 1024, length: 512, kind: 'eio' }]);
    expect(byOffset(result.files)).toEqual({ [8 * 1024]: 'complete', [64 * 1024]: 'damaged', [200 * 1024]: 'complete' });
    expect(result.files[1]!.notes.join(' ')).toMatch(/4096 bytes at image offset 143360 could not be read/);
    expect(result.issues.some((i) => i.offset === 140 * 1024)).toBe(true);
  });

  it('a silent short read (no error, no bytes) is a gap, never the end of the data', async () => {
    const { result } = await scanWith('short', [{ offset: 100 * 1024, length: 8192, kind: 'short' }]);
    expect(byOffset(result.files)).toEqual({ [8 * 1024]: 'complete', [64 * 1024]: 'damaged', [200 * 1024]: 'complete' });
    expect(result.issues.find((i) => i.offset === 100 * 1024)?.message).toMatch(/short read at image offset 102400/);
  });

  it('a fault where a carver reads past its page: read as zeros, the file is kept and not complete, the rest is found', async () => {
    // The trailer of the file at 64K lies at image offset 165546: past page 1's margin, read through the reader.
    const { result, report } = await scanWith('eio-trailer', [{ offset: 160 * 1024, length: 8192, kind: 'eio' }]);
    expect(byOffset(result.files)).toEqual({ [8 * 1024]: 'complete', [64 * 1024]: 'truncated', [200 * 1024]: 'complete' });
    expect(result.files[1]!.notes.join(' ')).toMatch(/could not be read/);
    expect(report.issues.map((i) => i.offset)).toContain(160 * 1024);
  });

  it('an image cut mid-file: the file running off the end is truncated, nothing else changes', async () => {
    const full = readFileSync(image('cut-src'));
    const path = join(work, 'cut.img');
    writeFileSync(path, full.subarray(0, 100 * 1024)); // cuts the 100 KB file at 64K
    const out = join(work, 'cut');
    const result = await scanImage({ imagePath: path, outDir: out, carverModules: [TLV_MODULE], pageSize: 64 * 1024, margin: 4096 });
    expect(byOffset(result.files)).toEqual({ [8 * 1024]: 'complete', [64 * 1024]: 'truncated' });
    expect(result.files[1]!.size).toBe(36 * 1024);
    expect(existsSync(join(out, result.files[1]!.path))).toBe(true);
  });
});

describe('limits', () => {
  it('--max-file-size reaches the carvers, and report.json lists the limits in force', async () => {
    const out = join(work, 'limits');
    const result = await scanImage({ imagePath: image('limits'), outDir: out, carverModules: [TLV_MODULE], maxFileSize: { tlv: 50_000 } });
    // The toy carver rejects a file longer than its limit (its length field would be a lie); 8K and 200K stay.
    expect(result.files.map((f) => f.imgOffset)).toEqual([8 * 1024, 200 * 1024]);
    const report = buildReport(result, { toolName: 't', toolVersion: '0', commandLine: [], imagePath: 'x', plugins: [], startedAt: new Date(), finishedAt: new Date() });
    expect(report.options.limits?.maxFileSize).toEqual({ tlv: 50_000 });
    // The toy carver declares no work bounds; reassembly's are the default budget.
    expect(report.options.limits?.carvers).toEqual({});
    expect(report.options.limits?.reassembly).toEqual({
      maxTrials: DEFAULT_BUDGET.maxTrials, maxBytes: DEFAULT_BUDGET.maxBytes, maxMs: DEFAULT_BUDGET.maxMs, maxFragments: DEFAULT_BUDGET.maxFragments, maxPassMs: DEFAULT_REASSEMBLY_MS,
    });
    const plain = await scanImage({ imagePath: image('limits2'), outDir: join(work, 'limits2'), carverModules: [TLV_MODULE], reassemblyMs: 1234 });
    expect(plain.limits).toEqual({ maxFileSize: { tlv: 64 * 1024 * 1024 }, reassemblyMs: 1234 });
  });

  it('a limit for a carver that is not loaded is a usage error, not silently ignored', async () => {
    await expect(scanImage({ imagePath: image('limits3'), outDir: join(work, 'limits3'), carverModules: [TLV_MODULE], maxFileSize: { jpg: 1 } }))
      .rejects.toThrow(/no carver named jpg/);
  });
});
