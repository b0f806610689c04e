/**
 * The carver conformance suite as vitest tests. A plugin calls
 * describeCarverConformance(carver, { samples }) at the top level of one of
 * its own test files and gets the checks the built-in carvers pass.
 *
 * This module imports vitest (describe/it) and fast-check: both are optional
 * peer dependencies of @rawcarve/core, needed only by this entry point
 * (`@rawcarve/core/testing`), never by the engine. The checks themselves are
 * plain functions that throw a ConformanceError, exported too, for other runners.
 */
import { describe, it, type TestContext } from 'vitest';
import type { Carver, CarveResult } from '../carver.js';
import { checkDeclaration } from './declaration.js';
import { propertyMaxFileSize, propertyMutations, propertyOverwritten, propertyRandom, propertyTruncated } from './hostile.js';
import { namedSamples, resolveRun, type ConformanceCheck, type ConformanceOptions, type ConformanceRun } from './options.js';
import { checkAlone, checkDescribe, checkSignatures } from './sample-checks.js';
import { propertyEmbedded, propertyFragmented } from './scan-properties.js';

const TITLES: Record<ConformanceCheck, string> = {
  declaration: 'declaration: loadable shape, semver version, lower-case extensions, distinctive signatures',
  signatures: 'signatures: every sample matches a declared signature at its offset',
  alone: 'alone: each sample is complete and byte-exact (image of its size, in filler, maxFileSize = its length), the same twice',
  describe: 'describe(): JSON-safe metadata for each sample',
  embedded: 'embedded: samples at random aligned offsets in random/zero/0xFF filler are scanned back complete and byte-exact',
  truncated: 'truncated: a sample cut anywhere at the image end is never complete',
  overwritten: 'overwritten: a sample overwritten from a sector on (zeros, 0xFF, random) is never complete over the change',
  random: 'random: random bytes around a signature never throw and are never complete',
  mutations: 'mutations: bit flips and lying fields never throw, stay in bounds and in time',
  'max-file-size': 'max-file-size: ctx.maxFileSize below the file: never longer, never complete, no reads past it',
  fragmented: 'fragmented: a bifragmented sample (zero-filled gap) is rebuilt byte-exact by scan + reassembly',
};

/**
 * Registers the conformance checks of `carver` as a vitest describe block.
 *
 * @example In the plugin's own `png.test.ts`:
 * ```ts
 * import { describeCarverConformance } from '@rawcarve/core/testing';
 * import png from './index.js';
 * describeCarverConformance(png, { samples: () => makePngs(), detectsEveryChange: true });
 * ```
 */
export function describeCarverConformance(carver: Carver, options: ConformanceOptions): void {
  describe(options.title ?? `carver conformance: ${carver.name} ${carver.version}`, () => {
    const timeout = options.timeoutMs ?? 600_000;
    const known = options.known ?? {};
    const check = (name: ConformanceCheck, fn: (ctx: TestContext) => void | Promise<void>, title = TITLES[name]): void => {
      if (options.checks && !options.checks.includes(name)) return;
      const reason = known[name];
      if (reason !== undefined) it.skip(`${title} [known failure: ${reason}]`, () => {});
      else it(title, fn, timeout);
    };
    check('declaration', () => checkDeclaration(carver));

    const samples = namedSamples(typeof options.samples === 'function' ? options.samples() : options.samples);
    if (samples.length === 0) {
      it.skip(`per-sample checks: no samples (${options.whyNoSamples ?? 'none given'})`, () => {});
      return;
    }
    const run: ConformanceRun = resolveRun(carver, options, samples);
    const alone = new Map<string, CarveResult>();
    check('signatures', () => samples.forEach((s) => checkSignatures(run, s)));
    check('alone', () => samples.forEach((s) => alone.set(s.name, checkAlone(run, s))));
    if (carver.describe) {
      check('describe', async () => {
        for (const s of samples) await checkDescribe(run, s, alone.get(s.name) ?? checkAlone(run, s));
      });
    }
    check('embedded', () => propertyEmbedded(run));
    check('truncated', () => propertyTruncated(run));
    check('overwritten', () => propertyOverwritten(run));
    check('random', () => propertyRandom(run));
    check('mutations', () => propertyMutations(run), run.detectsEveryChange ? `${TITLES.mutations}; never complete over a changed byte (detectsEveryChange)` : TITLES.mutations);
    check('max-file-size', () => propertyMaxFileSize(run));
    if (options.fragmented ?? carver.checksEveryByte === true) {
      check('fragmented', (ctx) => {
        if (!propertyFragmented(run)) ctx.skip(`no sample is long enough to cut past its header (dataStart) and keep a ${run.align}-byte cluster after the cut`);
      });
    }
  });
}
