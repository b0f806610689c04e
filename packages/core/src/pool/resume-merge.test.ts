import { createHash } from 'node:crypto';
import { appendFileSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildReport, writeReports } from '../report/build.js';
import type { ScanReport } from '../report/types.js';
import { makeTlv } from '../testing/tlv-carver.js';
import { PAGE_JOURNAL } from './checkpoint.js';
import { completeRun } from './complete-run.js';
import { mergeShards } from './merge.js';
import { scanImage } from './scan-image.js';
import { ScanInterrupted, type ScanOptions, type ScanResult } from './scan-types.js';

// Workers load carvers as JavaScript: the compiled toy carver (npm test builds first).
const TLV_MODULE = pathToFileURL(resolve(import.meta.dirname, '../../dist/testing/tlv-carver.js')).href;
const work = mkdtempSync(join(tmpdir(), 'rawcarve-resume-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
let runs = 0;
const fresh = (name: string): string => join(work, `${name}-${runs++}`);
/** A folder for an image (never an output folder's parent: evidence is not written beside). */
const evidenceDir = (): string => {
  const d = fresh('evidence');
  mkdirSync(d);
  return d;
};
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Filler without TLV magic ('R' never followed by 'CTLV1' matters little: bytes stay below 0x52 mostly). */
function filler(n: number, seed: number): Uint8Array {
  const out = new Uint8Array(n);
  let x = seed >>> 0 || 1;
  for (let i = 0; i < n; i++) {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    out[i] = (x >>> 24) & 0x3f;
  }
  return out;
}

/**
 * Files of every kind the overlap rules treat differently, at sector
 * offsets: plain, a host holding another TLV at a sector inside it (a
 * thumbnail: suppressed), a header whose length lies (truncated, swallowing
 * what follows it), and copies (deduplicated).
 */
type Item = { kind: 'plain' | 'host' | 'liar' | 'copy'; size: number; gap: number };
const itemArb = fc.record({ kind: fc.constantFrom('plain', 'host', 'liar', 'copy'), size: fc.integer({ min: 100, max: 12_000 }), gap: fc.integer({ min: 0, max: 12 }) }) as fc.Arbitrary<Item>;

function buildImage(items: Item[], size: number): string {
  const img = filler(size, 5);
  let at = 512;
  let last: Uint8Array | null = null;
  items.forEach((it, i) => {
    let bytes: Uint8Array;
    if (it.kind === 'copy' && last) bytes = last;
    else if (it.kind === 'host') {
      const payload = filler(it.size + 1200, i + 100);
      payload.set(makeTlv(filler(300, i + 200)), 502); // lands on the next sector of the image
      bytes = makeTlv(payload);
    } else if (it.kind === 'liar') {
      bytes = makeTlv(filler(it.size, i + 300)).subarray(0, 10 + Math.floor(it.size / 2));
      new DataView(bytes.buffer, bytes.byteOffset).setUint32(6, it.size * 8); // claims far more than is there
    } else bytes = makeTlv(filler(it.size, i + 400));
    if (at + bytes.length > size) return;
    img.set(bytes, at);
    last = it.kind === 'liar' ? last : bytes;
    at = Math.ceil((at + bytes.length) / 512) * 512 + it.gap * 512;
  });
  const path = join(evidenceDir(), 'image.bin');
  writeFileSync(path, img);
  return path;
}

async function scanWithReports(opts: Omit<ScanOptions, 'carverModules'>): Promise<{ result: ScanResult; report: ScanReport }> {
  const result = await scanImage({ carverModules: [TLV_MODULE], checkpointMs: 0, ...opts });
  return { result, report: finish(result, opts.imagePath) };
}

function finish(result: ScanResult, imagePath: string): ScanReport {
  const report = buildReport(result, { toolName: 'rawcarve', toolVersion: 'test', commandLine: [], imagePath, plugins: [], startedAt: new Date(), finishedAt: new Date() });
  completeRun(result, writeReports(result.outDir, report));
  return report;
}

/** What must not differ between one run and an interrupted or sharded one: every file, record and note. */
function outcome(report: ScanReport, outDir: string) {
  const files = report.files;
  const disk = readdirSync(join(outDir, 'files'), { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => `${e.name} ${sha(readFileSync(join(e.parentPath, e.name)))}`)
    .sort();
  const { hits, rejected, suppressed, trimmed, bytesScanned, filesWritten, duplicates } = report.summary;
  return { files, disk, issues: report.issues, counts: { hits, rejected, suppressed, trimmed, bytesScanned, filesWritten, duplicates } };
}

const layout = fc.array(itemArb, { minLength: 3, maxLength: 14 });
const SIZE = 160 * 1024;

describe('resume', () => {
  it('property: stopped at any page and left as a crash leaves it, a resumed run ends with the files and report of one uninterrupted run', async () => {
    await fc.assert(
      fc.asyncProperty(layout, fc.constantFrom(4096, 16384), fc.double({ min: 0.05, max: 0.95, noNaN: true }), fc.constantFrom(1, 2), fc.array(fc.boolean(), { minLength: 4, maxLength: 4 }), async (items, pageSize, stopAt, jobs, mess) => {
        const imagePath = buildImage(items, SIZE);
        const one = await scanWithReports({ imagePath, outDir: fresh('one'), pageSize, margin: 16, jobs });
        const outDir = fresh('stopped');
        const stop = new AbortController();
        const pages = Math.ceil(SIZE / pageSize);
        await expect(
          scanImage({ imagePath, outDir, carverModules: [TLV_MODULE], pageSize, margin: 16, jobs, checkpointMs: 0, signal: stop.signal }, { onPageFolded: (done) => void (done >= stopAt * pages && stop.abort()) }),
        ).rejects.toThrow(ScanInterrupted);
        // What a crash can leave: a torn journal line, a partial file, a file written after the last commit, a file removed after it.
        if (mess[0]) appendFileSync(join(outDir, PAGE_JOURNAL), '{"pageStart":12');
        if (mess[1]) writeFileSync(join(outDir, 'files/tlv/f0000000512.tlv.partial'), 'half');
        if (mess[2]) writeFileSync(join(outDir, 'files/tlv/f0000099840.tlv'), 'not ours');
        const written = readdirSync(join(outDir, 'files/tlv'));
        if (mess[3] && written.length > 0) unlinkSync(join(outDir, 'files/tlv', written[0]!));

        const resumed = await scanWithReports({ imagePath, outDir, resume: true, jobs: 3 - jobs });
        expect(outcome(resumed.report, outDir)).toEqual(outcome(one.report, one.result.outDir));
        expect(resumed.report.source.sha256).toBe(sha(readFileSync(imagePath)));
        expect(resumed.report.resumes).toHaveLength(1);
        expect(readFileSync(join(outDir, 'audit.log'), 'utf8')).toMatch(/ interrupted [\s\S]* resume [\s\S]* end status=ok/);
      }),
      { numRuns: 8 },
    );
  });

  it('refuses to resume another image, a finished run, or a folder without a checkpoint', async () => {
    const imagePath = buildImage([{ kind: 'plain', size: 5000, gap: 1 }], 64 * 1024);
    const { result } = await scanWithReports({ imagePath, outDir: fresh('done') });
    await expect(scanImage({ imagePath, outDir: result.outDir, carverModules: [TLV_MODULE], resume: true })).rejects.toThrow(/already finished/);
    await expect(scanImage({ imagePath, outDir: fresh('empty'), carverModules: [TLV_MODULE], resume: true })).rejects.toThrow(/no checkpoint/);
    const other = buildImage([{ kind: 'plain', size: 5000, gap: 1 }], 96 * 1024);
    const stop = new AbortController();
    const outDir = fresh('stopped');
    await expect(scanImage({ imagePath, outDir, carverModules: [TLV_MODULE], pageSize: 4096, signal: stop.signal }, { onPageFolded: () => stop.abort() })).rejects.toThrow(ScanInterrupted);
    await expect(scanImage({ imagePath: other, outDir, carverModules: [TLV_MODULE], resume: true })).rejects.toThrow(/not the evidence/);
  });
});

describe('shards and merge', () => {
  it('property: shards cut on page boundaries, merged, give the files and report of one run over the image', async () => {
    await fc.assert(
      fc.asyncProperty(layout, fc.constantFrom(4096, 8192), fc.uniqueArray(fc.integer({ min: 1, max: 19 }), { minLength: 1, maxLength: 4 }), async (items, pageSize, cutPages) => {
        const imagePath = buildImage(items, SIZE);
        const one = await scanWithReports({ imagePath, outDir: fresh('one'), pageSize, margin: 16, jobs: 2 });
        const cuts = [0, ...[...cutPages].sort((a, b) => a - b).map((p) => p * pageSize), SIZE];
        const shardDirs: string[] = [];
        for (let i = 0; i + 1 < cuts.length; i++) {
          const { result } = await scanWithReports({ imagePath, outDir: fresh('shard'), pageSize, margin: 16, jobs: 1, range: { start: cuts[i]!, length: cuts[i + 1]! - cuts[i]! } });
          expect(result.source.range?.sha256).toBe(sha(readFileSync(imagePath).subarray(cuts[i]!, cuts[i + 1]!)));
          shardDirs.push(result.outDir);
        }
        const merged = await mergeShards({ shardDirs: [...shardDirs].reverse(), outDir: fresh('merged'), carverModules: [TLV_MODULE], jobs: 2 });
        const report = finish(merged, imagePath);
        expect(outcome(report, merged.outDir)).toEqual(outcome(one.report, one.result.outDir));
        expect(report.source.md5).toBeNull();
        expect(report.source.coverage?.complete).toBe(true);
        expect(report.source.shards?.map((s) => s.range.start)).toEqual(cuts.slice(0, -1));
      }),
      { numRuns: 6 },
    );
  });

  it('a range finishes files that start in it past its end and leaves out files that start before it; merge checks shard files and --rehash hashes the whole image', async () => {
    const a = makeTlv(filler(6000, 1));
    const b = makeTlv(filler(9000, 2));
    const img = filler(64 * 1024, 9);
    img.set(a, 8192); // 8192..14206: starts before the range
    img.set(b, 20480); // starts inside, ends past 24576
    const imagePath = join(evidenceDir(), 'range.bin');
    writeFileSync(imagePath, img);
    const { result } = await scanWithReports({ imagePath, outDir: fresh('range'), range: '12K:12K', pageSize: 4096, margin: 16 });
    expect(result.files.map((f) => [f.imgOffset, f.status, f.size])).toEqual([[20480, 'complete', b.length]]);
    expect(result.range).toEqual({ start: 12288, length: 12288 });
    const rest = await scanWithReports({ imagePath, outDir: fresh('rest'), range: { start: 0, length: 12288 }, pageSize: 4096, margin: 16 });
    const tail = await scanWithReports({ imagePath, outDir: fresh('tail'), range: '24K:', pageSize: 4096, margin: 16 });
    writeFileSync(join(result.outDir, result.files[0]!.path), 'tampered with after the shard ran');
    const merged = await mergeShards({ shardDirs: [rest.result.outDir, result.outDir, tail.result.outDir], outDir: fresh('merged'), carverModules: [TLV_MODULE], rehash: true });
    expect(merged.files.map((f) => [f.imgOffset, f.sha256])).toEqual([[8192, sha(a)], [20480, sha(b)]]);
    expect(sha(readFileSync(join(merged.outDir, merged.files[1]!.path)))).toBe(sha(b)); // written from the image, not the tampered copy
    expect(readFileSync(join(merged.outDir, 'audit.log'), 'utf8')).toMatch(/ shard-file-mismatch .*offset=20480/);
    expect(merged.source.sha256).toBe(sha(img));
  });

  it('refuses shards scanned with other settings, or not finished', async () => {
    const imagePath = buildImage([{ kind: 'plain', size: 3000, gap: 0 }], 64 * 1024);
    const x = await scanWithReports({ imagePath, outDir: fresh('x'), range: '0:32K', align: 512 });
    const y = await scanWithReports({ imagePath, outDir: fresh('y'), range: '32K:', align: 1024 });
    await expect(mergeShards({ shardDirs: [x.result.outDir, y.result.outDir], outDir: fresh('m'), carverModules: [TLV_MODULE] })).rejects.toThrow(/other settings/);
    const stop = new AbortController();
    const z = fresh('z');
    await expect(scanImage({ imagePath, outDir: z, carverModules: [TLV_MODULE], range: '32K:', pageSize: 4096, signal: stop.signal }, { onPageFolded: () => stop.abort() })).rejects.toThrow(ScanInterrupted);
    await expect(mergeShards({ shardDirs: [x.result.outDir, z], outDir: fresh('m'), carverModules: [TLV_MODULE] })).rejects.toThrow(/did not finish/);
  });
});
