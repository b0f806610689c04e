import { inflateSync } from 'node:zlib';

/**
 * zlib (RFC 1950) data of a metadata section, inflated with a ceiling: the
 * section is untrusted and a few bytes can claim gigabytes. Synchronous,
 * because sources are read synchronously in worker threads.
 */
export function inflateBounded(data: Uint8Array, maxOutput: number): Uint8Array {
  return inflateSync(data, { maxOutputLength: maxOutput });
}
