/**
 * The fuzz targets, one input at a time, by (target, seed value, index):
 * every carver (jpeg, heic, mov: carve + oracle), the box walker and NAL
 * checker (bmff), the JPEG marker walk and entropy decoder under a read
 * limit (jpeg-decode), and the E01 reader (ewf). Used by scripts/fuzz.ts;
 * the property tests call the same functions.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BufferReader } from '@rawcarve/core';
import { ewfSeeds, fuzzNal, makeEwfInput, Rng, runEwfInput, walkTree, type EwfSeed } from '@rawcarve/core/fuzz';
import { walkJpeg } from '../jpeg/walk.js';
import type { Format } from './regions.js';
import { makeInput, runInput, type FuzzInput } from './run.js';
import { loadSeeds, SEED_CACHE, type Seed, type SeedOptions } from './seeds.js';

export const TARGETS = ['jpeg', 'heic', 'mov', 'bmff', 'jpeg-decode', 'ewf'] as const;
export type Target = (typeof TARGETS)[number];

/** What one input did. */
export interface Trial {
  kind: string;
  /** Carvers: complete/truncated/damaged/null; ewf: opened/rejected; bmff, jpeg-decode: walked/null/complete/truncated. */
  status: string;
  verdict?: string;
  label?: string;
  ms: number;
  crash?: string;
  /** Why the oracle judged so (false completes). */
  why?: string;
  /** How to rebuild the input, for the report. */
  detail: string;
}

export interface RunnerOptions {
  seeds?: SeedOptions;
  /** Run the external decoders for completes that are not identical/unchecked (default true). */
  validate?: boolean;
  /** Also call the carvers' reassembly hooks (default true). */
  hooks?: boolean;
  /** One real camera file per this many mutated seeds (default 20). */
  mediaEvery?: number;
}

/** Runs inputs of one target; seeds are loaded on first use. */
export class TargetRunner {
  private seeds: Partial<Record<Format, Seed[]>> = {};
  private ewf: EwfSeed[] | null = null;
  private ewfDir: string | null = null;
  readonly notes: string[] = [];

  constructor(
    readonly target: Target,
    readonly seedValue: number | string,
    private readonly options: RunnerOptions = {},
  ) {}

  private seedsOf(format: Format): Seed[] {
    let s = this.seeds[format];
    if (!s) {
      const set = loadSeeds(format, this.options.seeds);
      this.notes.push(...set.notes);
      s = this.seeds[format] = set.seeds;
    }
    return s;
  }

  /** How many seeds the target mutates (0 for ewf without ewfacquire). */
  seedCount(): number {
    if (this.target === 'ewf') return this.ewfSeeds().length;
    if (this.target === 'bmff') return this.seedsOf('heic').length + this.seedsOf('mov').length;
    return this.seedsOf(this.target === 'jpeg-decode' ? 'jpeg' : this.target).length;
  }

  private ewfSeeds(): EwfSeed[] {
    if (!this.ewf) {
      this.ewf = ewfSeeds(join(SEED_CACHE, 'ewf'));
      if (this.ewf.length === 0) this.notes.push('ewf target skipped: ewfacquire is not installed (scripts/install-test-tools.sh)');
    }
    return this.ewf;
  }

  input(index: number): FuzzInput {
    const format: Format = this.target === 'bmff' ? (index % 2 === 0 ? 'heic' : 'mov') : this.target === 'jpeg-decode' ? 'jpeg' : (this.target as Format);
    return makeInput(format, `${this.seedValue}/${this.target}`, index, this.seedsOf(format), { mediaEvery: this.options.mediaEvery ?? 20 });
  }

  run(index: number): Trial {
    if (this.target === 'ewf') return this.runEwf(index);
    const input = this.input(index);
    if (this.target === 'bmff') return runWalker(input, index, this.seedValue);
    if (this.target === 'jpeg-decode') return runDecoder(input, index, this.seedValue);
    const o = runInput(input, { validate: this.options.validate ?? true, hooks: this.options.hooks ?? true });
    const t: Trial = { kind: input.kind, status: o.status, ms: o.ms + o.hookMs, detail: input.detail };
    if (o.crash) t.crash = o.crash;
    if (o.classification) {
      t.verdict = o.classification.verdict;
      t.label = o.classification.label;
      if (o.classification.why) t.why = o.classification.why;
    }
    return t;
  }

  private runEwf(index: number): Trial {
    const seeds = this.ewfSeeds();
    if (seeds.length === 0) return { kind: 'skipped', status: 'skipped', ms: 0, detail: 'no ewfacquire' };
    this.ewfDir ??= mkdtempSync(join(tmpdir(), 'rawcarve-fuzz-ewf-'));
    const input = makeEwfInput(new Rng(`${this.seedValue}/ewf`, index), seeds);
    if (!input) return { kind: 'unmutated', status: 'skipped', ms: 0, detail: 'no mutation applied' };
    const o = runEwfInput(input, this.ewfDir);
    const t: Trial = { kind: input.kind, status: o.result, ms: o.ms, detail: `${input.seed.name} segment ${input.segment + 1}: ${input.kind}` };
    t.verdict = o.falseBytes > 0 ? 'false-read' : o.unreadable > 0 ? 'read-errors' : o.result === 'opened' ? 'read-back' : 'rejected';
    if (o.crash) t.crash = o.crash;
    if (o.falseBytes > 0) t.why = `${o.falseBytes} bytes read without an error differ from the acquired media`;
    return t;
  }

  close(): void {
    if (this.ewfDir) rmSync(this.ewfDir, { recursive: true, force: true });
  }
}

function runWalker(input: FuzzInput, index: number, seedValue: number | string): Trial {
  const t0 = performance.now();
  const walk = walkTree(input.bytes);
  const nal = fuzzNal(new Rng(`${seedValue}/nal`, index), input.bytes);
  const t: Trial = { kind: input.kind, status: 'walked', ms: performance.now() - t0, detail: `${input.detail} (${walk.boxes} boxes, depth ${walk.depth})` };
  const crash = walk.violation ?? nal;
  if (crash) t.crash = crash;
  return t;
}

function runDecoder(input: FuzzInput, index: number, seedValue: number | string): Trial {
  const rng = new Rng(`${seedValue}/limit`, index);
  const limit = rng.bool(0.7) ? input.bytes.length : rng.int(input.bytes.length + 1);
  const t0 = performance.now();
  try {
    const w = walkJpeg(new BufferReader(input.bytes), 0, limit);
    const ms = performance.now() - t0;
    const t: Trial = { kind: input.kind, status: w?.status ?? 'null', ms, detail: `${input.detail}, limit ${limit}` };
    if (w && (w.end > limit || w.end < 2)) t.crash = `walk end ${w.end} outside [2, ${limit}]`;
    else if (w && w.status === 'truncated' && w.mcusDecoded > w.mcusExpected) t.crash = `${w.mcusDecoded} MCUs decoded of ${w.mcusExpected}`;
    else if (w && w.status === 'truncated' && w.stop === null) t.crash = 'truncated without a reason';
    return t;
  } catch (e) {
    return { kind: input.kind, status: 'null', ms: performance.now() - t0, detail: input.detail, crash: `walkJpeg threw ${e instanceof Error ? `${e.name}: ${e.message}` : String(e)}` };
  }
}
