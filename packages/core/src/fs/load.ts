import { RANDOM_ACCESS_CACHE, SourceReader } from '../reader/source-reader.js';
import { openImageSource } from '../source/open.js';
import { SpaceMap } from './space.js';
import { analyzeFileSystems, type FsAnalysis } from './volume.js';

/** The file systems of an image, read once in the main thread before a scan (and again for the reports of a resumed or merged run). */
export interface LoadedFileSystems extends FsAnalysis {
  space: SpaceMap;
  /** --free-space-only: the ranges of a page to search, or undefined when every byte of it is free. */
  searchRanges(start: number, length: number): number[] | undefined;
}

export function loadFileSystems(imagePath: string): LoadedFileSystems {
  const source = openImageSource(imagePath);
  try {
    const analysis = analyzeFileSystems(new SourceReader(source, RANDOM_ACCESS_CACHE));
    const space = new SpaceMap(analysis.volumes, source.size);
    return {
      ...analysis,
      space,
      searchRanges(start, length) {
        const free = space.freeIn(start, start + length);
        return free.length === 2 && free[0] === start && free[1] === start + length ? undefined : free;
      },
    };
  } finally {
    source.close();
  }
}
