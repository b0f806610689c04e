import { existsSync, mkdirSync, readdirSync, realpathSync, rmSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, isAbsolute } from 'node:path';
import { UsageError } from '../errors.js';


/** What a run writes into OUTDIR; with --force exactly these are removed first, nothing else. */
const OUR_OUTPUTS = [
  'files', 'report.json', 'report.xml', 'report.html', 'report', 'scan.log', 'audit.log',
  '.rawcarve-checkpoint.json', '.rawcarve-checkpoint.json.tmp', '.rawcarve-pages.jsonl', '.rawcarve-files.jsonl',
];

/**
 * Makes OUTDIR ready: created if missing; refused if not empty (unless
 * `force`, or `resume`: an interrupted run's output is continued); refused if
 * it would put output beside or over the evidence. `files` false (--report-only): no files/ folder.
 */
export function prepareOutDir(outDir: string, imagePath: string, force: boolean, resume = false, files = true): void {
  const out = resolve(outDir);
  const image = realpathSync(imagePath);
  const imageDir = dirname(image);
  if (out === image || out === imageDir || (existsSync(out) && realpathSync(out) === imageDir)) {
    throw new UsageError(`output folder ${outDir} is the evidence's own folder; choose a separate folder (evidence is never written beside)`);
  }
  if (isInside(image, out)) throw new UsageError(`output folder ${outDir} would contain the evidence image ${imagePath}; choose another folder`);
  if (existsSync(out)) {
    if (!statSync(out).isDirectory()) throw new UsageError(`output path ${outDir} exists and is not a folder`);
    const entries = readdirSync(out);
    if (entries.length > 0 && !resume) {
      if (!force) throw new UsageError(`output folder ${outDir} is not empty; use --force to replace a previous run's output, or choose an empty folder`);
      for (const name of OUR_OUTPUTS) rmSync(join(out, name), { recursive: true, force: true });
    }
  }
  mkdirSync(files ? join(out, 'files') : out, { recursive: true });
}

function isInside(path: string, folder: string): boolean {
  const rel = relative(folder, path);
  return rel !== '' && !rel.startsWith('..') && !isAbsolute(rel);
}

/**
 * A file's name is its image offset, zero-padded to the image size's width
 * (at least 10 digits) so that names sort by position and trace back to the
 * evidence. Nothing read from the image ever becomes part of a path.
 */
export function outputName(type: string, imgOffset: number, imageSize: number, extension: string): string {
  const width = Math.max(10, String(imageSize).length);
  return `files/${type}/f${String(imgOffset).padStart(width, '0')}.${extension}`;
}
