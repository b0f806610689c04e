import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BOX_BUDGET_DEFAULTS, DEFAULT_BUDGET } from '@rawcarve/core';
// The bounds the carvers use, from where they are defined (the report must list these, not copies).
import { BOX_BUDGET as HEIC_BOX_BUDGET } from '../../carvers/src/heic/index.js';
import { MAX_PROGRESSIVE_BLOCKS, MAX_PROGRESSIVE_VISITS } from '../../carvers/src/jpeg/entropy.js';
import { MAX_SCANS, MAX_SEGMENTS } from '../../carvers/src/jpeg/walk.js';
import { CONTENT_CHECKS, NAL_BUDGET, PAYLOAD_BUDGET as MOV_PAYLOAD_BUDGET } from '../../carvers/src/mov/audit.js';
import { PAYLOAD_BUDGET as HEIC_PAYLOAD_BUDGET } from '../../carvers/src/heic/items.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const hasCjpeg = spawnSync('which', ['cjpeg']).status === 0;
const work = mkdtempSync(join(tmpdir(), 'rawcarve-limits-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

const run = (args: string[], cwd = work) => spawnSync(process.execPath, [CLI, ...args], { encoding: 'utf8', cwd });

interface Report {
  options: { limits?: { maxFileSize: Record<string, number>; carvers?: Record<string, Record<string, number>>; reassembly?: Record<string, number> } };
  files: { imgOffset: number; status: string; size: number; notes: string[] }[];
  summary: { reassembly: { attempted: number; rebuilt: number; trials: number } };
  issues: { offset: number; message: string }[];
}
const report = (out: string): Report => JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as Report;

/** A 64 KiB-plus JPEG (noise compresses badly) at 4096 in a 1 MiB image. */
let image = '';
let jpegSize = 0;
beforeAll(() => {
  if (!hasCjpeg) return;
  const w = 256;
  const h = 256;
  const px = Buffer.alloc(w * h * 3);
  let x = 7;
  for (let i = 0; i < px.length; i++) px[i] = (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
  const jpeg = execFileSync('cjpeg', ['-quality', '95'], { input: Buffer.concat([Buffer.from(`P6\n${w} ${h}\n255\n`), px]) });
  jpegSize = jpeg.length;
  const img = Buffer.alloc(1024 * 1024);
  jpeg.copy(img, 4096);
  image = join(work, 'card.raw');
  writeFileSync(image, img);
  chmodSync(work, 0o755);
  chmodSync(image, 0o644);
});

describe.skipIf(!hasCjpeg)('--max-file-size (needs cjpeg)', () => {
  it('cuts a longer JPEG at the limit, reports it truncated, and lists the limits in report.json', () => {
    const out = join(work, 'limit');
    const r = run(['scan', image, '-o', out, '-q', '--no-gallery', '-t', 'jpeg', '--max-file-size', 'jpeg=16K']);
    expect(r.status, r.stderr).toBe(0);
    const rep = report(out);
    expect(jpegSize).toBeGreaterThan(16 * 1024);
    expect(rep.options.limits?.maxFileSize).toEqual({ jpeg: 16 * 1024 });
    expect(rep.files.map((f) => [f.imgOffset, f.status])).toEqual([[4096, 'truncated']]);
    expect(rep.files[0]!.size).toBeLessThanOrEqual(16 * 1024);
    expect(rep.files[0]!.notes.join(' ')).toMatch(/cut at the size limit of 16384 bytes for jpeg files/);
  });

  it('does not search a file cut by the limit for fragments: no reassembly trials, and the notes say why', () => {
    const out = join(work, 'limit-no-search');
    const r = run(['scan', image, '-o', out, '-q', '--no-gallery', '-t', 'jpeg', '--max-file-size', 'jpeg=16K']);
    expect(r.status, r.stderr).toBe(0);
    const rep = report(out);
    expect(rep.summary.reassembly).toMatchObject({ attempted: 0, rebuilt: 0, trials: 0 });
    expect(rep.files.map((f) => [f.imgOffset, f.status, f.size])).toEqual([[4096, 'truncated', 16 * 1024]]);
    expect(rep.files[0]!.notes.join(' ')).toMatch(/reassembly: not searched for fragments: cut at the size limit of 16384 bytes/);
    expect(rep.files[0]!.notes.join(' ')).not.toMatch(/trials/);
  });

  it('lists the fixed work bounds per candidate: each carver\'s and the reassembly budget, as the code uses them', () => {
    const out = join(work, 'bounds');
    expect(run(['scan', image, '-o', out, '-q', '--no-gallery', '--reassembly-time', '90']).status).toBe(0);
    const limits = report(out).options.limits!;
    expect(limits.carvers).toEqual({
      jpeg: { maxSegments: MAX_SEGMENTS, maxScans: MAX_SCANS, maxProgressiveBlocks: MAX_PROGRESSIVE_BLOCKS, maxProgressiveVisits: MAX_PROGRESSIVE_VISITS },
      heic: { maxBoxes: HEIC_BOX_BUDGET.boxes, maxBoxDepth: HEIC_BOX_BUDGET.maxDepth, maxPayloadBytes: HEIC_PAYLOAD_BUDGET },
      mov: { maxContentChecks: CONTENT_CHECKS, maxNalUnits: NAL_BUDGET, maxPayloadBytes: MOV_PAYLOAD_BUDGET, maxBoxes: BOX_BUDGET_DEFAULTS.boxes, maxBoxDepth: BOX_BUDGET_DEFAULTS.maxDepth },
    });
    expect(limits.reassembly).toEqual({
      maxTrials: DEFAULT_BUDGET.maxTrials, maxBytes: DEFAULT_BUDGET.maxBytes, maxMs: DEFAULT_BUDGET.maxMs, maxFragments: DEFAULT_BUDGET.maxFragments, maxPassMs: 90_000,
    });
  });

  it('without the option the whole JPEG is complete, under the carver\'s own limit', () => {
    const out = join(work, 'nolimit');
    expect(run(['scan', image, '-o', out, '-q', '--no-gallery', '-t', 'jpeg']).status).toBe(0);
    const rep = report(out);
    expect(rep.files.map((f) => [f.status, f.size])).toEqual([['complete', jpegSize]]);
    expect(rep.options.limits?.maxFileSize['jpeg']).toBe(256 * 1024 * 1024);
  });

  it('rejects a malformed or unknown limit with a usage error (exit 2)', () => {
    for (const bad of ['jpeg', 'jpeg=lots', 'gif=1M']) {
      const r = run(['scan', image, '-o', join(work, `bad-${bad}`), '-q', '--no-gallery', '--max-file-size', bad]);
      expect(r.status, `${bad}: ${r.stderr}`).toBe(2);
      expect(r.stderr).toMatch(/max-file-size/);
    }
  });

  it('loads no plugin it was not told to: carver-shaped modules in the working folder stay unread', () => {
    const cwd = join(work, 'cwd');
    const marker = join(work, 'plugin-was-loaded');
    const evil = `import { writeFileSync } from 'node:fs'; writeFileSync(${JSON.stringify(marker)}, 'x'); export default [];\n`;
    for (const p of ['plugins/evil.js', 'rawcarve-plugin.js', 'rawcarve.config.js', 'node_modules/rawcarve-plugin-evil/index.js', 'carvers/index.js', 'index.js']) {
      mkdirSync(join(cwd, p, '..'), { recursive: true });
      writeFileSync(join(cwd, p), evil);
    }
    writeFileSync(join(cwd, 'node_modules/rawcarve-plugin-evil/package.json'), JSON.stringify({ name: 'rawcarve-plugin-evil', type: 'module', main: 'index.js' }));
    writeFileSync(join(cwd, 'package.json'), JSON.stringify({ type: 'module' }));
    const r = run(['scan', image, '-o', join(work, 'noplugin'), '-q', '--no-gallery'], cwd);
    expect(r.status, r.stderr).toBe(0);
    expect(existsSync(marker)).toBe(false);
  });
});

/** Drop to nobody: setpriv (util-linux) or runuser; null when neither works here. */
function asNobody(): string[] | null {
  if (process.getuid?.() !== 0) return null;
  for (const pre of [['setpriv', '--reuid=65534', '--regid=65534', '--clear-groups', '--'], ['runuser', '-u', 'nobody', '--']]) {
    if (spawnSync(pre[0]!, [...pre.slice(1), 'true']).status === 0) return pre;
  }
  return null;
}
const nobody = asNobody();
if (!nobody) console.warn('limits-safety: the unprivileged-user test is skipped (needs root plus setpriv or runuser)');

describe.skipIf(!hasCjpeg || !nobody)('no root needed', () => {
  it('an unprivileged user scans a world-readable image into a folder of its own', () => {
    const outs = join(work, 'nobody-out');
    mkdirSync(outs, { mode: 0o777 });
    chmodSync(outs, 0o777);
    const out = join(outs, 'run');
    const r = spawnSync(nobody![0]!, [...nobody!.slice(1), process.execPath, CLI, 'scan', image, '-o', out, '-q', '--no-gallery', '-j', '1'], { encoding: 'utf8', cwd: outs });
    expect(r.status, r.stderr).toBe(0);
    expect(report(out).files.map((f) => f.status)).toEqual(['complete']);
  });
});
