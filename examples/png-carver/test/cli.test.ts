/**
 * End to end through the real command: the plugin is loaded by path with
 * --plugin, PNGs planted in an image (one of them in two fragments with
 * another file between) come back byte-exact, and `rawcarve types` lists it.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildImage, type Placement } from '@rawcarve/core/testing';
import { handmadePngs, imageMagickPngs, makePng } from './pngs.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/bin/rawcarve.js');
const PLUGIN = './examples/png-carver';
const built = existsSync(join(ROOT, 'packages/cli/dist/main.js')) && existsSync(join(ROOT, 'examples/png-carver/dist/index.js'));
const work = mkdtempSync(join(tmpdir(), 'rawcarve-png-e2e-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const sha = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
const rawcarve = (args: string[]) => spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8' });
const CLUSTER = 4096;

interface Planted {
  name: string;
  bytes: Uint8Array;
  offset: number;
}

describe.skipIf(!built)('rawcarve scan --plugin ./examples/png-carver (needs `npm run build`)', () => {
  const planted: Planted[] = [];
  let image = '';
  let split: Planted;

  beforeAll(() => {
    const samples = [...handmadePngs().slice(0, 4), ...imageMagickPngs().slice(0, 4)];
    // A big PNG, cut after its second cluster; another PNG sits between its pieces, then a zero cluster.
    const big = makePng({ width: 300, height: 200, colorType: 2, bitDepth: 8, seed: 21, idatSize: 16384 });
    const placements: Placement[] = [];
    let at = 3 * CLUSTER;
    const place = (name: string, bytes: Uint8Array): number => {
      const offset = at;
      placements.push({ offset, bytes });
      at = Math.ceil((at + bytes.length) / CLUSTER) * CLUSTER + ((planted.length % 3) * CLUSTER);
      return offset;
    };
    for (const s of samples) planted.push({ name: s.name, bytes: s.bytes, offset: place(s.name, s.bytes) });
    const cut = 2 * CLUSTER;
    split = { name: 'fragmented 300x200', bytes: big, offset: place('head', big.subarray(0, cut)) };
    at = split.offset + cut; // the head fills its clusters: the next file starts right after it
    const between = makePng({ width: 90, height: 70, colorType: 6, bitDepth: 8, seed: 22 });
    planted.push({ name: 'between the pieces', bytes: between, offset: place('between', between) });
    at += CLUSTER; // a zero cluster before the second piece
    const tailAt = at;
    placements.push({ offset: tailAt, bytes: big.subarray(cut) });
    planted.push(split);
    const size = Math.ceil((tailAt + big.length) / CLUSTER) * CLUSTER + 8 * CLUSTER;
    const img = buildImage(size, [{ offset: tailAt - CLUSTER, bytes: new Uint8Array(CLUSTER) }, ...placements], 77, 'random');
    image = join(work, 'card.img');
    writeFileSync(image, img);
  });

  it('carves every PNG byte-exact, rebuilding the fragmented one from two runs', () => {
    const out = join(work, 'out');
    const r = rawcarve(['scan', image, '-o', out, '--plugin', PLUGIN, '--progress', 'none', '--jobs', '2']);
    expect(r.status, r.stderr).toBe(0);
    const width = 10;
    const expected = planted.map((p) => `f${String(p.offset).padStart(width, '0')}.png`).sort();
    expect(readdirSync(join(out, 'files', 'png')).sort()).toEqual(expected);
    for (const p of planted) {
      const got = readFileSync(join(out, 'files', 'png', `f${String(p.offset).padStart(width, '0')}.png`));
      expect(sha(got), p.name).toBe(sha(p.bytes));
    }
    const report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as {
      files: { imgOffset: number; type: string; status: string; byteRuns: unknown[]; carver: { name: string; version: string }; typeCheck: { matches: boolean }; metadata: Record<string, unknown> }[];
    };
    const pngs = report.files.filter((f) => f.type === 'png');
    expect(pngs.every((f) => f.status === 'complete' && f.typeCheck.matches && f.carver.version === '1.0.0')).toBe(true);
    const rebuilt = pngs.find((f) => f.imgOffset === split.offset)!;
    expect(rebuilt.byteRuns).toHaveLength(2);
    expect(rebuilt.metadata).toMatchObject({ width: 300, height: 200, colorModel: 'truecolour' });
  });

  it('`rawcarve types --plugin` lists the plugin with its version and where it came from', () => {
    const r = rawcarve(['types', '--plugin', PLUGIN]);
    expect(r.status, r.stderr).toBe(0);
    const line = r.stdout.split('\n').find((l) => l.startsWith('png '));
    expect(line).toMatch(/^png\s+1\.0\.0\s+png\s+.*examples\/png-carver/);
    expect(r.stdout).toMatch(/^jpeg\s+\S+\s+jpg,jpeg\s+built-in/m);
  });
});
