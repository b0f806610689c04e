import type { FileRecord } from './types.js';

/** A Live Photo: its still(s) and video(s), by report path. */
export interface LivePhotoPair {
  /** The Apple content identifier they share. */
  contentIdentifier: string;
  /** The still (JPEG/HEIC) and the video (MOV), as report paths. */
  stills: string[];
  /** The video(s), as report paths. */
  videos: string[];
}

const VIDEO_TYPES = new Set(['mov']);

/**
 * Apple Live Photos are a still and a short MOV sharing a content identifier
 * (EXIF MakerNote tag 0x11 / com.apple.quicktime.content.identifier). Carvers
 * put it in metadata.contentIdentifier; this pairs the recovered files.
 */
export function pairLivePhotos(files: readonly FileRecord[]): LivePhotoPair[] {
  const byId = new Map<string, LivePhotoPair>();
  for (const f of files) {
    const id = f.metadata['contentIdentifier'];
    if (typeof id !== 'string' || id === '') continue;
    let pair = byId.get(id);
    if (!pair) byId.set(id, (pair = { contentIdentifier: id, stills: [], videos: [] }));
    (VIDEO_TYPES.has(f.type) ? pair.videos : pair.stills).push(f.path);
  }
  return [...byId.values()].filter((p) => p.stills.length > 0 && p.videos.length > 0);
}
