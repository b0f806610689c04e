/** What every gap-carving search shares: the image, its cluster grid, who owns which bytes. */
import type { Reader } from '../reader/reader.js';
import type { BlockGrid } from './block-size.js';
import type { ClaimMap } from './claims.js';

/** The image and what is known of it, shared by every file's search. */
export interface GapCarveEnv {
  /** The whole image, random access. */
  readonly reader: Reader;
  /** Cluster size and base: fragments start and end on it. */
  readonly grid: BlockGrid;
  /** Bytes already owned by files (complete ones firmly, first fragments softly). */
  readonly claims: ClaimMap;
  /** Image offsets where a file (of any type) starts: never a continuation. */
  readonly headers: ReadonlySet<number>;
  /** Cluster starts where another incomplete file's validated data seems to end: likely fragment starts. */
  readonly boundaries: readonly number[];
  /** Per carver: whether a cluster's content could continue its files (uniformity + couldContinue), shared by all files. */
  readonly contentCache: Map<string, Map<number, boolean>>;
}
