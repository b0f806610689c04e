import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MetadataValue } from '../carver.js';
import { diskImageElement, sourceElement } from './dfxml-source.js';
import { esc } from './dfxml-escape.js';
import { fileSystemElements, fsExtensionElement, fsStandardElements } from './dfxml-fs.js';
import type { FileRecord, ScanReport } from './types.js';

export { esc } from './dfxml-escape.js';

const DFXML_NS = 'http://www.forensicswiki.org/wiki/Category:Digital_Forensics_XML';
/** Our extension elements: the schema admits other namespaces (processContents="lax") where we use them. */
export const RAWCARVE_NS = 'urn:rawcarve:dfxml:1';

/** OUTDIR/report.xml in DFXML 2.0 (validates against the working group's dfxml.xsd). */
export function writeDfxmlReport(outDir: string, report: ScanReport): string {
  const path = join(outDir, 'report.xml');
  writeFileSync(path, renderDfxml(report));
  return path;
}

/** The DFXML 2.0 text of a report. */
export function renderDfxml(r: ScanReport): string {
  const out: string[] = [];
  out.push(`<?xml version="1.0" encoding="UTF-8"?>`);
  out.push(`<dfxml xmlns="${DFXML_NS}" xmlns:dc="http://purl.org/dc/elements/1.1/" xmlns:rc="${RAWCARVE_NS}" version="2.0.0">`);
  out.push(`  <metadata>`);
  out.push(`    <dc:type>Carved files</dc:type>`);
  out.push(`    <dc:creator>${esc(r.tool.name)} ${esc(r.tool.version)}</dc:creator>`);
  out.push(`    <dc:date>${esc(r.finishedAt)}</dc:date>`);
  out.push(`  </metadata>`);
  out.push(`  <creator>`);
  out.push(`    <program>${esc(r.tool.name)}</program>`);
  out.push(`    <version>${esc(r.tool.version)}</version>`);
  out.push(`    <execution_environment>`);
  out.push(`      <os_sysname>${esc(r.host.platform)}</os_sysname>`);
  out.push(`      <os_release>${esc(r.host.release)}</os_release>`);
  out.push(`      <host>${esc(r.host.hostname)}</host>`);
  out.push(`      <arch>${esc(r.host.arch)}</arch>`);
  out.push(`      <command_line>${esc(r.tool.commandLine.join(' '))}</command_line>`);
  out.push(`      <username>${esc(r.host.user)}</username>`);
  out.push(`      <start_time>${esc(r.startedAt)}</start_time>`);
  out.push(`    </execution_environment>`);
  out.push(`    <library name="node" version="${esc(r.host.node)}"/>`);
  out.push(`  </creator>`);
  out.push(...sourceElement(r.source));
  out.push(...diskImageElement(r));
  r.files.forEach((f, i) => out.push(...fileobject(f, i + 1)));
  out.push(...fileSystemElements(r.summary.fileSystems, r.options.freeSpaceOnly ?? false));
  out.push(
    `  <rc:summary files="${r.summary.filesWritten}" duplicates="${r.summary.duplicates}" bytes_scanned="${r.summary.bytesScanned}" elapsed_seconds="${r.summary.elapsedSeconds}" issues="${r.summary.issues}"` +
      `${r.options.reportOnly ? ' report_only="true"' : ''}${r.filtered.length > 0 ? ` filtered="${r.filtered.length}"` : ''}/>`,
  );
  // Files a filter kept from being written: where they are and why (no fileobject: nothing was written).
  for (const f of r.filtered) {
    out.push(`  <rc:filtered type="${esc(f.type)}" status="${f.status}" img_offset="${f.imgOffset}" size="${f.size}" reason="${f.reason}">${esc(f.detail)}</rc:filtered>`);
  }
  for (const issue of r.issues) out.push(`  <rc:issue img_offset="${issue.offset}">${esc(issue.message)}</rc:issue>`);
  out.push(`</dfxml>`);
  return out.join('\n') + '\n';
}

function fileobject(f: FileRecord, id: number): string[] {
  const o: string[] = [];
  o.push(`  <fileobject>`);
  o.push(`    <filename>${esc(f.path)}</filename>`);
  o.push(`    <id>${id}</id>`);
  o.push(`    <filesize>${f.size}</filesize>`);
  o.push(...fsStandardElements(f));
  if (f.typeCheck.detected) o.push(`    <libmagic>${esc(f.typeCheck.detected.mime)}</libmagic>`);
  o.push(`    <byte_runs>`);
  for (const b of f.byteRuns) o.push(`      <byte_run file_offset="${b.fileOffset}" img_offset="${b.imgOffset}" len="${b.length}"/>`);
  o.push(`    </byte_runs>`);
  o.push(`    <hashdigest type="SHA256">${f.sha256}</hashdigest>`);
  o.push(`    <hashdigest type="MD5">${f.md5}</hashdigest>`);
  o.push(
    `    <rc:carve type="${esc(f.type)}" status="${f.status}" layout="${esc(f.layout)}" valid_fraction="${f.validFraction}" ` +
      `carver="${esc(f.carver.name)}" carver_version="${esc(f.carver.version)}" type_check="${f.typeCheck.matches ? 'match' : 'mismatch'}" xxh64="${f.xxh64}"/>`,
  );
  for (const d of f.duplicates) o.push(`    <rc:duplicate img_offset="${d}"/>`);
  for (const n of f.notes) o.push(`    <rc:note>${esc(n)}</rc:note>`);
  o.push(...fsExtensionElement(f));
  const meta = Object.entries(f.metadata);
  if (meta.length > 0) {
    o.push(`    <rc:metadata>`);
    for (const [k, v] of meta) o.push(`      <rc:item name="${esc(k)}">${esc(metaText(v))}</rc:item>`);
    o.push(`    </rc:metadata>`);
  }
  o.push(`  </fileobject>`);
  return o;
}

function metaText(v: MetadataValue): string {
  return typeof v === 'string' ? v : JSON.stringify(v);
}
