import type { Carver } from '@rawcarve/core';
import { jpegCarver } from './jpeg/index.js';

export { jpegCarver } from './jpeg/index.js';

/** The built-in carvers, in the order hits at one offset are tried. An explicit list: nothing registers itself. */
export const builtinCarvers: readonly Carver[] = [jpegCarver];

export default builtinCarvers;
