/** What one harness run measured, and the configuration it is compared by. */
import { DEFAULT_MIX, formatMix, type FillerMix, type RegionKind } from '../gen-image.js';
import type { PeerTool } from './peer-tools.js';

export interface BenchConfig {
  /** As given, e.g. "4G". */
  size: string;
  sizeBytes: number;
  density: string;
  types: string[];
  seed: number;
  mix: FillerMix;
  /** Basename of the media folder ("media" for ../shared/media). */
  media: string;
  generator: number;
  jobs: number | null;
  align: number | null;
}

export interface RawcarveResult {
  wallSeconds: number;
  gbPerSecond: number;
  /** Files recovered (written plus identical copies found at other offsets) per wall second. */
  filesPerSecond: number;
  filesWritten: number;
  filesRecovered: number;
  peakRssMiB: number;
  peakRssSource: 'time -v' | 'report';
  cpuSeconds: number | null;
  /** The CLI's own elapsed time (without node start-up). */
  scanSeconds: number;
  /** Summed worker milliseconds per phase from report.json (they overlap in wall time), plus reassembly wall ms. */
  phasesMs: Record<string, number>;
  reassembly: { attempted: number; rebuilt: number; trials: number; ms: number };
  /** Placed media recovered byte-exact at their offsets. */
  recall: { placed: number; exact: number };
}

export interface PeerResult {
  tool: PeerTool;
  status: 'ok' | 'failed' | 'timeout' | 'missing';
  error?: string;
  command?: string;
  wallSeconds?: number;
  gbPerSecond?: number;
  peakRssMiB?: number | null;
  cpuSeconds?: number | null;
  /** Files the tool wrote (its logs excluded). */
  filesRecovered?: number;
  /** Placed copies matched by SHA-256 (each recovered file matches at most one placed copy). */
  exactCopies?: number;
  /** Files matching no placed media: partial files, thumbnails, false hits. */
  junk?: number;
  /** rawcarve speedup: peer wall / rawcarve wall (above 1: rawcarve is faster). */
  rawcarveSpeedup?: number;
}

export interface BenchResult {
  configKey: string;
  config: BenchConfig;
  image: string;
  bytesByKind: Record<RegionKind, number>;
  rawcarve: RawcarveResult;
  peers: PeerResult[];
}

/** Stable name of a configuration, used in tracker names and to find the previous run to compare with. */
export function configKey(c: BenchConfig): string {
  const parts = [c.size, c.density, c.types.join('+'), `s${c.seed}`];
  if (c.media !== 'media') parts.push(`media=${c.media}`);
  if (formatMix(c.mix) !== formatMix(DEFAULT_MIX)) parts.push(`mix=${c.mix.zero}/${c.mix.ff}/${c.mix.random}`);
  if (c.jobs !== null) parts.push(`j${c.jobs}`);
  if (c.align !== null) parts.push(`align${c.align}`);
  parts.push(`g${c.generator}`);
  return parts.join(' ');
}
