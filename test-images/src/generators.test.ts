import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, readFileSync, readSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { buildDemoCard } from './demo-card.js';
import { evaluate } from './evaluate.js';
import { buildFatCard } from './fat-card.js';
import { mulberry32 } from './prng.js';
import { buildRawLab, listMedia } from './raw-lab.js';
import type { GroundTruth, TruthFile } from './truth.js';

const MEDIA = resolve(import.meta.dirname, '../../../shared/media');
const SAMPLES = resolve(import.meta.dirname, '../samples');
const has = (t: string): boolean => spawnSync('which', [t]).status === 0;
const work = mkdtempSync(join(tmpdir(), 'rawcarve-gen-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** Reads a truth file back from the image along its fragments. */
function readBack(image: string, f: TruthFile): Buffer {
  const fd = openSync(image, 'r');
  const parts = f.fragments.map((fr) => {
    const b = Buffer.alloc(fr.length);
    readSync(fd, b, 0, fr.length, fr.imgOffset);
    return b;
  });
  closeSync(fd);
  return Buffer.concat(parts);
}

function expectIntactFilesReadBack(truth: GroundTruth): void {
  for (const f of truth.files.filter((x) => x.intact)) {
    expect(f.fragments.reduce((n, fr) => n + fr.length, 0), f.id).toBe(f.size);
    expect(sha(readBack(truth.image, f)), f.id).toBe(f.sha256);
  }
}

describe('prng', () => {
  it('is deterministic per seed and differs across seeds', () => {
    const a = mulberry32(42);
    const b = mulberry32(42);
    const c = mulberry32(43);
    const xs = Array.from({ length: 5 }, () => a());
    expect(Array.from({ length: 5 }, () => b())).toEqual(xs);
    expect(Array.from({ length: 5 }, () => c())).not.toEqual(xs);
  });
});

describe('demo card (pure TypeScript FAT32 writer)', () => {
  it('puts every sample at its truth offset, and deleted ones are gone from the directory but not from the disk', async () => {
    const image = join(work, 'demo.img');
    const truth = await buildDemoCard({ outFile: image });
    expect(truth.files.filter((f) => f.deleted).length).toBeGreaterThan(0);
    expectIntactFilesReadBack(truth);
    if (has('fsck.vfat')) {
      const fsck = spawnSync('fsck.vfat', ['-n', image], { encoding: 'utf8' });
      expect(fsck.status, fsck.stdout + fsck.stderr).toBe(0);
    }
    if (has('mdir')) {
      const env = { ...process.env, MTOOLS_SKIP_CHECK: '1' };
      const listing = execFileSync('mdir', ['-i', image, '-b', '::/DCIM/100DEMO'], { encoding: 'utf8', env });
      for (const f of truth.files.filter((x) => x.fsPath?.startsWith('DCIM'))) {
        expect(listing.includes(f.fsPath!.split('/').pop()!), f.id).toBe(!f.deleted);
      }
      const live = truth.files.find((f) => !f.deleted && f.type === 'jpeg')!;
      const copy = join(work, 'copy.jpg');
      execFileSync('mcopy', ['-i', image, `::/${live.fsPath}`, copy], { env });
      expect(sha(readFileSync(copy))).toBe(live.sha256);
    }
  });
});

describe('raw lab image', () => {
  it('places files contiguously or fragmented as the truth says, with intact files readable back', () => {
    const samples = ['IMG_0001.JPG', 'IMG_0002.JPG', 'IMG_0004.JPG', 'IMG_0006.JPG', 'IMG_0008.JPG'].map((n) => join(SAMPLES, n));
    for (const fragmented of [false, true]) {
      for (const seed of [1, 2, 3]) {
        const truth = buildRawLab({ mediaDir: SAMPLES, files: samples, outFile: join(work, `lab-${seed}-${fragmented}.img`), seed, fragmented });
        expect(truth.files).toHaveLength(samples.length);
        expectIntactFilesReadBack(truth);
        if (!fragmented) expect(truth.files.every((f) => f.layout === 'contiguous' && f.fragments.length === 1)).toBe(true);
        for (const f of truth.files) {
          for (const fr of f.fragments) expect(fr.imgOffset % 512).toBe(0);
        }
      }
    }
  });

  it.skipIf(!existsSync(MEDIA))('covers every DFRWS-2007 layout when fragmented (../shared/media)', () => {
    const truth = buildRawLab({ mediaDir: MEDIA, types: ['jpeg'], outFile: join(work, 'lab-media.img'), seed: 7, fragmented: true });
    const layouts = new Set(truth.files.map((f) => f.layout));
    for (const l of ['contiguous', 'bifragment', 'three-fragment', 'out-of-order', 'interleaved', 'truncated']) expect(layouts.has(l as never), l).toBe(true);
    expectIntactFilesReadBack(truth);
  });
});

describe.skipIf(!has('mkfs.vfat') || !has('mcopy'))('FAT32 card from mkfs.vfat + mtools', () => {
  it('truth follows the real cluster chains, fragmented ones included', () => {
    const samples = ['IMG_0002.JPG', 'IMG_0004.JPG', 'IMG_0006.JPG', 'IMG_0008.JPG', 'IMG_0001.JPG'].map((n) => join(SAMPLES, n));
    const truth = buildFatCard({ files: samples, outFile: join(work, 'card.img'), seed: 5, fragment: true });
    expectIntactFilesReadBack(truth);
    expect(truth.files.some((f) => f.fragments.length > 1)).toBe(true);
    expect(truth.files.some((f) => f.deleted)).toBe(true);
  });
});

describe('evaluate', () => {
  it('classifies exact, partial and junk outputs', async () => {
    const image = join(work, 'eval.img');
    const truth = await buildDemoCard({ outFile: image });
    const [a, b] = truth.files.filter((f) => f.type === 'jpeg');
    const out = join(work, 'eval-out');
    mkdirSync(out, { recursive: true });
    const aBytes = readBack(image, a!);
    const bPrefix = readBack(image, b!).subarray(0, 1000);
    const junk = Buffer.from('not a photo');
    const rec = (path: string, bytes: Buffer, imgOffset: number) => ({ path, type: 'jpeg', status: 'complete', size: bytes.length, imgOffset, sha256: sha(bytes), duplicates: [] });
    writeFileSync(
      join(out, 'report.json'),
      JSON.stringify({ files: [rec('files/jpeg/a.jpg', aBytes, a!.fragments[0]!.imgOffset), rec('files/jpeg/b.jpg', bPrefix, b!.fragments[0]!.imgOffset), rec('files/jpeg/j.jpg', junk, 0)] }),
    );
    const ev = evaluate({ truth, outDir: out });
    expect(ev.exact).toEqual([a!.id]);
    expect(ev.partial).toEqual([{ id: b!.id, recovered: 'files/jpeg/b.jpg' }]);
    expect(ev.junk).toEqual(['files/jpeg/j.jpg']);
    expect(ev.missing).not.toContain(b!.id);
    expect(ev.missing).toHaveLength(truth.files.filter((f) => f.type === 'jpeg').length - 2);
  });
});
