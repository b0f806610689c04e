/**
 * The allocation unit (cluster) of the file system that held the files, and
 * the image offset its grid starts from, inferred as PhotoRec does: file
 * headers sit at cluster starts, so the largest power of two that most header
 * offsets share (modulo a common base) is the cluster size.
 */
export interface BlockGrid {
  /** Cluster size in bytes (a power of two, ≥ 512). */
  readonly size: number;
  /** Image offset modulo `size` at which clusters start. */
  readonly base: number;
}

export const DEFAULT_GRID: BlockGrid = { size: 512, base: 0 };

/** Headers needed before trusting an inferred grid. */
const MIN_HEADERS = 4;
/** Share of headers that must sit on the grid. */
const MIN_SHARE = 0.8;
const MAX_CLUSTER = 128 * 1024;

/**
 * The cluster size and base offset most file headers sit on (file systems
 * start files on clusters), as PhotoRec infers them; 512-byte sectors when
 * too few headers agree.
 */
export function inferBlockGrid(headerOffsets: readonly number[]): BlockGrid {
  const sectorAligned = headerOffsets.filter((o) => o % 512 === 0);
  if (sectorAligned.length < MIN_HEADERS) return DEFAULT_GRID;
  for (let size = MAX_CLUSTER; size > 512; size /= 2) {
    const counts = new Map<number, number>();
    for (const o of sectorAligned) counts.set(o % size, (counts.get(o % size) ?? 0) + 1);
    let base = 0;
    let best = 0;
    for (const [r, n] of counts) if (n > best) [base, best] = [r, n];
    if (best >= MIN_HEADERS && best >= MIN_SHARE * sectorAligned.length) return { size, base };
  }
  return DEFAULT_GRID;
}

/** The first cluster start at or after `offset`. */
export function clusterCeil(grid: BlockGrid, offset: number): number {
  const r = (offset - grid.base) % grid.size;
  return r === 0 ? offset : offset + (grid.size - ((r + grid.size) % grid.size));
}

/** The last cluster start at or before `offset`. */
export function clusterFloor(grid: BlockGrid, offset: number): number {
  const r = (((offset - grid.base) % grid.size) + grid.size) % grid.size;
  return offset - r;
}
