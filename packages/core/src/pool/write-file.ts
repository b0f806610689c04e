import { createHash } from 'node:crypto';
import { closeSync, openSync, renameSync, unlinkSync, writeSync } from 'node:fs';
import { fileTypeFromBuffer } from 'file-type';
import xxhash from 'xxhash-wasm';
import type { XXHashAPI } from 'xxhash-wasm';
import type { ByteRun } from '../carver.js';
import type { ImageSource } from '../source/image-source.js';

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
}

/**
 * Copies a carved file's byte runs from the image to `path`, hashing in the
 * same pass (SHA-256 and MD5 for the report, xxHash64 for deduplication; all
 * streamed, so hashing a 4 GB video needs no 4 GB buffer and no second read).
 * The bytes go to `<path>.partial` first and are renamed only when complete,
 * so an interrupted run never leaves a short file under a final name.
 * With `path` null (--report-only) the bytes are read and hashed, not written.
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
  const fd = partial === null ? null : openSync(partial, 'wx');
  try {
    for (const run of runs) {
      for (let done = 0; done < run.length; ) {
        const want = Math.min(CHUNK, run.length - done);
        const n = source.readInto(run.imgOffset + done, buffer, 0, want);
        if (n !== want) throw new Error(`short read at image offset ${run.imgOffset + done}: the image ends early`);
        const bytes = buffer.subarray(0, n);
        xx.update(bytes);
        sha.update(bytes);
        md5.update(bytes);
        if (headLen < SNIFF_BYTES) {
          const take = Math.min(SNIFF_BYTES - headLen, n);
          head.set(bytes.subarray(0, take), headLen);
          headLen += take;
        }
        if (fd !== null) for (let w = 0; w < n; ) w += writeSync(fd, bytes, w, n - w);
        done += n;
        size += n;
      }
    }
  } catch (err) {
    if (fd !== null) closeSync(fd);
    if (partial !== null) unlinkSync(partial);
    throw err;
  }
  if (fd !== null && partial !== null && path !== null) {
    closeSync(fd);
    renameSync(partial, path);
  }
  return {
    size,
    sha256: sha.digest('hex'),
    md5: md5.digest('hex'),
    xxh64: xx.digest().toString(16).padStart(16, '0'),
    head: head.subarray(0, headLen),
  };
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
