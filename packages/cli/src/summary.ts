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
  lines.push(`  files written      ${s.filesWritten} (${formatBytes(s.bytesWritten)}), duplicates not rewritten ${s.duplicates}`);
  lines.push(`  candidates         ${s.hits} signature hits, ${s.rejected} rejected by validation, ${s.suppressed} inside other files`);
  if (s.typeMismatches > 0) lines.push(`  type check         ${s.typeMismatches} file(s) whose magic numbers disagree with the carver: see report.json`);
  if (s.issues > 0) lines.push(`  issues             ${s.issues} (read errors, carver failures): see report.json "issues"`);
  lines.push(`  scanned            ${formatBytes(s.bytesScanned)} in ${formatDuration(s.elapsedSeconds)} (${formatBytes(s.bytesPerSecond)}/s)`);
  const ra = s.reassembly;
  if (ra.attempted > 0) {
    lines.push(
      `  reassembly         ${ra.rebuilt} of ${ra.attempted} incomplete files rebuilt from fragments, ${ra.trials} trial assemblies, ${(ra.ms / 1000).toFixed(1)}s; clusters ${ra.blockSize} B${ra.blockSizeGiven ? ' (--block-size)' : ` at +${ra.blockBase} (inferred)`}`,
    );
  }
  lines.push(`  peak memory        ${formatBytes(s.peakRssBytes)}`);
  lines.push(...sourceLines(report));
  if (report.resumes.length > 0) lines.push(`  resumed            ${report.resumes.length} time(s); the files are those of one uninterrupted run`);
  lines.push(`  output             ${outDir}/files, ${outDir}/report.xml, ${outDir}/report.json, ${outDir}/audit.log`);
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
