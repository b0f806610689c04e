/**
 * A recovered file's bytes for its thumbnail: from its written copy under
 * OUTDIR/files when it is there whole, else from the image through its byte
 * runs (a --report-only run writes no files; thumbnails are then made from
 * the evidence, read-only, like the scan itself).
 */
import { closeSync, existsSync, openSync, readSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { openImageSource, type ByteRun, type ImageSource } from '@rawcarve/core';

let cached: { path: string; source: ImageSource } | null = null;

function imageSource(path: string): ImageSource {
  if (cached?.path !== path) {
    cached?.source.close();
    cached = { path, source: openImageSource(path) };
  }
  return cached.source;
}

export interface FileBytesRequest {
  outDir: string;
  /** The file's report path (files/<type>/f….ext). */
  path: string;
  size: number;
  byteRuns: readonly ByteRun[];
  /** The evidence, for files that were not written; null when it is not at hand. */
  imagePath: string | null;
}

/** Whether the written copy exists whole. */
export function writtenCopy(req: FileBytesRequest): string | null {
  const p = join(req.outDir, req.path);
  return existsSync(p) && statSync(p).size === req.size ? p : null;
}

/** The first `length` bytes of the file (all of it when shorter). */
export function readFileBytes(req: FileBytesRequest, length: number): Uint8Array {
  const want = Math.min(length, req.size);
  const out = new Uint8Array(want);
  const copy = writtenCopy(req);
  if (copy) {
    const fd = openSync(copy, 'r');
    try {
      for (let done = 0; done < want; ) {
        const n = readSync(fd, out, done, want - done, done);
        if (n <= 0) throw new Error(`${req.path} ended after ${done} bytes`);
        done += n;
      }
    } finally {
      closeSync(fd);
    }
    return out;
  }
  if (!req.imagePath) throw new Error('the file was not written and the image is not at hand');
  const source = imageSource(req.imagePath);
  let filled = 0;
  for (const run of req.byteRuns) {
    if (filled >= want) break;
    const take = Math.min(run.length, want - filled);
    const n = source.readInto(run.imgOffset, out, filled, take);
    if (n !== take) throw new Error(`the image ends at offset ${run.imgOffset + n}, inside the file`);
    filled += take;
  }
  return out.subarray(0, filled);
}
