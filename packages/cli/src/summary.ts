import type { ScanReport } from '@rawcarve/core';
import { formatBytes, formatDuration } from './format.js';

/** The one-screen summary printed at the end of a scan. */
export function renderSummary(report: ScanReport, outDir: string): string {
  const s = report.summary;
  const lines: string[] = [];
  lines.push(`rawcarve ${report.tool.version}: ${report.source.path} (${formatBytes(report.source.size)})`);
  lines.push('');
  lines.push('  type      complete  truncated  damaged');
  for (const [type, c] of Object.entries(s.byType)) {
    lines.push(`  ${type.padEnd(8)} ${String(c.complete).padStart(9)} ${String(c.truncated).padStart(10)} ${String(c.damaged).padStart(8)}`);
  }
  lines.push('');
  if (report.options.reportOnly) lines.push(`  files found        ${s.filesWritten} (${formatBytes(s.bytesWritten)}), none written (--report-only); duplicates ${s.duplicates}`);
  else lines.push(`  files written      ${s.filesWritten} (${formatBytes(s.bytesWritten)}), duplicates not rewritten ${s.duplicates}`);
  const fl = s.filtered;
  if (fl && fl.bySize + fl.byPixels + fl.byDate > 0) {
    lines.push(`  filtered           ${fl.bySize + fl.byPixels + fl.byDate} not written: ${fl.bySize} by --min-size, ${fl.byPixels} by --min-pixels, ${fl.byDate} by date; listed in report.json "filtered"`);
  }
  if (fl && fl.undated > 0) lines.push(`  undated            ${fl.undated} file(s) without a date taken, kept despite --since/--until (noted in report.json)`);
  lines.push(`  candidates         ${s.hits} signature hits, ${s.rejected} rejected by validation, ${s.suppressed} inside other files`);
  if (s.typeMismatches > 0) lines.push(`  type check         ${s.typeMismatches} file(s) whose magic numbers disagree with the carver: see report.json`);
  if (s.issues > 0) lines.push(`  issues             ${s.issues} (read errors, carver failures): see report.json "issues"`);
  lines.push(`  scanned            ${formatBytes(s.bytesScanned)} in ${formatDuration(s.elapsedSeconds)} (${formatBytes(s.bytesPerSecond)}/s)`);
  const ra = s.reassembly;
  if (ra.attempted > 0) {
    lines.push(
      `  reassembly         ${ra.rebuilt} of ${ra.attempted} incomplete files rebuilt from fragments, ${ra.trials} trial assemblies, ${(ra.ms / 1000).toFixed(1)}s; clusters ${ra.blockSize} B${ra.blockSizeGiven ? ' (--block-size)' : ` at +${ra.blockBase} (${s.fs ? 'the file system\'s' : 'inferred'})`}`,
    );
  }
  for (const v of s.fileSystems ?? []) {
    const where = v.scheme === 'none' ? 'at the image start' : `${v.scheme.toUpperCase()} partition ${v.partitionIndex}`;
    lines.push(
      `  file system        ${v.type} ${where}, ${formatBytes(v.clusterSize)} clusters: ${v.liveEntries} live and ${v.deletedEntries} deleted file entries; ` +
        `${v.matched} carved file(s) matched (${v.matchedDeleted} deleted)${report.options.freeSpaceOnly ? `; searched its free space only (${formatBytes(v.freeBytes)})` : ''}`,
    );
  }
  const g = s.gallery;
  if (g) lines.push(`  thumbnails         ${g.files} in ${(g.ms / 1000).toFixed(1)}s: ${g.embedded} embedded previews, ${g.decoded} decoded, ${g.posterFrames} poster frames, ${g.placeholders} placeholders${g.failed ? ` (${g.failed} failed)` : ''}`);
  lines.push(`  peak memory        ${formatBytes(s.peakRssBytes)}`);
  lines.push(...sourceLines(report));
  if (report.resumes.length > 0) lines.push(`  resumed            ${report.resumes.length} time(s); the files are those of one uninterrupted run`);
  lines.push(`  output             ${report.options.reportOnly ? '' : `${outDir}/files, `}${outDir}/report.xml, ${outDir}/report.json, ${g ? `${outDir}/report.html, ` : ''}${outDir}/audit.log`);
  return lines.join('\n') + '\n';
}

/** Image hashes (whole image, range or shards) and an E01's stored-hash verdict. */
function sourceLines(report: ScanReport): string[] {
  const src = report.source;
  const out: string[] = [];
  const hashes = (h: { md5?: string | null; sha1?: string | null; sha256?: string | null }): string =>
    [['MD5', h.md5], ['SHA1', h.sha1], ['SHA-256', h.sha256]].filter(([, v]) => v).map(([k, v]) => `${k} ${v}`).join(', ');
  if (src.md5 || src.sha256) out.push(`  image hashes       ${hashes(src)}`);
  else if (src.range) out.push(`  range hashes       bytes ${src.range.start}..${src.range.start + src.range.length}: ${hashes(src.range) || 'not computed'}`);
  else if (src.shards) out.push(`  image hashes       not computed for a merged run (each shard's range hash is in report.json source.shards)`);
  const m = src.ewf?.hashesMatch;
  if (src.ewf && m) {
    for (const a of ['md5', 'sha1'] as const) {
      if (m[a] !== undefined) out.push(`  E01 stored ${a.toUpperCase().padEnd(7)} ${m[a] ? 'matches the data read' : `MISMATCH: stored ${src.ewf.storedHashes[a]}`}`);
    }
  }
  return out;
}
