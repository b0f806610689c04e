/**
 * The thumbnail worker (piscina). libheif prints its decode errors on the
 * console: silenced here, so nothing reaches the CLI's stdout (--json).
 */
import { makeThumb, type ThumbResult, type ThumbTask } from './make-thumb.js';

const quiet = (): void => undefined;
console.log = quiet;
console.info = quiet;
console.warn = quiet;
console.error = quiet;
console.debug = quiet;

export default function thumbnail(task: ThumbTask): Promise<ThumbResult> {
  return makeThumb(task);
}
