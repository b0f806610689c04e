import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FileRecord, ScanReport } from '@rawcarve/core';
import { afterAll, describe, expect, it } from 'vitest';
import { encodeJpeg } from './codec.js';
import { makeThumbnails, thumbBase } from './phase.js';

const work = mkdtempSync(join(tmpdir(), 'rawcarve-phase-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function outDir(name: string, n: number): { dir: string; report: ScanReport } {
  const dir = join(work, name);
  mkdirSync(join(dir, 'files/jpeg'), { recursive: true });
  const files: FileRecord[] = [];
  for (let i = 0; i < n; i++) {
    const data = new Uint8Array(800 * 600 * 4).map((_, k) => (k % 4 === 3 ? 255 : (k * (i + 1)) % 253));
    const bytes = encodeJpeg({ width: 800, height: 600, data });
    const path = `files/jpeg/f${String(i * 512).padStart(10, '0')}.jpg`;
    writeFileSync(join(dir, path), bytes);
    files.push({ path, type: 'jpeg', size: bytes.length, imgOffset: i * 512, byteRuns: [{ imgOffset: i * 512, fileOffset: 0, length: bytes.length }], metadata: {} } as unknown as FileRecord);
  }
  return { dir, report: { files } as ScanReport };
}

describe('the thumbnail phase', () => {
  it('makes every thumbnail in the worker pool and counts how', async () => {
    const { dir, report } = outDir('ok', 3);
    const run = await makeThumbnails({ outDir: dir, report, imagePath: null, jobs: 2, ffmpeg: null });
    expect(run.summary).toMatchObject({ files: 3, decoded: 3, embedded: 0, placeholders: 0, failed: 0 });
    for (const f of report.files) {
      const t = run.thumbs.get(f.path)!;
      expect(t.src).toBe(`${thumbBase(f)}.jpg`);
      expect(readFileSync(join(dir, t.src)).subarray(0, 2)).toEqual(Buffer.from([0xff, 0xd8]));
    }
  });

  it('ends a thumbnail that takes too long (its worker is stopped) and gives it a placeholder', async () => {
    const { dir, report } = outDir('slow', 2);
    const run = await makeThumbnails({ outDir: dir, report, imagePath: null, jobs: 1, perFileMs: 1, ffmpeg: null });
    expect(run.summary).toMatchObject({ files: 2, placeholders: 2, failed: 2 });
    expect([...run.thumbs.values()].every((t) => t.src.endsWith('.svg') && /longer than/.test(t.error ?? ''))).toBe(true);
  });

  it('gives placeholders to what is left when the phase budget runs out', async () => {
    const { dir, report } = outDir('budget', 2);
    const run = await makeThumbnails({ outDir: dir, report, imagePath: null, jobs: 1, budgetMs: 0, ffmpeg: null });
    expect([...run.thumbs.values()].every((t) => /budget ran out/.test(t.error ?? ''))).toBe(true);
  });
});
