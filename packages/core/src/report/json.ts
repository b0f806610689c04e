import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from './types.js';

/** OUTDIR/report.json: the same facts as report.xml, for machines. */
export function writeJsonReport(outDir: string, report: ScanReport): string {
  const path = join(outDir, 'report.json');
  writeFileSync(path, JSON.stringify(report, null, 2) + '\n');
  return path;
}
