import { createHash } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';

const CHUNK = 4 * 1024 * 1024;

/**
 * Copies `from` to `to` (through `<to>.partial`, renamed when complete) and
 * returns the SHA-256 of the bytes copied, so the caller can check them
 * against a record before trusting them. Async: a large video copies without
 * holding up the event loop.
 */
export async function copyVerified(from: string, to: string): Promise<{ sha256: string; size: number }> {
  const partial = `${to}.partial`;
  const src = await open(from, 'r');
  const dst = await open(partial, 'wx');
  const sha = createHash('sha256');
  const buf = new Uint8Array(CHUNK);
  let size = 0;
  try {
    for (;;) {
      const { bytesRead } = await src.read(buf, 0, CHUNK, size);
      if (bytesRead === 0) break;
      const bytes = buf.subarray(0, bytesRead);
      sha.update(bytes);
      for (let w = 0; w < bytesRead; ) w += (await dst.write(bytes, w, bytesRead - w, size + w)).bytesWritten;
      size += bytesRead;
    }
  } catch (err) {
    await dst.close();
    await rm(partial, { force: true });
    throw err;
  } finally {
    await src.close();
  }
  await dst.close();
  await rename(partial, to);
  return { sha256: sha.digest('hex'), size };
}
