/**
 * `@rawcarve/core/testing`: what a carver plugin needs for its tests.
 *
 * - {@link describeCarverConformance}: the conformance suite the built-in
 *   carvers pass, as vitest tests (needs the optional peer dependencies
 *   vitest and fast-check).
 * - {@link scanBuffer}: the engine's scanning path (signatures, carving,
 *   overlap resolution, reassembly) over an image in memory.
 * - Image builders ({@link buildImage}, {@link filler}), the guarded carve
 *   call and the individual checks, for other test runners.
 * - {@link tlvCarver}: a complete toy carver.
 *
 * Nothing here is loaded by the engine: import it from test files only.
 */
export { describeCarverConformance } from './conformance.js';
export { type ConformanceCheck, type ConformanceOptions, type ConformanceRun, type ConformanceSample, namedSamples, resolveRun } from './options.js';
export { checkDeclaration, matchesSignature } from './declaration.js';
export { checkAlone, checkDescribe, checkSignatures } from './sample-checks.js';
export { propertyEmbedded, propertyFragmented, bytesOf } from './scan-properties.js';
export { propertyMaxFileSize, propertyMutations, propertyOverwritten, propertyRandom, propertyTruncated } from './hostile.js';
export { ConformanceError, PEEK_BYTES, RecordingReader, guardedCarve, jsonSafe, resultProblem, type GuardLimits, type Guarded } from './guard.js';
export { scanBuffer, type MemoryScanOptions, type MemoryScanResult } from './memory-scan.js';
export { buildImage, filler, roundUp, xorshift32, type FillerKind, type Placement } from './image.js';
export { tlvCarver, makeTlv, TLV_MAGIC } from './tlv-carver.js';
