import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { AuditLog } from '../audit/audit-log.js';
import { readCheckpoint, writeCheckpoint } from './checkpoint.js';
import type { ScanResult } from './scan-types.js';

/**
 * After the reports are written: the checkpoint says the run is done (a
 * later --resume is refused; `rawcarve merge` takes it as a finished shard)
 * and the audit log records the reports with their SHA-256 and the end.
 */
export function completeRun(result: ScanResult, reports: { json: string; xml: string }): void {
  const cp = readCheckpoint(result.outDir);
  if (cp) writeCheckpoint(result.outDir, { ...cp, phase: 'done' });
  const audit = new AuditLog(result.outDir);
  try {
    for (const [name, path] of Object.entries(reports)) {
      audit.event('report', { format: name, path, sha256: createHash('sha256').update(readFileSync(path)).digest('hex') });
    }
    audit.event('end', {
      status: 'ok',
      files: result.files.length,
      issues: result.issues.length,
      md5: result.source.md5,
      sha256: result.source.sha256,
      elapsed_s: Math.round(result.totals.elapsedMs) / 1000,
    });
  } finally {
    audit.close();
  }
}
