import { existsSync, readFileSync, statSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { Carver } from './carver.js';
import { UsageError } from './errors.js';

/**
 * Carvers come from modules: the built-ins (`@rawcarve/carvers`) and any
 * `--plugin` the examiner names. Nothing registers itself at import time:
 * a module exports its carvers and the engine picks them by name. Workers
 * load the same module URLs, so main thread and workers agree on the list.
 */
export interface CarverModuleExports {
  /** A carver, or an array of carvers (used when neither list below is exported). */
  default?: unknown;
  /** The module's carvers, in the order hits at one offset are tried (a plugin's usual export). */
  carvers?: unknown;
  /** The built-in list of @rawcarve/carvers (takes precedence over the other two). */
  builtinCarvers?: unknown;
}

/** Checks the shape of a plugin's export, naming what is missing. */
export function assertCarver(value: unknown, from: string): asserts value is Carver {
  const c = value as Partial<Carver> | null;
  const problems: string[] = [];
  if (typeof c !== 'object' || c === null) throw new Error(`${from}: a carver must be an object`);
  if (typeof c.name !== 'string' || !/^[a-z0-9][a-z0-9_-]*$/.test(c.name)) problems.push('name (lower-case id)');
  if (typeof c.version !== 'string') problems.push('version');
  if (!Array.isArray(c.extensions) || c.extensions.length === 0) problems.push('extensions');
  if (!Array.isArray(c.signatures) || c.signatures.length === 0) problems.push('signatures');
  if (typeof c.maxFileSize !== 'number' || !(c.maxFileSize > 0)) problems.push('maxFileSize');
  if (typeof c.carve !== 'function') problems.push('carve()');
  if (c.limits !== undefined && !validLimits(c.limits)) problems.push('limits (finite numbers ≥ 0 by name)');
  if (problems.length > 0) throw new Error(`${from}: not a carver, missing or invalid: ${problems.join(', ')}`);
}

/** Carver.limits go into report.json as they are: a plain object of finite numbers ≥ 0, nothing else. */
function validLimits(limits: unknown): boolean {
  if (typeof limits !== 'object' || limits === null || Array.isArray(limits)) return false;
  return Object.values(limits).every((v) => typeof v === 'number' && Number.isFinite(v) && v >= 0);
}

/** The carvers a loaded module exports, in the order it lists them. */
export function carversOf(mod: CarverModuleExports, from: string): Carver[] {
  const exported = mod.builtinCarvers ?? mod.carvers ?? mod.default;
  const list = Array.isArray(exported) ? exported : [exported];
  for (const c of list) assertCarver(c, from);
  return list as Carver[];
}

/** Imports carver modules (URLs from resolvePluginUrl) and returns every carver, rejecting duplicate names. */
export async function loadCarvers(moduleUrls: readonly string[]): Promise<Carver[]> {
  const all: Carver[] = [];
  for (const url of moduleUrls) {
    const mod = (await import(url)) as CarverModuleExports;
    for (const c of carversOf(mod, url)) {
      if (all.some((x) => x.name === c.name)) throw new Error(`carver name "${c.name}" from ${url} is already taken`);
      all.push(c);
    }
  }
  return all;
}

/** Keeps the carvers named in `types` (all when null), failing on unknown names. */
export function selectCarvers(all: readonly Carver[], types: readonly string[] | null): Carver[] {
  if (types === null) return [...all];
  const unknown = types.filter((t) => !all.some((c) => c.name === t));
  if (unknown.length > 0) {
    throw new UsageError(`unknown type(s): ${unknown.join(', ')}; known: ${all.map((c) => c.name).join(', ')}`);
  }
  return all.filter((c) => types.includes(c.name));
}

/**
 * Turns what the examiner typed after --plugin (a file, a package folder or a
 * package name) into a module URL that both threads can import().
 */
export function resolvePluginUrl(spec: string, cwd: string = process.cwd()): string {
  const asPath = resolve(cwd, spec);
  if (existsSync(asPath)) {
    if (!statSync(asPath).isDirectory()) return pathToFileURL(asPath).href;
    return pathToFileURL(packageEntry(asPath)).href;
  }
  try {
    return pathToFileURL(createRequire(join(cwd, 'noop.js')).resolve(spec)).href;
  } catch {
    throw new UsageError(`plugin "${spec}" is neither a file, a folder nor an installed package (looked from ${cwd})`);
  }
}

function packageEntry(dir: string): string {
  const pkgFile = join(dir, 'package.json');
  if (existsSync(pkgFile)) {
    const pkg = JSON.parse(readFileSync(pkgFile, 'utf8')) as { exports?: unknown; main?: string };
    const entry = exportEntry(pkg.exports) ?? pkg.main;
    if (entry) return resolve(dir, entry);
  }
  for (const name of ['index.js', 'dist/index.js']) {
    if (existsSync(join(dir, name))) return join(dir, name);
  }
  throw new Error(`plugin folder ${dir} has no package.json entry point nor index.js`);
}

function exportEntry(exp: unknown): string | undefined {
  if (typeof exp === 'string') return exp;
  if (typeof exp !== 'object' || exp === null) return undefined;
  const rec = exp as Record<string, unknown>;
  const dot = '.' in rec ? rec['.'] : rec;
  if (typeof dot === 'string') return dot;
  if (typeof dot === 'object' && dot !== null) {
    const d = dot as Record<string, unknown>;
    for (const k of ['import', 'default', 'node']) {
      const v = d[k];
      if (typeof v === 'string') return v;
      const nested = exportEntry(v);
      if (nested) return nested;
    }
  }
  return undefined;
}
