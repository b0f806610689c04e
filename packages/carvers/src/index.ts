import type { Carver } from '@rawcarve/core';
import { heicCarver } from './heic/index.js';
import { jpegCarver } from './jpeg/index.js';
import { movCarver } from './mov/index.js';

export { heicCarver } from './heic/index.js';
export { jpegCarver } from './jpeg/index.js';
export { movCarver } from './mov/index.js';

/** The built-in carvers, in the order hits at one offset are tried. An explicit list: nothing registers itself. */
export const builtinCarvers: readonly Carver[] = [jpegCarver, heicCarver, movCarver];

export default builtinCarvers;
