export * from './truth.js';
export { mulberry32, randInt, fillRandom } from './prng.js';
export { writeFat32Image, type Fat32File, type Fat32Layout } from './fat32-writer.js';
export { buildDemoCard, SAMPLES_DIR } from './demo-card.js';
export { buildRawLab, listMedia, type RawLabOptions } from './raw-lab.js';
export { buildFatCard, type FatCardOptions } from './fat-card.js';
export { evaluate, formatEvaluation, type Evaluation } from './evaluate.js';
