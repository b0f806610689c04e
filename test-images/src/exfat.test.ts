/**
 * exFAT: a card written by our own writer (no mkfs.exfat is needed), carved
 * by the CLI: deleted files keep their whole names and times, a live file
 * fragmented in its FAT chain is rebuilt from the chain, --free-space-only
 * skips the live files.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { SAMPLES_DIR } from './demo-card.js';
import { writeExfatImage, type ExfatFile } from './exfat-writer.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-exfat-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rec {
  imgOffset: number;
  status: string;
  size: number;
  byteRuns: { imgOffset: number; length: number }[];
  notes: string[];
  allocation?: string;
  fs?: { path: string; name: string; deleted: boolean; modified: string | null; created: string | null; lfn: boolean; match: string };
}

function scan(image: string, out: string, extra: string[] = []): { files: Rec[]; summary: { bytesScanned: number; fs: { type: string; liveEntries: number; deletedEntries: number } | null } } {
  const r = spawnSync(process.execPath, [CLI, 'scan', image, '-o', out, '--progress', 'none', '-q', ...extra], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8'));
}

describe('exFAT', () => {
  it('names, times, deletion and chains come from the exFAT entries', () => {
    const sample = (n: number): Uint8Array => readFileSync(join(SAMPLES_DIR, `IMG_000${n}.JPG`));
    const t = (d: number): Date => new Date(Date.UTC(2024, 3, d, 10, 20, 31, 250));
    const files: ExfatFile[] = [
      { path: 'DCIM/100EXFAT/Photo one.jpg', bytes: sample(1), mtime: t(1) },
      { path: 'DCIM/100EXFAT/Second photo with a rather long name.jpg', bytes: sample(2), mtime: t(2), deleted: true },
      { path: 'DCIM/100EXFAT/IMG_0004.JPG', bytes: sample(4), mtime: t(4), fragments: 3 },
      { path: 'DCIM/100EXFAT/Ünïcödé 📷.jpg', bytes: sample(6), mtime: t(6), deleted: true },
      { path: 'notes.txt', bytes: new TextEncoder().encode('exfat card\n'.repeat(100)), mtime: t(9) },
    ];
    const image = join(work, 'card.img');
    const layout = writeExfatImage(image, files, { label: 'EXCARD' });
    const full = scan(image, join(work, 'out'));
    expect(full.summary.fs).toMatchObject({ type: 'exFAT', liveEntries: 3, deletedEntries: 2 });
    for (const [i, f] of files.entries()) {
      if (!f.path.endsWith('.jpg') && !f.path.endsWith('.JPG')) continue;
      const at = layout.files[i]!.runs[0]!.imgOffset;
      const rec = full.files.find((r) => r.imgOffset === at)!;
      expect(rec, f.path).toBeDefined();
      expect(rec.status, f.path).toBe('complete');
      expect(rec.fs, f.path).toMatchObject({ path: f.path, name: f.path.split('/').pop(), deleted: !!f.deleted, lfn: true, match: 'exact' });
      // exFAT keeps 10 ms and the zone: the time comes back as written.
      expect(rec.fs!.modified, f.path).toBe(f.mtime!.toISOString());
      expect(rec.fs!.created, f.path).toBe(f.mtime!.toISOString());
      expect(rec.allocation, f.path).toBe(f.deleted ? 'unallocated' : 'allocated');
      expect(rec.byteRuns.map((r) => [r.imgOffset, r.length]), f.path).toEqual(layout.files[i]!.runs.map((r) => [r.imgOffset, r.length]));
    }
    // The fragmented live file was rebuilt from its FAT chain, not searched for.
    const frag = full.files.find((r) => r.imgOffset === layout.files[2]!.runs[0]!.imgOffset)!;
    expect(frag.notes.some((n) => /cluster chain of DCIM\/100EXFAT\/IMG_0004\.JPG/.test(n)), frag.notes.join('; ')).toBe(true);

    const free = scan(image, join(work, 'out-free'), ['--free-space-only']);
    expect(free.files.map((r) => r.fs?.name).sort()).toEqual(['Second photo with a rather long name.jpg', 'Ünïcödé 📷.jpg']);
    expect(free.summary.bytesScanned).toBeLessThan(full.summary.bytesScanned);
  });
});
