import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { makeTlv } from '../testing/tlv-carver.js';
import { scanImage } from './scan-image.js';

/**
 * Output failures on real file systems: a full disk is a tiny tmpfs, a folder
 * that refuses writes is `chattr +i` (refused even to root, with EPERM).
 * Both need root (mount, chattr); the tests skip with a message otherwise.
 */
const TLV_MODULE = pathToFileURL(resolve(import.meta.dirname, '../../dist/testing/tlv-carver.js')).href;
const work = mkdtempSync(join(tmpdir(), 'rawcarve-outfaults-'));
const mounts: string[] = [];
afterAll(() => {
  for (const m of mounts) tryRun('umount', [m]);
  rmSync(work, { recursive: true, force: true });
});

function tryRun(cmd: string, args: string[]): boolean {
  try {
    execFileSync(cmd, args, { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

function tmpfs(name: string, size: string): string | null {
  const dir = join(work, name);
  mkdirSync(dir);
  if (!tryRun('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir])) return null;
  mounts.push(dir);
  return dir;
}

const canMount = process.getuid?.() === 0 && tmpfs('probe', '64k') !== null;
if (!canMount) console.warn('output-faults: skipped (needs root and tmpfs mounts to fill a disk)');

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** 2 MiB image: twelve 120 KB TLV files, one every 160 KiB. */
function image(): { path: string; files: Map<number, string> } {
  const img = new Uint8Array(2 * 1024 * 1024).fill(0x11);
  const files = new Map<number, string>();
  for (let i = 0; i < 12; i++) {
    const f = makeTlv(new Uint8Array(120_000).fill(0x20 + i));
    img.set(f, i * 160 * 1024);
    files.set(i * 160 * 1024, sha(f));
  }
  const path = join(work, 'img.raw');
  writeFileSync(path, img);
  return { path, files };
}

/** Every file under files/ is whole (its name says its offset, its bytes are the planted file's); no .partial is left. */
function checkOutput(out: string, planted: Map<number, string>): number {
  const names = readdirSync(join(out, 'files', 'tlv'));
  expect(names.filter((n) => n.endsWith('.partial'))).toEqual([]);
  for (const n of names) expect(sha(readFileSync(join(out, 'files', 'tlv', n)))).toBe(planted.get(Number(/\d+/.exec(n)![0])));
  return names.length;
}

describe.skipIf(!canMount)('output write failures', () => {
  it('a full disk stops the run with a clear error, leaves no half-written file, and --resume finishes it once there is space', async () => {
    const { path, files } = image();
    const disk = tmpfs('full', '640k')!;
    const out = join(disk, 'out');
    await expect(scanImage({ imagePath: path, outDir: out, carverModules: [TLV_MODULE], pageSize: 256 * 1024, margin: 4096, jobs: 2, checkpointMs: 0 }))
      .rejects.toThrow(/no space left on device|ENOSPC/);
    expect(checkOutput(out, files)).toBeLessThan(12);
    expect(readFileSync(join(out, 'audit.log'), 'utf8')).toMatch(/ error message=".*(ENOSPC|no space)/);
    execFileSync('mount', ['-o', 'remount,size=8m', disk]);
    const r = await scanImage({ imagePath: path, outDir: out, carverModules: [TLV_MODULE], jobs: 2, resume: true });
    expect(r.files.map((f) => [f.imgOffset, f.status, f.sha256])).toEqual([...files].map(([o, h]) => [o, 'complete', h]));
    expect(checkOutput(out, files)).toBe(12);
  });

  it('a folder that refuses writes stops the run, names the file and says what to do; --resume finishes it', async () => {
    const { path, files } = image();
    const out = join(work, 'immutable');
    const dir = join(out, 'files', 'tlv');
    try {
      await expect(scanImage({ imagePath: path, outDir: out, carverModules: [TLV_MODULE], jobs: 2 }, {
        onStart: () => execFileSync('chattr', ['+i', dir]),
      })).rejects.toThrow(/writing .*f\d+\.tlv\.partial failed: .*(EPERM|EACCES).*not writable.*--resume/);
    } finally {
      tryRun('chattr', ['-i', dir]);
    }
    expect(checkOutput(out, files)).toBe(0);
    expect(statSync(join(out, 'audit.log')).size).toBeGreaterThan(0);
    const r = await scanImage({ imagePath: path, outDir: out, carverModules: [TLV_MODULE], jobs: 2, resume: true });
    expect(r.files).toHaveLength(12);
    expect(checkOutput(out, files)).toBe(12);
  });
});
