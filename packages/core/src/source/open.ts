import type { ImageSource } from './image-source.js';
import { RawFileSource } from './raw-file.js';

/**
 * Opens evidence read-only, choosing the source type from the path.
 * Workers call this too, each opening its own handle.
 */
export function openImageSource(path: string): ImageSource {
  return new RawFileSource(path);
}
