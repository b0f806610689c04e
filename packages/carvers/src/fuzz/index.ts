/**
 * Fuzzing the built-in carvers: JPEG-aware mutators, per-format unchecked
 * ranges, the false-complete oracle, seeds and the one-input runner shared
 * by the *.fuzz.test.ts property tests and scripts/fuzz.ts. Byte-level and
 * ISO BMFF mutators come from '@rawcarve/core/fuzz'. See docs/ROBUSTNESS.md.
 */
export * from './jpeg-layout.js';
export * from './jpeg-mutators.js';
export * from './regions.js';
export * from './validators.js';
export * from './oracle.js';
export * from './seeds.js';
export * from './run.js';
export * from './targets.js';
