import type { Carver } from '../carver.js';
import type { Kept } from '../resolve/overlaps.js';
import { reassembleAll } from '../reassemble/index.js';
import { RANDOM_ACCESS_CACHE, SourceReader } from '../reader/source-reader.js';
import type { Candidate } from '../scan/carve-page.js';
import { openImageSource } from '../source/open.js';
import { withFaults, type FaultPlan } from '../source/fault-source.js';
import { maxFileSizeOf } from './limits.js';
import type { FsReassemblyHints } from '../fs/hints.js';
import type { ReassemblyOutcome, RunSettings } from './checkpoint.js';

/**
 * The reassembly pass, in the main thread: every incomplete file gets a
 * bounded search for its missing fragments; rebuilt ones replace their
 * first fragment, the others keep it with a note of what was tried.
 * Returns the held files' final versions (in held order) and the pass's totals.
 */
export function reassemblyPass(
  imagePath: string,
  settings: RunSettings,
  held: readonly Kept[],
  kept: readonly Candidate[],
  carvers: readonly Carver[],
  /** What the image's file systems say: the cluster grid (unless --block-size), chains and sizes, allocated clusters. */
  fs?: FsReassemblyHints,
  /** TESTS ONLY: read faults (ScanOptions.faults). */
  faults?: FaultPlan,
): ReassemblyOutcome {
  const source = withFaults(openImageSource(imagePath), faults);
  try {
    const reader = new SourceReader(source, RANDOM_ACCESS_CACHE);
    const contexts = new Map(carvers.map((c) => [c.name, { maxFileSize: maxFileSizeOf(c, settings.maxFileSizes), align: settings.align }]));
    const { rebuilt, notes, stats } = reassembleAll(reader, kept, carvers, contexts, {
      ...(settings.blockSize ? { blockSize: settings.blockSize } : fs?.grid ? { blockSize: fs.grid.size, blockBase: fs.grid.base } : {}),
      ...(fs ? { hints: fs.hints, claims: fs.claims } : {}),
      ...(settings.reassemblyMs !== null ? { maxTotalMs: settings.reassemblyMs } : {}),
    });
    const candidates = held.map((k): Candidate => {
      const r = rebuilt.get(k.candidate.offset);
      if (r) return { ...r, carver: k.candidate.carver, offset: k.candidate.offset };
      const note = notes.get(k.candidate.offset);
      return note ? { ...k.candidate, notes: [...k.candidate.notes, note] } : k.candidate;
    });
    return {
      candidates,
      totals: {
        blockSize: stats.grid.size,
        blockBase: stats.grid.base,
        blockSizeGiven: stats.gridGiven && settings.blockSize !== null, // a file system's grid is not --block-size
        attempted: stats.attempted,
        rebuilt: stats.rebuilt,
        trimmed: stats.trimmed,
        trials: stats.trials,
        ms: stats.ms,
      },
    };
  } finally {
    source.close();
  }
}
