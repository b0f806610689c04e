/**
 * Scores a rawcarve output against an image's ground truth: which files came
 * back byte-exact, which only as a valid beginning (partial), which are
 * missing, and what was written that matches nothing (junk).
 */
import { createHash } from 'node:crypto';
import { closeSync, openSync, readFileSync, readSync } from 'node:fs';
import { join } from 'node:path';
import type { GroundTruth, TruthFile } from './truth.js';

interface ReportFile {
  path: string;
  type: string;
  status: string;
  size: number;
  imgOffset: number;
  sha256: string;
  duplicates: number[];
}

export interface Evaluation {
  truthFiles: number;
  intact: number;
  exact: string[];
  partial: { id: string; recovered: string }[];
  missing: string[];
  junk: string[];
  /** Per layout and per type: intact files and how many came back exact. */
  byLayout: Record<string, { intact: number; exact: number }>;
  byType: Record<string, { intact: number; exact: number }>;
}

export function evaluate(opts: { truth: GroundTruth; outDir: string; media?: boolean }): Evaluation {
  const report = JSON.parse(readFileSync(join(opts.outDir, 'report.json'), 'utf8')) as { files: ReportFile[] };
  const bySha = new Map<string, ReportFile>();
  for (const f of report.files) bySha.set(f.sha256, f);
  const ev: Evaluation = { truthFiles: opts.truth.files.length, intact: 0, exact: [], partial: [], missing: [], junk: [], byLayout: {}, byType: {} };
  const matched = new Set<ReportFile>();
  const considered = opts.truth.files.filter((f) => f.type !== 'other');
  for (const t of considered) {
    const hit = bySha.get(t.sha256);
    const bump = (rec: Record<string, { intact: number; exact: number }>, key: string): void => {
      const r = (rec[key] ??= { intact: 0, exact: 0 });
      if (t.intact) r.intact++;
      if (hit) r.exact++;
    };
    bump(ev.byLayout, t.layout);
    bump(ev.byType, t.type);
    if (t.intact) ev.intact++;
    if (hit) {
      ev.exact.push(t.id);
      matched.add(hit);
    }
  }
  // Anything else must be a valid beginning of a truth file starting at the same offset.
  const fd = openSync(opts.truth.image, 'r');
  try {
    for (const f of report.files) {
      if (matched.has(f)) continue;
      const owner = considered.find((t) => t.fragments[0]?.imgOffset === f.imgOffset && f.size < t.size);
      if (owner && hashPrefix(fd, owner, f.size) === f.sha256) {
        ev.partial.push({ id: owner.id, recovered: f.path });
        matched.add(f);
      } else ev.junk.push(f.path);
    }
  } finally {
    closeSync(fd);
  }
  const found = new Set([...ev.exact, ...ev.partial.map((p) => p.id)]);
  ev.missing = considered.filter((t) => !found.has(t.id)).map((t) => t.id);
  return ev;
}

/** SHA-256 of the first `n` bytes of a truth file, read from the image along its fragments. */
function hashPrefix(fd: number, t: TruthFile, n: number): string {
  const h = createHash('sha256');
  let left = n;
  for (const fr of t.fragments) {
    if (left <= 0) break;
    const len = Math.min(left, fr.length);
    const buf = Buffer.alloc(len);
    readSync(fd, buf, 0, len, fr.imgOffset);
    h.update(buf);
    left -= len;
  }
  return left > 0 ? '' : h.digest('hex');
}

export function formatEvaluation(ev: Evaluation): string {
  const pct = (a: number, b: number): string => (b === 0 ? '-' : `${((100 * a) / b).toFixed(0)}%`);
  const lines = [`exact ${ev.exact.length}/${ev.intact} intact (${pct(ev.exact.length, ev.intact)}), partial ${ev.partial.length}, missing ${ev.missing.length}, junk ${ev.junk.length}`];
  for (const [name, rec] of [['layout', ev.byLayout], ['type', ev.byType]] as const) {
    for (const [k, v] of Object.entries(rec)) lines.push(`  ${name} ${k.padEnd(15)} exact ${v.exact}/${v.intact} intact (${pct(v.exact, v.intact)})`);
  }
  if (ev.junk.length > 0) lines.push(`  junk: ${ev.junk.join(', ')}`);
  if (ev.missing.length > 0) lines.push(`  missing: ${ev.missing.join(', ')}`);
  return lines.join('\n');
}
