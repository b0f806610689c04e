import { closeSync, openSync, readSync, statSync, constants } from 'node:fs';
import { EwfSource } from './ewf/ewf-source.js';
import { hasEwfSignature } from './ewf/segment-file.js';
import { isFirstSegmentName } from './ewf/segment-names.js';
import type { ImageSource } from './image-source.js';
import { RawFileSource } from './raw-file.js';
import { SplitRawSource, splitRawParts } from './split-raw.js';

/**
 * Opens evidence read-only, choosing the source type from the path:
 * `x.E01` (and any regular file starting with the EWF signature) is an
 * EnCase image whose other segments are found beside it; `x.001` or `x.aa`
 * with a second part beside it is a split raw image; anything else is a raw
 * file or a block device. Workers call this too, each opening its own handle.
 */
export function openImageSource(path: string): ImageSource {
  if (isFirstSegmentName(path) || startsWithEwfSignature(path)) return new EwfSource(path);
  const parts = splitRawParts(path);
  if (parts !== null) return new SplitRawSource(path, parts);
  return new RawFileSource(path);
}

/** Sniffs regular files only: a block device is never an E01 file, and opening one just to look is not free. */
function startsWithEwfSignature(path: string): boolean {
  try {
    if (!statSync(path).isFile()) return false;
  } catch {
    return false; // let the raw source report the missing file
  }
  const head = new Uint8Array(8);
  const fd = openSync(path, constants.O_RDONLY);
  try {
    return readSync(fd, head, 0, 8, 0) === 8 && hasEwfSignature(head);
  } finally {
    closeSync(fd);
  }
}
