import { hostname, platform, release, arch, userInfo } from 'node:os';
import type { ScanResult } from '../pool/scan-image.js';
import { writeDfxmlReport } from './dfxml.js';
import { writeJsonReport } from './json.js';
import { pairLivePhotos } from './live-photos.js';
import type { ScanReport, ScanSummary } from './types.js';

export interface ReportContext {
  toolName: string;
  toolVersion: string;
  commandLine: string[];
  imagePath: string;
  plugins: string[];
  startedAt: Date;
  finishedAt: Date;
}

/** Assembles the report both formats are written from. */
export function buildReport(result: ScanResult, ctx: ReportContext): ScanReport {
  return {
    tool: { name: ctx.toolName, version: ctx.toolVersion, commandLine: ctx.commandLine },
    source: { path: ctx.imagePath, size: result.size, kind: result.sourceKind },
    options: {
      types: result.carvers.map((c) => c.name),
      align: result.align,
      jobs: result.jobs,
      pageSize: result.pageSize,
      margin: result.margin,
      plugins: ctx.plugins,
    },
    startedAt: ctx.startedAt.toISOString(),
    finishedAt: ctx.finishedAt.toISOString(),
    host: { hostname: hostname(), platform: platform(), release: release(), arch: arch(), node: process.version, user: safeUser() },
    files: result.files,
    livePhotos: pairLivePhotos(result.files),
    issues: result.issues,
    summary: summarize(result),
  };
}

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
  };
}

/** Writes report.json and report.xml into OUTDIR. */
export function writeReports(outDir: string, report: ScanReport): { json: string; xml: string } {
  return { json: writeJsonReport(outDir, report), xml: writeDfxmlReport(outDir, report) };
}

function safeUser(): string {
  try {
    return userInfo().username;
  } catch {
    return '';
  }
}
