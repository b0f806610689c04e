import { Command, CommanderError, InvalidArgumentError, Option } from 'commander';
import { OutputWriteError, ScanInterrupted, UsageError, parseByteCount, parseMaxFileSizes, parseDateBound, parsePixels, parseShard } from '@rawcarve/core';
import { runDemo } from './demo-command.js';
import { runMerge, type MergeCommandOptions } from './merge-command.js';
import { RUN_SHAPING_OPTIONS, runScan, type ScanCommandOptions } from './scan-command.js';
import { runTypes } from './types-command.js';
import { runVerify } from './verify-command.js';
import { VERSION } from './version.js';

/** Exit codes: 0 done, 1 error while running, 2 usage, 130 interrupted (Ctrl-C; continue with --resume). */
const EXIT_ERROR = 1;
const EXIT_USAGE = 2;
const EXIT_INTERRUPTED = 130;

function positiveInt(name: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < 1) throw new InvalidArgumentError(`${name} must be a positive integer`);
    return n;
  };
}
const collect = (v: string, prev: string[] = []): string[] => [...prev, v];
/** Core parsers throw UsageError; commander wants InvalidArgumentError to print its usage hint. */
const usage = <T>(parse: (v: string) => T) => (v: string): T => {
  try {
    return parse(v);
  } catch (err) {
    throw new InvalidArgumentError(err instanceof Error ? err.message : String(err));
  }
};
const bytes = (name: string) => usage((v) => {
  const n = parseByteCount(v, name);
  if (n < 1) throw new Error(`${name} must be at least 1 byte`);
  return n;
});
const seconds = (name: string) => (v: string): number => {
  const n = Number(v);
  if (!Number.isFinite(n) || n < 0) throw new InvalidArgumentError(`${name} must be a number of seconds, 0 or more`);
  return n;
};
/** --max-file-size may be given more than once: later values win per type. */
const mergeMaxFileSizes = (v: string, prev?: Record<string, number>): Record<string, number> => ({ ...prev, ...usage(parseMaxFileSizes)(v) });
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
    .option('--resume', 'continue the interrupted scan in OUTDIR (same image; its settings are kept)')
    .option('--range <start:length>', 'scan only this part of the image, in bytes with K/M/G/T suffixes (e.g. 64G:64G; START: = to the end)')
    .option('--shard <i/n>', 'scan shard I of N (I from 0): N ranges of whole pages, combined later by rawcarve merge', usage(parseShard))
    .option('--sha1', 'also compute the image SHA-1 (MD5 and SHA-256 are always computed)')
    .option('--no-image-hash', 'do not hash the image during the scan')
    .option('--free-space-only', 'search only the free clusters of the FAT/exFAT volumes found (and space outside them): deleted files, not live ones')
    .option('--page-size <bytes>', 'scanner page size (default 16M): the unit of work and of checkpoints', bytes('--page-size'))
    .option('--checkpoint-interval <seconds>', 'seconds between checkpoints for --resume (default 2; 0 = after every page)', seconds('--checkpoint-interval'))
    .option('--min-size <bytes>', 'do not write files smaller than this (K/M/G suffixes); report.json lists them in "filtered"', bytes('--min-size'))
    .option('--min-pixels <n|WxH>', 'do not write still images with fewer pixels than this (76800, or 320x240 for 320 x 240)', usage(parsePixels))
    .option('--since <date>', 'do not write files taken before this date (2024-06-01 or 2024-06-01T18:30; files without a date are kept)', usage((v) => parseDateBound(v, '--since')))
    .option('--until <date>', 'do not write files taken after this date (a date alone: to its end)', usage((v) => parseDateBound(v, '--until')))
    .option('--max-file-size <type=size,...>', 'largest file to carve per type, K/M/G/T suffixes (e.g. jpeg=64M,mov=8G); a longer file is kept up to the limit as truncated', mergeMaxFileSizes)
    .option('--report-only', 'find, validate, hash and report every file, but write none (no files/ folder)')
    .option('--json', 'print the final summary as JSON on stdout (progress stays on stderr)')
    .option('--no-gallery', 'do not make report.html and its thumbnails')
    .option('--thumbnail-time <seconds>', 'time budget of the thumbnail phase (default 600; what is not done gets a placeholder)', positiveInt('--thumbnail-time'))
    .action(async (image: string, opts: ScanCommandOptions, cmd: Command) => {
      if (opts.resume) {
        const typed = RUN_SHAPING_OPTIONS.filter((name) => cmd.getOptionValueSource(name) === 'cli');
        if (typed.length > 0) throw new UsageError(`--resume continues with the interrupted run's settings; leave out ${typed.map((n) => `--${kebab(n)}`).join(', ')}`);
      }
      await runScan(image, opts, process.argv.slice(1));
    });

  program
    .command('merge')
    .description('combine the outputs of shard scans (--range / --shard) of one image into one set of files and reports')
    .argument('<outdirs...>', 'output folders of finished shard scans')
    .requiredOption('-o, --output <outdir>', 'output folder for the merged files and reports (must be empty unless --force)')
    .option('--image <path>', 'the image the shards scanned, if not at the path they recorded (reassembly reads it)')
    .option('-j, --jobs <n>', 'worker threads (default: number of cores)', positiveInt('--jobs'))
    .option('-p, --plugin <path|package>', 'carver plugins the shards used (repeatable)', collect)
    .option('-f, --force', "replace a previous merge's output in a non-empty OUTDIR")
    .option('--rehash', 'read the whole image once more for its MD5/SHA-256 (shard hashes cannot be combined)')
    .addOption(new Option('--progress <mode>', 'progress on stderr').choices(['auto', 'plain', 'none']).default('auto'))
    .option('-q, --quiet', 'no summary')
    .option('--json', 'print the final summary as JSON on stdout')
    .option('--no-gallery', 'do not make report.html and its thumbnails')
    .action(async (dirs: string[], opts: MergeCommandOptions) => {
      await runMerge(dirs, opts, process.argv.slice(1));
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
    if (err instanceof ScanInterrupted) {
      process.stderr.write(`rawcarve: ${err.message}\n`);
      return EXIT_INTERRUPTED;
    }
    if (err instanceof UsageError) {
      process.stderr.write(`rawcarve: ${err.message}\n`);
      return EXIT_USAGE;
    }
    process.stderr.write(`rawcarve: ${err instanceof Error ? err.message : String(err)}${outputHint(err)}\n`);
    return EXIT_ERROR;
  }
}

/** A disk-full or permission error outside the file writes (checkpoint, journals, reports): say what to do. */
function outputHint(err: unknown): string {
  if (err instanceof OutputWriteError) return ''; // says it already
  const code = (err as NodeJS.ErrnoException | null)?.code;
  if (code === 'ENOSPC' || code === 'EDQUOT') return ' (the output disk is full: free space, then run the same command with --resume)';
  if (code === 'EACCES' || code === 'EPERM' || code === 'EROFS') return ' (the output folder is not writable: fix that, then run the same command with --resume)';
  return '';
}

function kebab(name: string): string {
  const flag = name === 'reassemble' ? 'noReassemble' : name === 'imageHash' ? 'noImageHash' : name;
  return flag.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`);
}
