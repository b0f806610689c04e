import { loadCarvers, resolvePluginUrl, type Carver } from '@rawcarve/core';
import { fileURLToPath } from 'node:url';
import { builtinCarverModule } from './builtins.js';

interface Row {
  carver: Carver;
  source: string;
}

/**
 * `rawcarve types`: every carver available, built-in first, then each
 * --plugin's, with its version, extensions and where it came from; then the
 * module file each plugin resolved to. A plugin reusing a carver name fails
 * here as it would in `rawcarve scan`.
 */
export async function runTypes(plugins: string[]): Promise<string> {
  const rows: Row[] = (await loadCarvers([builtinCarverModule()])).map((carver) => ({ carver, source: 'built-in' }));
  const modules: string[] = [];
  for (const p of plugins) {
    const url = resolvePluginUrl(p);
    modules.push(`plugin ${p}: ${url.startsWith('file:') ? fileURLToPath(url) : url}`);
    for (const carver of await loadCarvers([url])) {
      if (rows.some((r) => r.carver.name === carver.name)) throw new Error(`carver name "${carver.name}" from ${p} is already taken`);
      rows.push({ carver, source: p });
    }
  }
  const table = [
    ['type', 'version', 'extensions', 'source', 'description'],
    ...rows.map(({ carver: c, source }) => [c.name, c.version, c.extensions.join(','), source, c.description]),
  ];
  const widths = table[0]!.map((_, i) => Math.max(...table.map((cells) => cells[i]!.length)));
  const lines = table.map((cells) => cells.map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i]!))).join('  '));
  return [...lines, ...(modules.length > 0 ? ['', ...modules] : [])].join('\n') + '\n';
}
