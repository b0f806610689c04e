import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { fileTypeFromBuffer } from 'file-type';
import xxhash from 'xxhash-wasm';
import type { XXHashAPI } from 'xxhash-wasm';
import type { ByteRun } from '../carver.js';
import type { ScanIssue } from '../scan/carve-page.js';
import type { ImageSource } from '../source/image-source.js';
import { readInto, type Unreadable } from './read-salvaging.js';

const CHUNK = 4 * 1024 * 1024;
/** file-type reads at most this many leading bytes. */
const SNIFF_BYTES = 4100;

let hasher: Promise<XXHashAPI> | null = null;
let buffer: Uint8Array | null = null;

export interface WrittenFile {
  size: number;
  sha256: string;
  md5: string;
  xxh64: string;
  head: Uint8Array;
  /** Bytes of the runs that could not be read: written as zeros, so the file is damaged, never complete. */
  unreadable: Unreadable[];
  /** One per unreadable range, naming its image offset. */
  issues: ScanIssue[];
}

/**
 * Copies a carved file's byte runs from the image to `path`, hashing in the
 * same pass (SHA-256 and MD5 for the report, xxHash64 for deduplication; all
 * streamed, so hashing a 4 GB video needs no 4 GB buffer and no second read).
 * The bytes go to `<path>.partial` first and are renamed only when complete,
 * so an interrupted run never leaves a short file under a final name.
 * With `path` null (--report-only) the bytes are read and hashed, not written.
 * Unreadable image bytes (I/O errors, short reads) are written as zeros and
 * returned in `unreadable`; a failed write (disk full, no permission) removes
 * the partial file and throws an error saying what to do.
 */
export async function copyRuns(source: ImageSource, runs: readonly ByteRun[], path: string | null): Promise<WrittenFile> {
  const xx = (await (hasher ??= xxhash())).create64();
  const sha = createHash('sha256');
  const md5 = createHash('md5');
  buffer ??= new Uint8Array(CHUNK);
  const head = new Uint8Array(SNIFF_BYTES);
  let headLen = 0;
  let size = 0;
  const partial = path === null ? null : `${path}.partial`;
  const unreadable: Unreadable[] = [];
  const issues: ScanIssue[] = [];
  const out = partial === null ? null : { path: partial, fd: openForWrite(partial), open: true };
  try {
    for (const run of runs) {
      for (let done = 0; done < run.length; ) {
        const n = Math.min(CHUNK, run.length - done);
        readInto(source, run.imgOffset + done, buffer, 0, n, issues, unreadable);
        const bytes = buffer.subarray(0, n);
        xx.update(bytes);
        sha.update(bytes);
        md5.update(bytes);
        if (headLen < SNIFF_BYTES) {
          const take = Math.min(SNIFF_BYTES - headLen, n);
          head.set(bytes.subarray(0, take), headLen);
          headLen += take;
        }
        if (out !== null) writeAll(out.fd, bytes, out.path);
        done += n;
        size += n;
      }
    }
    if (out !== null) {
      out.open = false; // Linux releases the descriptor even when close() reports an error
      closeOrThrow(out.fd, out.path);
      if (path !== null) renameOrThrow(out.path, path);
    }
  } catch (err) {
    if (out !== null && out.open) closeQuietly(out.fd);
    if (out !== null) rmSync(out.path, { force: true });
    throw err;
  }
  return {
    size,
    sha256: sha.digest('hex'),
    md5: md5.digest('hex'),
    xxh64: xx.digest().toString(16).padStart(16, '0'),
    head: head.subarray(0, headLen),
    unreadable,
    issues,
  };
}

/** What to do about a failed write of the output, by errno code. */
function outputHint(err: unknown): string {
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return 'the output disk is full: free space (or choose another OUTDIR) and continue with --resume';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return 'the output folder is not writable: fix its permissions and continue with --resume';
  return 'continue with --resume once the output folder is writable';
}

/** An error that says which output file failed and what to do. */
export class OutputWriteError extends Error {
  /** 'OutputWriteError', for messages and instanceof-free checks. */
  override name = 'OutputWriteError';
  constructor(path: string, cause: unknown) {
    super(`writing ${path} failed: ${cause instanceof Error ? cause.message : String(cause)}; ${outputHint(cause)}`, { cause });
  }
}

function openForWrite(partial: string): number {
  try {
    return openSync(partial, 'wx');
  } catch (err) {
    throw new OutputWriteError(partial, err);
  }
}

function writeAll(fd: number, bytes: Uint8Array, partial: string): void {
  try {
    for (let w = 0; w < bytes.length; ) w += writeSync(fd, bytes, w, bytes.length - w);
  } catch (err) {
    throw new OutputWriteError(partial, err);
  }
}

/** close() can report a delayed write error (NFS, quotas): it counts. */
function closeOrThrow(fd: number, partial: string): void {
  try {
    closeSync(fd);
  } catch (err) {
    throw new OutputWriteError(partial, err);
  }
}

function renameOrThrow(from: string, to: string): void {
  try {
    renameSync(from, to);
  } catch (err) {
    throw new OutputWriteError(to, err);
  }
}

function closeQuietly(fd: number): void {
  try {
    closeSync(fd);
  } catch {
    // already closed, or the close error is not the first error
  }
}

/** What the bytes say they are, independent of the carver that found them. */
export async function detectType(head: Uint8Array): Promise<{ ext: string; mime: string } | null> {
  try {
    const t = await fileTypeFromBuffer(head);
    return t ? { ext: t.ext, mime: t.mime } : null;
  } catch {
    return null;
  }
}
