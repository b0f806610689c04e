import type { ReportSource, ScanReport } from './types.js';
import { esc } from './dfxml-escape.js';

type Hashes = { md5?: string | null; sha1?: string | null; sha256?: string | null };

/** `<source>`: the image path given, and for an E01 every segment file read. */
export function sourceElement(s: ReportSource): string[] {
  const names = [s.path, ...(s.ewf?.segments.filter((p) => p !== s.path) ?? [])];
  return [`  <source>`, ...names.map((n) => `    <image_filename>${esc(n)}</image_filename>`), `  </source>`];
}

/**
 * `<diskimageobject>`: the image's size and kind, E01 case metadata and
 * stored hashes (rawcarve namespace, where the schema admits other
 * namespaces), then the bytes read as DFXML byte runs carrying their
 * hashdigests: the whole image, the scanned range, or each merged shard.
 */
export function diskImageElement(r: ScanReport): string[] {
  const s = r.source;
  const o: string[] = [`  <diskimageobject>`];
  o.push(`    <rc:imagesize>${s.size}</rc:imagesize>`);
  o.push(`    <rc:source_kind>${esc(s.kind)}</rc:source_kind>`);
  if (s.hashNote) o.push(`    <rc:hash_note>${esc(s.hashNote)}</rc:hash_note>`);
  if (s.ewf) o.push(...ewfElement(s.ewf));
  for (const sh of s.shards ?? []) {
    o.push(`    <rc:shard out_dir="${esc(sh.outDir)}" img_offset="${sh.range.start}" len="${sh.range.length}" started="${esc(sh.startedAt)}" finished="${esc(sh.finishedAt)}" host="${esc(sh.host)}"/>`);
  }
  if (s.coverage) o.push(`    <rc:coverage complete="${s.coverage.complete}" gaps="${s.coverage.gaps.length}" overlaps="${s.coverage.overlaps.length}"/>`);
  for (const x of r.resumes) o.push(`    <rc:resume at="${esc(x.at)}" from_offset="${x.fromOffset}">${esc(x.commandLine.join(' '))}</rc:resume>`);
  const runs: { start: number; length: number; h: Hashes }[] = [];
  if (s.md5 || s.sha256 || s.sha1) runs.push({ start: 0, length: s.size, h: s });
  else if (s.range) runs.push({ start: s.range.start, length: s.range.length, h: s.range });
  else for (const sh of s.shards ?? []) runs.push({ start: sh.range.start, length: sh.range.length, h: sh });
  if (runs.length > 0) {
    o.push(`    <byte_runs>`);
    for (const run of runs) {
      o.push(`      <byte_run img_offset="${run.start}" len="${run.length}">`);
      for (const [type, v] of [['md5', run.h.md5], ['sha1', run.h.sha1], ['sha256', run.h.sha256]] as const) {
        if (v) o.push(`        <hashdigest type="${type}">${v}</hashdigest>`);
      }
      o.push(`      </byte_run>`);
    }
    o.push(`    </byte_runs>`);
  }
  if (s.ewf) o.push(`    <sector_size>${s.ewf.bytesPerSector}</sector_size>`);
  o.push(`  </diskimageobject>`);
  return o;
}

const CASE_ELEMENTS: [keyof NonNullable<NonNullable<ReportSource['ewf']>['case']>, string][] = [
  ['caseNumber', 'case_number'], ['evidenceNumber', 'evidence_number'], ['examiner', 'examiner'], ['description', 'description'],
  ['notes', 'notes'], ['acquiryDate', 'acquiry_date'], ['systemDate', 'system_date'], ['acquiryOperatingSystem', 'acquiry_os'],
  ['acquirySoftwareVersion', 'acquiry_software'], ['model', 'model'], ['serialNumber', 'serial_number'], ['deviceLabel', 'device_label'],
];

function ewfElement(e: NonNullable<ReportSource['ewf']>): string[] {
  const o = [`    <rc:ewf chunk_size="${e.chunkSize}" bytes_per_sector="${e.bytesPerSector}" sector_count="${e.sectorCount}">`];
  for (const seg of e.segments) o.push(`      <rc:segment>${esc(seg)}</rc:segment>`);
  for (const [key, el] of CASE_ELEMENTS) {
    const v = e.case?.[key];
    if (v) o.push(`      <rc:${el}>${esc(v)}</rc:${el}>`);
  }
  for (const a of ['md5', 'sha1'] as const) {
    const v = e.storedHashes[a];
    if (!v) continue;
    const m = e.hashesMatch?.[a];
    o.push(`      <rc:stored_hash type="${a}" matches="${m === undefined ? 'not compared' : m}">${v}</rc:stored_hash>`);
  }
  for (const a of e.acquiryErrors) o.push(`      <rc:acquiry_error first_sector="${a.firstSector}" sectors="${a.sectorCount}"/>`);
  for (const w of e.warnings) o.push(`      <rc:warning>${esc(w)}</rc:warning>`);
  o.push(`    </rc:ewf>`);
  return o;
}
