import type { Carver } from '../carver.js';
import { UsageError } from '../errors.js';
import { DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import type { RunSettings } from './checkpoint.js';
import { parseByteCount } from './range.js';
import type { RunLimits } from './scan-types.js';

/**
 * `--max-file-size TYPE=SIZE[,TYPE=SIZE...]` (`jpeg=64M,mov=8G`): the largest
 * file to carve, by carver name. Sizes take K/M/G/T suffixes.
 */
export function parseMaxFileSizes(text: string): Record<string, number> {
  const out: Record<string, number> = {};
  for (const part of text.split(',')) {
    const m = /^\s*([A-Za-z0-9_-]+)\s*=\s*(\S+)\s*$/.exec(part);
    if (!m) throw new UsageError(`--max-file-size "${part}" must be TYPE=SIZE, e.g. jpeg=64M,mov=8G`);
    const size = parseByteCount(m[2]!, `--max-file-size ${m[1]}`);
    if (size < 1) throw new UsageError(`--max-file-size ${m[1]} must be at least 1 byte`);
    out[m[1]!.toLowerCase()] = size;
  }
  return out;
}

/**
 * The largest file each carver may carve in this run: the examiner's limit
 * where given, else the carver's own maxFileSize. A limit for a carver that
 * is not loaded is a mistake worth stopping for (a typo would silently do nothing).
 */
export function effectiveMaxFileSizes(carvers: readonly Carver[], given: Readonly<Record<string, number>> | undefined, loaded: readonly Carver[] = carvers): Record<string, number> {
  for (const name of Object.keys(given ?? {})) {
    if (!loaded.some((c) => c.name === name)) {
      throw new UsageError(`--max-file-size: no carver named ${name} (carvers: ${loaded.map((c) => c.name).join(', ')})`);
    }
  }
  return Object.fromEntries(carvers.map((c) => [c.name, given?.[c.name] ?? c.maxFileSize]));
}

/** A carver's limit in a run (settings of earlier checkpoints hold none: the carver's own). */
export function maxFileSizeOf(c: Carver, sizes: Readonly<Record<string, number>> | undefined): number {
  return sizes?.[c.name] ?? c.maxFileSize;
}

/** The limits a scan or merge ran under, for ScanResult.limits (and so report.json options.limits). */
export function runLimits(carvers: readonly Carver[], settings: Pick<RunSettings, 'maxFileSizes' | 'reassemblyMs'>): RunLimits {
  return {
    maxFileSize: Object.fromEntries(carvers.map((c) => [c.name, maxFileSizeOf(c, settings.maxFileSizes)])),
    reassemblyMs: settings.reassemblyMs ?? DEFAULT_REASSEMBLY_MS,
  };
}
