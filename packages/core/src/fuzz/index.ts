/**
 * Fuzzing support shared by the carvers' property tests and scripts/fuzz.ts:
 * a deterministic PRNG, byte-level mutators and ISO BMFF-aware mutators. Each
 * mutator reports where it changed the original, so an oracle can tell a
 * legitimate `complete` (the mutation only touched bytes nothing checks)
 * from a false one. Not part of the carving engine: import it from
 * '@rawcarve/core/fuzz'.
 */
export { Rng } from './prng.js';
export * from './mutators.js';
export * from './bmff-mutators.js';
export { boxTree, allBoxes, payloadOf, type BoxNode } from './bmff-tree.js';
export { ewfSeeds, ewfRaw, makeEwfInput, runEwfInput, hasEwfacquire, type EwfSeed, type EwfInput, type EwfOutcome } from './ewf.js';
export { walkTree, fuzzNal, type WalkReport } from './walker.js';
