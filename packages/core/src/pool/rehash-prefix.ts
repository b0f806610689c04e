import type { ScanIssue } from '../scan/carve-page.js';
import type { ImageSource } from '../source/image-source.js';
import type { ImageHasher, PrefixDigests } from './image-hash.js';
import { readSalvaging } from './read-salvaging.js';

const CHUNK = 16 * 1024 * 1024;
/** Chunks read ahead of the hash threads. */
const AHEAD = 4;

/**
 * A resumed run re-reads the part of the range the interrupted run had
 * scanned and hashes it again (node:crypto cannot save a hash state), before
 * the scan goes on. The interrupted run's checkpoint holds the digests of a
 * prefix (`expected`): if the bytes read now hash differently, the evidence
 * changed between the runs and the resumed run must not mix the two.
 */
export async function rehashPrefix(source: ImageSource, start: number, length: number, hasher: ImageHasher, expected: PrefixDigests | null): Promise<void> {
  const ignored: ScanIssue[] = []; // the interrupted run logged these read errors already
  const checkAt = expected && expected.length > 0 && expected.length <= length ? expected.length : -1;
  for (let done = 0; done < length; ) {
    const stop = done < checkAt ? checkAt : length;
    const len = Math.min(CHUNK, stop - done);
    const bytes = new Uint8Array(new SharedArrayBuffer(len));
    readSalvaging(source, start + done, bytes, ignored);
    await hasher.whenBelow(AHEAD);
    hasher.push(bytes);
    done += len;
    if (done === checkAt) {
      const got = await hasher.markNow();
      for (const [alg, hex] of Object.entries(expected!.digests)) {
        const now = got.digests[alg as keyof typeof got.digests];
        if (now !== undefined && now !== hex) {
          throw new Error(
            `the image changed since the interrupted run: the ${alg} of its first ${checkAt} scanned bytes (from offset ${start}) ` +
              `was ${hex} and is now ${now}; start a new run in an empty folder`,
          );
        }
      }
    }
  }
}
