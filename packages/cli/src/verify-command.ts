import { createHash } from 'node:crypto';
import { existsSync } from 'node:fs';
import { EwfSource, UsageError, openImageSource, type EwfInfo, type ImageSource } from '@rawcarve/core';
import { formatBytes, formatDuration } from './format.js';
import type { ProgressMode } from './progress.js';

/** Read size: large enough for throughput, small enough that memory stays flat whatever the image size. */
const PIECE = 4 * 1024 * 1024;
/** After a failed piece, re-read it in these steps so one bad chunk does not hide the rest. */
const SALVAGE = 64 * 1024;

type Algorithm = 'md5' | 'sha1' | 'sha256';
const LABEL: Record<Algorithm, string> = { md5: 'MD5', sha1: 'SHA1', sha256: 'SHA-256' };

export interface VerifyResult {
  kind: string;
  size: number;
  computed: Partial<Record<Algorithm, string>>;
  /** Hashes stored in the image (EWF); empty for raw images. */
  stored: Partial<Record<Algorithm, string>>;
  /** Regions that could not be read (hashed as zeros). */
  readErrors: { offset: number; message: string }[];
  /** True when every stored hash matched and all data was read; null when there was nothing to compare with. */
  ok: boolean | null;
}

/**
 * `rawcarve verify IMAGE`: reads the whole image through its source and
 * hashes it. An E01's MD5 (and SHA1 when stored) is compared with what the
 * acquiring tool stored; a raw or split image just gets MD5 and SHA-256 for
 * the examiner to compare with the acquisition notes.
 */
export function runVerify(image: string, opts: { progress?: ProgressMode }, out: NodeJS.WritableStream = process.stdout): VerifyResult {
  if (!existsSync(image)) throw new UsageError(`image ${image} not found; give an E01 file, a raw image or a block device`);
  const source = openImageSource(image);
  try {
    const ewf = source instanceof EwfSource ? source.info : null;
    const stored: VerifyResult['stored'] = { ...(ewf?.hashes.md5 ? { md5: ewf.hashes.md5 } : {}), ...(ewf?.hashes.sha1 ? { sha1: ewf.hashes.sha1 } : {}) };
    const algorithms: Algorithm[] = ewf ? ['md5', ...(stored.sha1 ? (['sha1'] as const) : [])] : ['md5', 'sha256'];
    out.write(describe(image, source, ewf));
    const { computed, readErrors } = hashImage(source, algorithms, opts.progress ?? 'auto');
    const compared = algorithms.filter((a) => stored[a] !== undefined);
    const ok = readErrors.length > 0 ? false : compared.length === 0 ? null : compared.every((a) => stored[a] === computed[a]);
    for (const a of algorithms) {
      const s = stored[a];
      const verdict = s === undefined ? '' : s === computed[a] ? '  matches the stored hash' : `  MISMATCH: stored ${s}`;
      out.write(`${(LABEL[a] + ':').padEnd(10)} ${computed[a]}${verdict}\n`);
    }
    for (const e of readErrors.slice(0, 20)) out.write(`unreadable: ${e.message}\n`);
    if (readErrors.length > 20) out.write(`unreadable: ... and ${readErrors.length - 20} more regions\n`);
    out.write(`${verdictLine(ok, ewf !== null, readErrors.length)}\n`);
    return { kind: source.kind, size: source.size, computed, stored, readErrors, ok };
  } finally {
    source.close();
  }
}

function verdictLine(ok: boolean | null, isEwf: boolean, errors: number): string {
  if (errors > 0) return `verification FAILED: ${errors} region(s) could not be read`;
  if (ok === true) return 'verified: the image data matches the stored hashes';
  if (ok === false) return 'verification FAILED: the image data does not match the stored hashes';
  return isEwf ? 'no hash stored in the image: nothing to compare with' : 'raw image: compare these hashes with the acquisition notes';
}

function describe(image: string, source: ImageSource, ewf: EwfInfo | null): string {
  const lines = [`image:     ${image} (${source.kind}${ewf ? `, ${ewf.segments.length} segment file(s)` : ''})`, `size:      ${source.size} bytes (${formatBytes(source.size)})`];
  if (ewf) {
    const c = ewf.case;
    const field = (label: string, v: string | undefined): void => {
      if (v) lines.push(`${(label + ':').padEnd(10)} ${v}`);
    };
    field('case', c?.caseNumber);
    field('evidence', c?.evidenceNumber);
    field('examiner', c?.examiner);
    field('desc', c?.description);
    field('notes', c?.notes);
    field('acquired', c?.acquiryDate && [c.acquiryDate, c.acquiryOperatingSystem, c.acquirySoftwareVersion].filter(Boolean).join(', '));
    lines.push(`geometry:  ${ewf.volume.sectorCount} sectors of ${ewf.volume.bytesPerSector} bytes, ${ewf.chunkSize}-byte chunks`);
    for (const e of ewf.acquiryErrors) lines.push(`acquiry error: ${e.sectorCount} sector(s) from sector ${e.firstSector} were unreadable when acquired`);
    for (const w of ewf.warnings) lines.push(`warning:   ${w}`);
  }
  return lines.join('\n') + '\n';
}

/** Streams the image through the hashes in {@link PIECE}-byte reads; unreadable regions are hashed as zeros and listed. */
function hashImage(source: ImageSource, algorithms: Algorithm[], progress: ProgressMode) {
  const hashes = algorithms.map((a) => createHash(a));
  const buf = new Uint8Array(PIECE);
  const readErrors: VerifyResult['readErrors'] = [];
  const report = progressLine(progress, source.size);
  for (let at = 0; at < source.size; at += PIECE) {
    const len = Math.min(PIECE, source.size - at);
    const piece = buf.subarray(0, len);
    readPiece(source, at, piece, readErrors);
    for (const h of hashes) h.update(piece);
    report(at + len);
  }
  report(source.size, true);
  const computed: VerifyResult['computed'] = {};
  algorithms.forEach((a, i) => (computed[a] = hashes[i]!.digest('hex')));
  return { computed, readErrors };
}

function readPiece(source: ImageSource, at: number, piece: Uint8Array, errors: VerifyResult['readErrors']): void {
  try {
    const n = source.readInto(at, piece, 0, piece.length);
    if (n < piece.length) {
      piece.fill(0, n);
      errors.push({ offset: at + n, message: `short read at image offset ${at + n}: the image ended early` });
    }
    return;
  } catch {
    // re-read in small steps below, to name each bad region
  }
  for (let off = 0; off < piece.length; off += SALVAGE) {
    const len = Math.min(SALVAGE, piece.length - off);
    try {
      source.readInto(at + off, piece, off, len);
    } catch (err) {
      piece.fill(0, off, off + len);
      const message = err instanceof Error ? err.message : String(err);
      // A bad chunk larger than a step fails every step it covers: list it once.
      if (errors[errors.length - 1]?.message !== message) errors.push({ offset: at + off, message });
    }
  }
}

/** Progress on stderr: an updated line on a terminal, a line every 5 s otherwise. */
function progressLine(mode: ProgressMode, total: number): (done: number, last?: boolean) => void {
  const tty = process.stderr.isTTY === true;
  if (mode === 'none') return () => undefined;
  const bar = mode === 'auto' && tty;
  const start = performance.now();
  let shown = start;
  return (done, last = false) => {
    const now = performance.now();
    if (!last && now - shown < (bar ? 200 : 5000)) return;
    shown = now;
    const s = (now - start) / 1000;
    const rate = s > 0 ? done / s : 0;
    const eta = rate > 0 ? (total - done) / rate : Infinity;
    const text = `verifying ${formatBytes(done)}/${formatBytes(total)} | ${formatBytes(rate)}/s | ETA ${formatDuration(eta)}`;
    process.stderr.write(bar ? `\r${text}${last ? '\n' : ''}` : `${text}\n`);
  };
}
