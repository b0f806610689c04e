/**
 * File-system aware recovery end to end: a FAT32 card made by mkfs.vfat and
 * mtools from ../shared/media (half the files deleted, long names among
 * them, known write times), carved with and without --free-space-only.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { evaluate } from './evaluate.js';
import { buildFatCard } from './fat-card.js';
import { listMedia } from './raw-lab.js';
import type { GroundTruth, TruthFile } from './truth.js';

const ROOT = resolve(import.meta.dirname, '../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const MEDIA = resolve(ROOT, '../shared/media');
const SCHEMA = resolve(ROOT, '../shared/dfxml/dfxml.xsd');
const has = (t: string): boolean => spawnSync('which', [t]).status === 0;
const TYPES = ['jpeg', 'heic', 'mov', 'mp4'];
const ready = existsSync(join(MEDIA, 'jpeg')) && ['mkfs.vfat', 'mcopy', 'xmllint'].every(has);
if (!ready) console.warn('fs-recovery tests skipped: they need ../shared/media, mkfs.vfat, mtools and xmllint');

const work = mkdtempSync(join(tmpdir(), 'rawcarve-fs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

interface Rec {
  path: string;
  status: string;
  imgOffset: number;
  duplicates: number[];
  allocation?: string;
  fs?: { path: string; name: string; deleted: boolean; created: string | null; modified: string | null; accessed: string | null; lfn: boolean; match: string };
}
interface Report {
  files: Rec[];
  options: { freeSpaceOnly?: boolean };
  summary: { bytesScanned: number; elapsedSeconds: number; fs: { type: string; matchedDeleted: number; freeBytes: number } | null };
}

function scan(truth: GroundTruth, name: string, extra: string[]): Report {
  const out = join(work, name);
  const r = spawnSync(process.execPath, [CLI, 'scan', truth.image, '-o', out, '--progress', 'none', '-q', ...extra], { encoding: 'utf8' });
  expect(r.status, r.stderr).toBe(0);
  const xml = spawnSync('xmllint', ['--noout', '--schema', SCHEMA, join(out, 'report.xml')], { encoding: 'utf8' });
  expect(xml.status, xml.stderr).toBe(0);
  return JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;
}

/** The name a report gives an entry: a deleted 8.3 name loses its first letter (`_`); a long name comes back whole. */
function expectedName(f: TruthFile): string {
  const name = f.fsName!;
  const is83 = /^[A-Z0-9_~-]{1,8}(\.[A-Z0-9_~-]{1,3})?$/.test(name);
  return f.deleted && is83 ? `_${name.slice(1)}` : name;
}

describe.skipIf(!ready)('file-system aware recovery on a FAT32 card from ../shared/media', () => {
  it('deleted files keep their original names and times, live ones their paths; --free-space-only recovers every deleted file and scans less', { timeout: 600_000 }, () => {
    const truth = buildFatCard({ files: listMedia(MEDIA, TYPES), outFile: join(work, 'card.img'), seed: 11, fragment: false });
    const deleted = truth.files.filter((f) => f.intact && f.deleted);
    const live = truth.files.filter((f) => f.intact && !f.deleted);
    expect(deleted.length).toBeGreaterThan(5);
    expect(live.length).toBeGreaterThan(5);
    expect(truth.files.some((f) => f.deleted && /[a-z ]/.test(f.fsName!))).toBe(true); // a deleted long name among them

    const full = scan(truth, 'out-full', []);
    expect(full.summary.fs?.type).toBe('FAT32');
    for (const f of truth.files.filter((x) => x.intact)) {
      const start = f.fragments[0]!.imgOffset;
      const rec = full.files.find((r) => r.imgOffset === start);
      if (!rec) {
        expect(full.files.some((r) => r.duplicates.includes(start)), `${f.id} comes back (or as a duplicate)`).toBe(true);
        continue;
      }
      const dir = f.fsPath!.split('/').slice(0, -1).join('/');
      expect(rec.fs, f.id).toBeDefined();
      expect(rec.fs!.path, f.id).toBe(`${dir}/${expectedName(f)}`);
      expect(rec.fs!.deleted, f.id).toBe(f.deleted);
      expect(rec.fs!.modified, f.id).toBe(f.modified);
      expect(rec.fs!.created, f.id).toBe(f.modified); // mcopy -m writes the creation time as the write time
      expect(rec.fs!.accessed, f.id).toBe(f.modified!.slice(0, 10));
      expect(rec.allocation, f.id).toBe(f.deleted ? 'unallocated' : 'allocated');
    }
    // Names from the image go into the reports only: every file on disk is named by its image offset.
    for (const r of full.files) expect(r.path).toMatch(/^files\/[a-z0-9]+\/f\d+\.[a-z0-9]+$/);
    const written = readdirSync(join(work, 'out-full', 'files'), { recursive: true, withFileTypes: true }).filter((e) => e.isFile());
    expect(written.length).toBe(full.files.length);
    for (const e of written) expect(e.name).toMatch(/^f\d+\.[a-z0-9]+$/);

    const free = scan(truth, 'out-free', ['--free-space-only']);
    expect(free.options.freeSpaceOnly).toBe(true);
    const ev = evaluate({ truth, outDir: join(work, 'out-free') });
    for (const f of deleted) {
      expect(ev.exact, f.id).toContain(f.id);
      const rec = free.files.find((r) => r.imgOffset === f.fragments[0]!.imgOffset);
      if (rec) expect(rec.fs?.name, f.id).toBe(expectedName(f));
    }
    // Live files are not carved again: nothing found in free space matches a live entry.
    expect(free.files.filter((r) => r.fs && !r.fs.deleted)).toEqual([]);
    expect(ev.junk).toEqual([]);
    expect(free.summary.bytesScanned).toBeLessThan(full.summary.bytesScanned);
    console.log(
      `FAT32 card ${truth.size} bytes, ${deleted.length} deleted and ${live.length} live files: full scan ${full.summary.bytesScanned} bytes in ${full.summary.elapsedSeconds} s, ` +
        `${full.files.length} files; --free-space-only ${free.summary.bytesScanned} bytes in ${free.summary.elapsedSeconds} s, ${free.files.length} files (${ev.exact.length} exact)`,
    );
  });
});
