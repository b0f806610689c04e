#!/usr/bin/env node
// The installed `rawcarve` command. It is committed JavaScript, not build
// output, so `npm ci` on a fresh checkout can link it before the first build;
// it runs the compiled CLI and says what to do when that is missing.
import { existsSync } from 'node:fs';

const main = new URL('../dist/main.js', import.meta.url);
if (!existsSync(main)) {
  process.stderr.write('rawcarve: the CLI is not built yet: run `npm run build` in the repository first\n');
  process.exit(1);
}
await import(main.href);
