import { loadCarvers, resolvePluginUrl } from '@rawcarve/core';
import { builtinCarverModule } from './builtins.js';

/** `rawcarve types`: every carver available, built-in first, then plugins. */
export async function runTypes(plugins: string[]): Promise<string> {
  const builtin = await loadCarvers([builtinCarverModule()]);
  const lines = ['type      version  extensions       source    description'];
  for (const c of builtin) lines.push(row(c.name, c.version, c.extensions, 'built-in', c.description));
  for (const p of plugins) {
    for (const c of await loadCarvers([resolvePluginUrl(p)])) lines.push(row(c.name, c.version, c.extensions, p, c.description));
  }
  return lines.join('\n') + '\n';
}

function row(name: string, version: string, ext: readonly string[], source: string, description: string): string {
  return `${name.padEnd(9)} ${version.padEnd(8)} ${ext.join(',').padEnd(16)} ${source.padEnd(9)} ${description}`;
}
