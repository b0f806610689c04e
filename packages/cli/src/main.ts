#!/usr/bin/env node
// The `rawcarve` command. Kept apart from program.ts so tests can build the program without running it.
import { main } from './program.js';

process.exitCode = await main(process.argv);
