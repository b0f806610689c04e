/** What every gap-carving search shares: the image, its cluster grid, who owns which bytes. */
import type { Reader } from '../reader/reader.js';
import type { BlockGrid } from './block-size.js';
import type { ClaimMap } from './claims.js';

export interface GapCarveEnv {
  readonly reader: Reader;
  readonly grid: BlockGrid;
  readonly claims: ClaimMap;
  /** Image offsets where a file (of any type) starts: never a continuation. */
  readonly headers: ReadonlySet<number>;
  /** Cluster starts where another incomplete file's validated data seems to end: likely fragment starts. */
  readonly boundaries: readonly number[];
  /** Per carver: whether a cluster's content could continue its files (uniformity + couldContinue), shared by all files. */
  readonly contentCache: Map<string, Map<number, boolean>>;
}
