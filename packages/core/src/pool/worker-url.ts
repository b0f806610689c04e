/**
 * URL of a compiled worker module (`pool/worker.js`, `pool/hash-worker.js`).
 * Workers must be JavaScript: from src/ (tests under tsx/vitest) the built copy in dist/ is used.
 */
export function compiledWorkerUrl(file: string): string {
  const here = import.meta.url;
  if (here.endsWith('.ts')) return new URL(`../../dist/pool/${file}`, here).href;
  return new URL(`./${file}`, here).href;
}
