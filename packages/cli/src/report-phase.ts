/**
 * The end of a scan or merge: the thumbnails of report.html (a phase of its
 * own, timed in report.json summary.gallery), report.json and report.xml,
 * report.html, the audit log's closing events, then the summary on stdout:
 * a screen of text, or with --json one JSON object (progress stays on stderr).
 */
import { resolve } from 'node:path';
import { buildReport, completeRun, writeReports, type ReportContext, type ScanReport, type ScanResult } from '@rawcarve/core';
import { galleryPhase, writeGalleryHtml, type ThumbResult } from '@rawcarve/gallery';
import type { ProgressSink } from './progress.js';
import { renderSummary } from './summary.js';

export interface ReportPhaseOptions {
  outDir: string;
  /** The evidence, to make thumbnails of files that were not written (--report-only). */
  imagePath: string | null;
  jobs?: number;
  /** false: no report.html, no thumbnails (--no-gallery). */
  gallery: boolean;
  /** Budget of the thumbnail phase in seconds (--thumbnail-time). */
  thumbnailSeconds?: number;
  quiet: boolean;
  json: boolean;
}

export async function finishRun(result: ScanResult, ctx: Omit<ReportContext, 'finishedAt'>, o: ReportPhaseOptions, progress: ProgressSink): Promise<ScanReport> {
  let report = buildReport(result, { ...ctx, finishedAt: new Date() });
  let thumbs: ReadonlyMap<string, ThumbResult> = new Map();
  if (o.gallery) {
    progress.phase('thumbnails', `${report.files.length} file(s), previews under ${o.outDir}/report/thumbs`);
    try {
      const run = await galleryPhase({
        outDir: o.outDir,
        report,
        imagePath: o.imagePath,
        ...(o.jobs ? { jobs: o.jobs } : {}),
        ...(o.thumbnailSeconds ? { budgetMs: o.thumbnailSeconds * 1000 } : {}),
        onProgress: (done, total) => progress.items(done, total),
      });
      thumbs = run.thumbs;
      report = { ...report, finishedAt: new Date().toISOString(), summary: { ...report.summary, gallery: run.summary } };
    } catch (err) {
      // Thumbnails are a convenience: the files and reports are what matter, and are written regardless.
      progress.note(`thumbnails failed: ${err instanceof Error ? err.message : String(err)}; report.html is written without them`);
    }
  }
  progress.phase('reports');
  progress.stop();
  const paths: { json: string; xml: string; html?: string } = writeReports(o.outDir, report);
  if (o.gallery) paths.html = writeGalleryHtml(o.outDir, report, thumbs);
  completeRun(result, paths as { json: string; xml: string });
  if (o.json) process.stdout.write(JSON.stringify(jsonSummary(report, o.outDir, paths), null, 2) + '\n');
  else if (!o.quiet) process.stdout.write(renderSummary(report, o.outDir));
  return report;
}

/** What --json prints: the run's identity, where its outputs are, and report.json's summary. */
export function jsonSummary(report: ScanReport, outDir: string, paths: { json: string; xml: string; html?: string }): Record<string, unknown> {
  const s = report.source;
  return {
    tool: { name: report.tool.name, version: report.tool.version },
    source: { path: s.path, size: s.size, kind: s.kind, md5: s.md5, sha256: s.sha256, ...(s.sha1 !== undefined ? { sha1: s.sha1 } : {}) },
    outDir: resolve(outDir),
    reports: { json: resolve(paths.json), xml: resolve(paths.xml), ...(paths.html ? { html: resolve(paths.html) } : {}) },
    reportOnly: report.options.reportOnly,
    filter: report.options.filter,
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    livePhotos: report.livePhotos.length,
    summary: report.summary,
  };
}
