import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, buildReport, resolvePluginUrl, scanImage, writeReports, type ScanReport } from '@rawcarve/core';
import { builtinCarverModule } from './builtins.js';
import { createProgress, type ProgressMode } from './progress.js';
import { renderSummary } from './summary.js';
import { TOOL_NAME, VERSION } from './version.js';

export interface ScanCommandOptions {
  output: string;
  types?: string[];
  jobs?: number;
  align?: number;
  plugin?: string[];
  progress?: ProgressMode;
  force?: boolean;
  quiet?: boolean;
  verify?: 'decode';
  blockSize?: number;
  reassemble?: boolean;
  reassemblyTime?: number;
}

/** `rawcarve scan`: carve an image into OUTDIR and write both reports. */
export async function runScan(image: string, o: ScanCommandOptions, argv: string[]): Promise<ScanReport> {
  if (!existsSync(image)) throw new UsageError(`image ${image} not found; give the path of a raw image file or a block device`);
  const plugins = o.plugin ?? [];
  const startedAt = new Date();
  const progress = createProgress(o.quiet ? 'none' : (o.progress ?? 'auto'));
  let result;
  try {
    result = await scanImage(
      {
        imagePath: image,
        outDir: o.output,
        carverModules: [builtinCarverModule(), ...plugins.map((p) => resolvePluginUrl(p))],
        ...(o.types ? { types: o.types } : {}),
        ...(o.jobs ? { jobs: o.jobs } : {}),
        ...(o.align ? { align: o.align } : {}),
        force: o.force ?? false,
        ...(o.verify ? { verify: [o.verify] } : {}),
        ...(o.blockSize ? { blockSize: o.blockSize } : {}),
        reassemble: o.reassemble ?? true,
        ...(o.reassemblyTime ? { reassemblyMs: o.reassemblyTime * 1000 } : {}),
      },
      {
        onProgress: (p) => progress.update(p),
        onReassembly: (r) => progress.note(`reassembling ${r.files} incomplete file(s) from their fragments (at most ${Math.round(r.budgetMs / 1000)} s)`),
      },
    );
  } finally {
    progress.stop();
  }
  const report = buildReport(result, {
    toolName: TOOL_NAME,
    toolVersion: VERSION,
    commandLine: argv,
    imagePath: resolve(image),
    plugins,
    startedAt,
    finishedAt: new Date(),
  });
  writeReports(o.output, report);
  if (!o.quiet) process.stdout.write(renderSummary(report, o.output));
  return report;
}
