import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { UsageError, mergeShards, resolvePluginUrl, type ScanReport } from '@rawcarve/core';
import { builtinCarverModule } from './builtins.js';
import { createProgress, type ProgressMode } from './progress.js';
import { finishRun } from './report-phase.js';
import { TOOL_NAME, VERSION } from './version.js';

export interface MergeCommandOptions {
  output: string;
  image?: string;
  jobs?: number;
  plugin?: string[];
  force?: boolean;
  rehash?: boolean;
  quiet?: boolean;
  progress?: ProgressMode;
  json?: boolean;
  gallery?: boolean;
}

/** `rawcarve merge OUT1 OUT2 ... -o OUT`: one set of files and reports from shard outputs. */
export async function runMerge(shardDirs: string[], o: MergeCommandOptions, argv: string[]): Promise<ScanReport> {
  for (const d of shardDirs) if (!existsSync(d)) throw new UsageError(`shard output ${d} not found`);
  const plugins = o.plugin ?? [];
  const startedAt = new Date();
  const progress = createProgress(o.quiet ? 'none' : (o.progress ?? 'auto'));
  let result;
  try {
    result = await mergeShards(
      {
        shardDirs,
        outDir: o.output,
        ...(o.image ? { imagePath: o.image } : {}),
        carverModules: [builtinCarverModule(), ...plugins.map((p) => resolvePluginUrl(p))],
        ...(o.jobs ? { jobs: o.jobs } : {}),
        force: o.force ?? false,
        rehash: o.rehash ?? false,
        tool: { name: TOOL_NAME, version: VERSION, commandLine: argv },
      },
      { onReassembly: (r) => progress.phase('reassembly', `reassembling ${r.files} incomplete file(s) across all shards (at most ${Math.round(r.budgetMs / 1000)} s)`) },
    );
  } finally {
    progress.stop();
  }
  return finishRun(
    result,
    { toolName: TOOL_NAME, toolVersion: VERSION, commandLine: argv, imagePath: result.source.path, plugins, startedAt },
    { outDir: o.output, imagePath: result.source.path, ...(o.jobs ? { jobs: o.jobs } : {}), gallery: o.gallery ?? true, quiet: o.quiet ?? false, json: o.json ?? false },
    progress,
  );
}
