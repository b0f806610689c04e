import { hostFacts } from '../audit/host.js';
import { dateTaken, filtersByDate } from '../output/filter.js';
import type { ScanResult } from '../pool/scan-types.js';
import { writeDfxmlReport } from './dfxml.js';
import { writeJsonReport } from './json.js';
import { pairLivePhotos } from './live-photos.js';
import type { Carver } from '../carver.js';
import { DEFAULT_BUDGET, DEFAULT_REASSEMBLY_MS } from '../reassemble/index.js';
import type { ReassemblyLimits, ReportLimits, ScanReport, ScanSummary } from './types.js';

/** What the reports say about the run that the scan result does not know. */
export interface ReportContext {
  /** Tool name for the reports. */
  toolName: string;
  /** Tool version. */
  toolVersion: string;
  /** The command line as typed (a resumed run reports its first). */
  commandLine: string[];
  /** The image path for `source.path` (resolved). */
  imagePath: string;
  /** --plugin values as typed. */
  plugins: string[];
  /** When the command started. */
  startedAt: Date;
  /** When the reports are written. */
  finishedAt: Date;
}

/**
 * Assembles the report both formats are written from. A resumed run reports
 * the command line and start of the run it continued, and lists its resumes.
 */
export function buildReport(result: ScanResult, ctx: ReportContext): ScanReport {
  const resumed = result.run.resumes.length > 0;
  return {
    tool: { name: ctx.toolName, version: ctx.toolVersion, commandLine: resumed ? result.run.commandLine : ctx.commandLine },
    source: { ...result.source, path: ctx.imagePath },
    options: {
      types: result.carvers.map((c) => c.name),
      align: result.align,
      jobs: result.jobs,
      pageSize: result.pageSize,
      margin: result.margin,
      plugins: resumed ? (result.run.plugins ?? []) : ctx.plugins,
      range: result.range,
      imageHashes: [...result.hashAlgorithms],
      reportOnly: result.reportOnly,
      filter: result.filter,
      freeSpaceOnly: result.freeSpaceOnly ?? false,
      limits: limitsInForce(result),
    },
    startedAt: resumed ? result.run.startedAt : ctx.startedAt.toISOString(),
    finishedAt: ctx.finishedAt.toISOString(),
    resumes: result.run.resumes.map((r) => ({ ...r, commandLine: [...r.commandLine] })),
    host: hostFacts(),
    files: result.files,
    livePhotos: pairLivePhotos(result.files),
    filtered: result.filtered,
    issues: result.issues,
    summary: summarize(result),
  };
}

/**
 * report.json options.limits: the largest file by carver (--max-file-size,
 * else the carver's own), each carver's fixed work bounds, and reassembly's.
 */
export function limitsInForce(result: Pick<ScanResult, 'carvers' | 'limits'>): ReportLimits {
  return {
    maxFileSize: result.limits?.maxFileSize ?? Object.fromEntries(result.carvers.map((c) => [c.name, c.maxFileSize])),
    carvers: carverLimits(result.carvers),
    reassembly: reassemblyLimits(result.limits?.reassemblyMs ?? DEFAULT_REASSEMBLY_MS),
  };
}

/** Carver.limits by carver name, copied (a report must not alias a plugin's object); carvers without any are left out. */
function carverLimits(carvers: readonly Carver[]): Record<string, Record<string, number>> {
  const out: Record<string, Record<string, number>> = {};
  for (const c of carvers) if (c.limits) out[c.name] = { ...c.limits };
  return out;
}

/** The reassembly pass searches every file with DEFAULT_BUDGET (the pass passes no other). */
function reassemblyLimits(passMs: number): ReassemblyLimits {
  const b = DEFAULT_BUDGET;
  return { maxTrials: b.maxTrials, maxBytes: b.maxBytes, maxMs: b.maxMs, maxFragments: b.maxFragments, maxPassMs: passMs };
}

/** The `summary` section from a scan result's totals and files. */
export function summarize(result: ScanResult): ScanSummary {
  const t = result.totals;
  const byType: ScanSummary['byType'] = {};
  for (const c of result.carvers) byType[c.name] = { complete: 0, truncated: 0, damaged: 0 };
  for (const f of result.files) (byType[f.type] ??= { complete: 0, truncated: 0, damaged: 0 })[f.status]++;
  const seconds = t.elapsedMs / 1000;
  return {
    filesWritten: result.files.length,
    byType,
    duplicates: result.files.reduce((n, f) => n + f.duplicates.length, 0),
    bytesScanned: t.bytesScanned,
    bytesWritten: result.files.reduce((n, f) => n + f.size, 0),
    hits: t.hits,
    rejected: t.rejected,
    suppressed: t.suppressed,
    trimmed: t.trimmed,
    uniformBytesSkipped: t.uniformBytes,
    typeMismatches: result.files.filter((f) => !f.typeCheck.matches).length,
    issues: result.issues.length,
    elapsedSeconds: Math.round(seconds * 1000) / 1000,
    bytesPerSecond: seconds > 0 ? Math.round(t.bytesScanned / seconds) : 0,
    peakRssBytes: process.resourceUsage().maxRSS * 1024,
    phasesMs: {
      read: Math.round(t.readMs),
      search: Math.round(t.searchMs),
      carve: Math.round(t.carveMs),
      write: Math.round(t.writeMs),
      describe: Math.round(t.describeMs),
    },
    reassembly: { ...t.reassembly, ms: Math.round(t.reassembly.ms) },
    filtered: {
      bySize: result.filtered.filter((f) => f.reason === 'size').length,
      byPixels: result.filtered.filter((f) => f.reason === 'pixels').length,
      byDate: result.filtered.filter((f) => f.reason === 'date').length,
      undated: filtersByDate(result.filter) ? result.files.filter((f) => dateTaken(f.metadata) === null).length : 0,
    },
    fs: result.fileSystems?.[0] ?? null,
    fileSystems: result.fileSystems ?? [],
  };
}

/** Writes report.json and report.xml into OUTDIR. */
export function writeReports(outDir: string, report: ScanReport): { json: string; xml: string } {
  return { json: writeJsonReport(outDir, report), xml: writeDfxmlReport(outDir, report) };
}
