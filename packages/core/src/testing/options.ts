/** Inputs and settings of the conformance suite. */
import type { Carver } from '../carver.js';
import type { GuardLimits } from './guard.js';

/** A valid file of the carver's type, exactly one whole file, with a name for messages. */
export interface ConformanceSample {
  /** Shown in failure messages. */
  readonly name: string;
  /** The whole file. */
  readonly bytes: Uint8Array;
}

/** The checks of the suite; names used in titles and in {@link ConformanceOptions.known}. */
export type ConformanceCheck =
  | 'declaration'
  | 'signatures'
  | 'alone'
  | 'describe'
  | 'embedded'
  | 'truncated'
  | 'overwritten'
  | 'random'
  | 'mutations'
  | 'max-file-size'
  | 'fragmented';

/** Options of describeCarverConformance. */
export interface ConformanceOptions {
  /**
   * Valid files of the carver's type (bytes, or named samples), or a function
   * returning them, called once while vitest collects the tests. With none,
   * the per-sample checks are skipped with {@link whyNoSamples} as the reason.
   */
  readonly samples: readonly (Uint8Array | ConformanceSample)[] | (() => readonly (Uint8Array | ConformanceSample)[]);
  /** Why there are no samples (shown in the skipped test's title), e.g. "ffmpeg is not installed". */
  readonly whyNoSamples?: string;
  /** Title of the describe block (default: `carver conformance: <name> <version>`). */
  readonly title?: string;
  /**
   * Every byte of a file is covered by a check that notices any change (a CRC
   * per chunk, a hash). Then bit flips and overwritten fields anywhere must
   * never give a complete file that includes the changed byte. Default false:
   * a decoder or a structure walk accepts some changed data, and only
   * robustness is checked for mutations.
   */
  readonly detectsEveryChange?: boolean;
  /**
   * Run the bifragment check: each sample cut in two on a cluster boundary
   * past its header (`dataStart`), the pieces separated by zero-filled
   * clusters, must be rebuilt byte-exact by a scan with reassembly.
   * Default: when the carver declares `checksEveryByte`.
   */
  readonly fragmented?: boolean;
  /** Alignment of the scan and of where samples are placed (default 512). */
  readonly align?: number;
  /**
   * fast-check runs of the expensive properties (default 20, or the
   * RAWCARVE_CONFORMANCE_RUNS environment variable); the cheap ones run 4×.
   */
  readonly numRuns?: number;
  /** fast-check seed, to replay a failure (printed with every counterexample). */
  readonly seed?: number;
  /** Wall time one carve() call may take, in ms (default 10 000: generous, it catches hangs). */
  readonly maxCarveMs?: number;
  /** vitest timeout of each check in ms (default 600 000). */
  readonly timeoutMs?: number;
  /** Run only these checks (default: all that apply). */
  readonly checks?: readonly ConformanceCheck[];
  /**
   * Checks this carver is known to fail, each with the reason: they are
   * registered as skipped, with the reason in their title, so the failure
   * stays visible in every run.
   */
  readonly known?: Partial<Record<ConformanceCheck, string>>;
}

/** Options with defaults applied and samples materialised. */
export interface ConformanceRun {
  /** The carver under test. */
  readonly carver: Carver;
  /** Its samples (at least one). */
  readonly samples: readonly ConformanceSample[];
  /** Scan alignment and cluster size of the layouts. */
  readonly align: number;
  /** fast-check runs of the expensive properties. */
  readonly numRuns: number;
  /** fast-check seed, or undefined for a random one. */
  readonly seed: number | undefined;
  /** Limits of every carve call. */
  readonly limits: GuardLimits;
  /** See {@link ConformanceOptions.detectsEveryChange}. */
  readonly detectsEveryChange: boolean;
}

/** Names unnamed samples "sample 0", "sample 1", ... */
export function namedSamples(list: readonly (Uint8Array | ConformanceSample)[]): ConformanceSample[] {
  return list.map((s, i) => (s instanceof Uint8Array ? { name: `sample ${i} (${s.length} bytes)`, bytes: s } : s));
}

/** Applies defaults. */
export function resolveRun(carver: Carver, o: ConformanceOptions, samples: readonly ConformanceSample[]): ConformanceRun {
  const env = Number(process.env['RAWCARVE_CONFORMANCE_RUNS']);
  return {
    carver,
    samples,
    align: o.align ?? 512,
    numRuns: o.numRuns ?? (Number.isInteger(env) && env > 0 ? env : 20),
    seed: o.seed,
    limits: { maxCarveMs: o.maxCarveMs ?? 10_000 },
    detectsEveryChange: o.detectsEveryChange ?? false,
  };
}
