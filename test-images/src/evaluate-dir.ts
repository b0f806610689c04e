/**
 * Scores any folder of recovered files against an image's ground truth, so
 * carvers that write no rawcarve report.json (PhotoRec, foremost, scalpel) are
 * judged by the same rules: exact = a truth file's SHA-256 appears, partial =
 * a recovered file is a proper prefix of a truth file, junk = anything else.
 */
import { createHash } from 'node:crypto';
import { closeSync, lstatSync, openSync, readdirSync, readSync } from 'node:fs';
import { join, relative } from 'node:path';
import type { Evaluation } from './evaluate.js';
import type { GroundTruth, TruthFile } from './truth.js';

/**
 * Shorter files than this are never counted as partial: without offsets to
 * anchor them, a few header bytes are a prefix of every file of their type.
 */
const MIN_PARTIAL = 4096;
/** Bounds the image reads per recovered file should many truth files share a head. */
const MAX_PREFIX_CHECKS = 4;
const CHUNK = 1 << 20;

export interface DirEvaluation extends Evaluation {
  recoveredFiles: number;
  recoveredBytes: number;
}

export interface EvaluateDirOptions {
  truth: GroundTruth;
  dir: string;
  /** Paths relative to `dir` that are the tool's own logs, not recovered files. */
  ignore?: (relPath: string) => boolean;
}

interface Recovered {
  path: string;
  size: number;
  sha256: string;
  /** SHA-256 of the first MIN_PARTIAL bytes, when the file has that many. */
  head: string | undefined;
}

export function evaluateDir(opts: EvaluateDirOptions): DirEvaluation {
  const recovered = listFiles(opts.dir)
    .filter((p) => !opts.ignore?.(relative(opts.dir, p)))
    .map(hashFile);
  const considered = opts.truth.files.filter((f) => f.type !== 'other');
  const ev: DirEvaluation = {
    truthFiles: opts.truth.files.length, intact: 0, exact: [], partial: [], missing: [], junk: [], byLayout: {}, byType: {},
    recoveredFiles: recovered.length, recoveredBytes: recovered.reduce((n, r) => n + r.size, 0),
  };
  const recoveredShas = new Set(recovered.map((r) => r.sha256));
  for (const t of considered) {
    const hit = recoveredShas.has(t.sha256);
    for (const [rec, key] of [[ev.byLayout, t.layout], [ev.byType, t.type]] as const) {
      const r = (rec[key] ??= { intact: 0, exact: 0 });
      if (t.intact) r.intact++;
      if (hit) r.exact++;
    }
    if (t.intact) ev.intact++;
    if (hit) ev.exact.push(t.id);
  }
  // Truth files of type "other" are not scored, but a copy of one is not junk either.
  const truthShas = new Set(opts.truth.files.map((t) => t.sha256));
  const fd = openSync(opts.truth.image, 'r');
  try {
    const heads = indexHeads(fd, considered);
    for (const r of recovered) {
      if (truthShas.has(r.sha256)) continue;
      const owner = prefixOwner(fd, r, heads);
      if (owner) ev.partial.push({ id: owner.id, recovered: relative(opts.dir, r.path) });
      else ev.junk.push(relative(opts.dir, r.path));
    }
  } finally {
    closeSync(fd);
  }
  const found = new Set([...ev.exact, ...ev.partial.map((p) => p.id)]);
  ev.missing = considered.filter((t) => !found.has(t.id)).map((t) => t.id);
  return ev;
}

/** Regular files under `dir`, depth first; symlinks are not followed. */
export function listFiles(dir: string): string[] {
  const out: string[] = [];
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    if (e.isDirectory()) out.push(...listFiles(p));
    else if (e.isFile()) out.push(p);
  }
  return out;
}

/** Full and head hashes in one chunked pass, so multi-GB outputs never sit in memory. */
function hashFile(path: string): Recovered {
  const size = lstatSync(path).size;
  const full = createHash('sha256');
  const head = size >= MIN_PARTIAL ? createHash('sha256') : undefined;
  const buf = Buffer.allocUnsafe(CHUNK);
  const fd = openSync(path, 'r');
  try {
    let pos = 0;
    for (;;) {
      const n = readSync(fd, buf, 0, CHUNK, pos);
      if (n === 0) break;
      full.update(buf.subarray(0, n));
      if (head && pos < MIN_PARTIAL) head.update(buf.subarray(0, Math.min(n, MIN_PARTIAL - pos)));
      pos += n;
    }
  } finally {
    closeSync(fd);
  }
  return { path, size, sha256: full.digest('hex'), head: head?.digest('hex') };
}

/** Truth files by the hash of their first MIN_PARTIAL bytes as laid out in the image. */
function indexHeads(fd: number, files: TruthFile[]): Map<string, TruthFile[]> {
  const heads = new Map<string, TruthFile[]>();
  for (const t of files) {
    const h = hashPrefix(fd, t, MIN_PARTIAL);
    if (h === '') continue;
    const list = heads.get(h);
    if (list) list.push(t);
    else heads.set(h, [t]);
  }
  return heads;
}

/** The truth file `r` is a proper prefix of, if any. */
function prefixOwner(fd: number, r: Recovered, heads: Map<string, TruthFile[]>): TruthFile | undefined {
  if (r.head === undefined) return undefined;
  const candidates = (heads.get(r.head) ?? []).filter((t) => r.size < t.size).slice(0, MAX_PREFIX_CHECKS);
  return candidates.find((t) => hashPrefix(fd, t, r.size) === r.sha256);
}

/**
 * SHA-256 of the first `n` bytes of a truth file, read from the image along its
 * fragments; '' when the image holds fewer than `n` of its bytes (truncated).
 */
function hashPrefix(fd: number, t: TruthFile, n: number): string {
  const h = createHash('sha256');
  const buf = Buffer.allocUnsafe(Math.min(CHUNK, Math.max(n, 1)));
  let left = n;
  for (const fr of t.fragments) {
    // A gap in the file's bytes (a lost middle fragment) ends the prefix there.
    if (fr.fileOffset !== n - left) return '';
    let done = 0;
    while (left > 0 && done < fr.length) {
      const want = Math.min(left, fr.length - done, buf.length);
      const got = readSync(fd, buf, 0, want, fr.imgOffset + done);
      if (got === 0) return '';
      h.update(buf.subarray(0, got));
      done += got;
      left -= got;
    }
    if (left <= 0) break;
  }
  return left > 0 ? '' : h.digest('hex');
}
