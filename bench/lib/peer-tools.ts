/**
 * How rawcarve and its open-source peers (PhotoRec, foremost, scalpel from
 * Debian: scripts/install-bench-tools.sh) are invoked on an image, and which
 * of their output files are recovered files. Shared by bench/peers.ts and
 * bench/run.ts --peers.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command } from './measure.js';

export const ROOT = resolve(import.meta.dirname, '../..');
export const CLI_MAIN = join(ROOT, 'packages/cli/dist/main.js');
export const TOOLS = ['rawcarve', 'photorec', 'foremost', 'scalpel'] as const;
export type Tool = (typeof TOOLS)[number];
export type PeerTool = Exclude<Tool, 'rawcarve'>;

/** How one tool is run and where its recovered files end up. */
export interface Invocation extends Command {
  /** Folder holding the recovered files. */
  resultDir: string;
  /** The tool's own logs and reports inside resultDir, which are not recovered files. */
  ignore: (relPath: string) => boolean;
  /** Explains a failure the exit code hides (PhotoRec exits 0 on a /cmd syntax error). */
  failure?: () => string | undefined;
  /** Embedded previews the tool writes as files of their own: junk to the scorer, but not false hits. */
  thumbnails?: RegExp;
}

export function parseTools(list: string): Tool[] {
  return list
    .split(',')
    .filter((t) => t !== '')
    .map((t) => {
      if (!(TOOLS as readonly string[]).includes(t)) throw new Error(`unknown tool ${t} (known: ${TOOLS.join(', ')})`);
      return t as Tool;
    });
}

export function binaryFor(tool: Tool): string {
  return tool === 'rawcarve' ? process.execPath : tool;
}

/** The command line as a person would type it. */
export function commandLine(inv: Command): string {
  return [inv.cmd === process.execPath ? 'node' : inv.cmd, ...inv.args].join(' ');
}

/** Scalpel ships with every rule commented out; these are its stock JPEG rules. */
function writeScalpelConf(path: string): void {
  // No MOV/MP4 rules: scalpel's are header-only with a fixed carve size, so
  // every video would come back as a max-size chunk, never exact.
  writeFileSync(
    path,
    [
      '# stock /etc/scalpel/scalpel.conf JPEG rules, uncommented',
      'jpg\ty\t5242880\t\\xff\\xd8\\xff???Exif\t\\xff\\xd9\tREVERSE',
      'jpg\ty\t5242880\t\\xff\\xd8\\xff???JFIF\t\\xff\\xd9\tREVERSE',
      '',
    ].join('\n'),
  );
}

/** `out` is the per-image folder; each tool writes into `out/<tool>`. */
export function invocationFor(tool: Tool, image: string, out: string): Invocation {
  const dir = join(out, tool);
  const none = (): boolean => false;
  switch (tool) {
    case 'rawcarve':
      return {
        cmd: process.execPath,
        args: [CLI_MAIN, 'scan', image, '-o', dir, '--quiet', '--force', '--no-gallery'], // the scan is measured, not the report.html thumbnails
        cwd: ROOT,
        resultDir: join(dir, 'files'),
        ignore: none,
      };
    case 'photorec': {
      mkdirSync(dir, { recursive: true });
      const log = join(dir, 'photorec.log');
      return {
        cmd: 'photorec',
        // "mov" is PhotoRec's whole ISO-BMFF family (mov/mp4/3gp/heic); "mp4" and "heic" are rejected as names.
        args: ['/log', '/d', join(dir, 'recup'), '/cmd', image,
          'partition_none,options,paranoid,keep_corrupted_file_no,fileopt,everything,disable,jpg,enable,mov,enable,search'],
        // photorec.log is written to the working directory.
        cwd: dir,
        resultDir: dir,
        ignore: (p) => p === 'photorec.log' || /^recup\.\d+\/report\.xml$/.test(p),
        // PhotoRec saves each JPEG's EXIF thumbnail as t<sector>.jpg beside f<sector>.jpg.
        thumbnails: /^recup\.\d+\/t\d+\.jpg$/,
        failure: () => {
          const text = existsSync(log) ? readFileSync(log, 'utf8') : '';
          return /syntax error/i.exec(text) ? text.split('\n').find((l) => /syntax error/i.test(l)) : undefined;
        },
      };
    }
    case 'foremost':
      return {
        cmd: 'foremost',
        args: ['-Q', '-i', image, '-o', dir, '-t', 'jpg,mov,mp4'],
        cwd: out,
        resultDir: dir,
        ignore: (p) => p === 'audit.txt',
      };
    case 'scalpel': {
      const conf = join(out, 'scalpel.conf');
      writeScalpelConf(conf);
      return { cmd: 'scalpel', args: ['-c', conf, '-o', dir, image], cwd: out, resultDir: dir, ignore: (p) => p === 'audit.txt' };
    }
  }
}
