import type { EwfReport } from '../report/types.js';
import type { RunLog, RunSettings, SourceIdentity } from '../pool/checkpoint.js';
import type { AuditLog } from './audit-log.js';
import { hostFacts } from './host.js';

export interface RunStartFacts {
  tool: { name: string; version: string; commandLine: string[] };
  run: RunLog;
  resumed: boolean;
  identity: SourceIdentity;
  /** The path given this time (a resumed run may find the image elsewhere). */
  imagePath: string;
  ewf: EwfReport | null;
  settings: RunSettings;
  jobs: number;
  plugins?: string[];
}

/** The opening events of a run: who, where, on what evidence, how. */
export function auditRunStart(log: AuditLog, f: RunStartFacts): void {
  const resume = f.run.resumes[f.run.resumes.length - 1];
  log.event(f.resumed ? 'resume' : 'start', {
    tool: f.tool.name,
    version: f.tool.version,
    pid: process.pid,
    ...(f.resumed ? { run_started: f.run.startedAt, from_offset: resume?.fromOffset } : {}),
  });
  log.event('command', { argv: f.tool.commandLine, cwd: process.cwd() });
  log.event('host', { ...hostFacts() });
  log.event('source', { path: f.identity.path, given: f.imagePath, size: f.identity.size, kind: f.identity.kind });
  if (f.ewf) auditEwf(log, f.ewf);
  const s = f.settings;
  log.event('options', {
    types: s.types.join(','),
    carvers: Object.entries(s.carverVersions).map(([n, v]) => `${n}@${v}`).join(','),
    modules: s.carverModules,
    align: s.align,
    page_size: s.pageSize,
    margin: s.margin,
    range: `${s.range.start}:${s.range.length}`,
    jobs: f.jobs,
    reassemble: s.reassemble,
    block_size: s.blockSize,
    reassembly_ms: s.reassemblyMs,
    verify_decode: s.verifyDecode,
    image_hashes: s.hashAlgorithms.join(',') || 'none',
  });
}

/** E01 case metadata, stored hashes and acquisition problems. */
export function auditEwf(log: AuditLog, e: EwfReport): void {
  log.event('ewf', { segments: e.segments, chunk_size: e.chunkSize, bytes_per_sector: e.bytesPerSector, sector_count: e.sectorCount });
  if (e.case) log.event('ewf-case', { ...e.case });
  log.event('ewf-stored-hashes', { md5: e.storedHashes.md5 ?? 'none', sha1: e.storedHashes.sha1 ?? 'none' });
  for (const a of e.acquiryErrors) log.event('ewf-acquiry-error', { first_sector: a.firstSector, sectors: a.sectorCount });
  for (const w of e.warnings) log.event('ewf-warning', { message: w });
}
