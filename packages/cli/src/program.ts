import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { UsageError } from '@rawcarve/core';
import { runDemo } from './demo-command.js';
import { runScan } from './scan-command.js';
import { runTypes } from './types-command.js';
import { runVerify } from './verify-command.js';
import { VERSION } from './version.js';

/** Exit codes: 0 done, 1 error while running, 2 usage. */
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
const list = (v: string): string[] => v.split(',').map((s) => s.trim()).filter(Boolean);

export function buildProgram(): Command {
  const program = new Command('rawcarve')
    .description('Recover photos and videos (JPEG, HEIC, MOV/MP4) from raw disk images, with DFXML reports.')
    .version(VERSION, '-V, --version')
    .exitOverride()
    .showHelpAfterError();

  program
    .command('scan')
    .description('carve an image (raw/dd file, split raw, E01 or block device, opened read-only) into OUTDIR')
    .argument('<image>', 'evidence image (raw, .001/.aa split raw, .E01) or block device')
    .requiredOption('-o, --output <outdir>', 'output folder (must be empty unless --force)')
    .option('-t, --types <list>', 'comma-separated carver names (see `rawcarve types`)', list)
    .option('-j, --jobs <n>', 'worker threads (default: number of cores)', positiveInt('--jobs'))
    .option('-a, --align <bytes>', 'test signatures every N bytes (512 = sectors; 1 = every byte)', positiveInt('--align'), 512)
    .option('-p, --plugin <path|package>', 'load an external carver plugin (repeatable)', collect)
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'plain', 'none']).default('auto'))
    .option('-q, --quiet', 'no progress and no summary')
    .option('-f, --force', "replace a previous run's output in a non-empty OUTDIR")
    .option('-b, --block-size <bytes>', 'cluster size for fragment reassembly (default: inferred from where files start)', positiveInt('--block-size'))
    .option('--no-reassemble', 'do not search for the missing fragments of incomplete files')
    .option('--reassembly-time <seconds>', 'time budget of the whole reassembly pass (default 600)', positiveInt('--reassembly-time'))
    .addOption(new Option('--verify <what>', 'extra verification: decode = fully decode HEIC primary images (slower)').choices(['decode']))
    .action(async (image: string, opts: Parameters<typeof runScan>[1]) => {
      await runScan(image, opts, process.argv.slice(1));
    });

  program
    .command('verify')
    .description('hash every byte of an image: an E01 is checked against its stored MD5/SHA1; raw and split images get MD5 and SHA-256')
    .argument('<image>', 'E01 (first segment), split raw (.001 / .aa), raw file or block device')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'plain', 'none']).default('auto'))
    .action((image: string, opts: { progress?: 'auto' | 'plain' | 'none' }) => {
      const r = runVerify(image, opts);
      if (r.ok === false) throw new Error(`verify: ${image} FAILED verification`);
    });

  program
    .command('types')
    .description('list the available carvers')
    .option('-p, --plugin <path|package>', 'also load an external carver plugin (repeatable)', collect)
    .action(async (opts: { plugin?: string[] }) => {
      process.stdout.write(await runTypes(opts.plugin ?? []));
    });

  program
    .command('demo')
    .description('build a small FAT32 card image from bundled sample photos, delete some, and carve it')
    .option('-o, --output <outdir>', 'output folder', 'rawcarve-demo')
    .option('-f, --force', 'replace a previous demo output')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'plain', 'none']).default('auto'))
    .action(async (opts: { output: string; force?: boolean; progress?: 'auto' | 'plain' | 'none' }) => {
      await runDemo(opts, process.argv.slice(1));
    });
  return program;
}

export async function main(argv: string[]): Promise<number> {
  try {
    await buildProgram().parseAsync(argv);
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      // --help and --version end here with exit code 0.
      return err.exitCode === 0 ? 0 : EXIT_USAGE;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`rawcarve: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`rawcarve: ${err instanceof Error ? err.message : String(err)}\n`);
    return EXIT_ERROR;
  }
}
