import { closeSync, openSync, writeSync } from 'node:fs';
import { join } from 'node:path';

/** The audit log's name in OUTDIR. */
export const AUDIT_FILE = 'audit.log';

/** A value in an audit event: plain words and numbers as they are, anything else as JSON. */
export type AuditValue = string | number | boolean | null | undefined | readonly unknown[] | { readonly [k: string]: unknown };

/**
 * OUTDIR/audit.log: what was done to the evidence, when and by whom, one
 * event per line (`<ISO time UTC> <event> key=value ...`), appended as the
 * run goes, each line written through at once so that a crash leaves
 * every event up to it. A resumed run appends to the same log.
 */
export class AuditLog {
  private fd: number;

  constructor(readonly outDir: string) {
    this.fd = openSync(join(outDir, AUDIT_FILE), 'a');
  }

  /** Appends one event (`at` defaults to now) and writes it through. */
  event(name: string, fields: Readonly<Record<string, AuditValue>> = {}, at: Date = new Date()): void {
    if (this.fd < 0) return;
    const line = Buffer.from(formatAuditLine(at, name, fields) + '\n');
    for (let w = 0; w < line.length; ) w += writeSync(this.fd, line, w, line.length - w);
  }

  /** Closes the log; later events are dropped. */
  close(): void {
    if (this.fd >= 0) closeSync(this.fd);
    this.fd = -1;
  }
}

/**
 * One line: bare values when they are plain words or numbers, JSON
 * otherwise (quoted, with newlines escaped), so every event stays on its
 * line whatever a path or an error message holds. Undefined fields are left out.
 */
export function formatAuditLine(at: Date, name: string, fields: Readonly<Record<string, AuditValue>>): string {
  const parts = [at.toISOString(), name];
  for (const [key, value] of Object.entries(fields)) {
    if (value === undefined) continue;
    parts.push(`${key}=${auditValue(value)}`);
  }
  return parts.join(' ');
}

function auditValue(v: AuditValue): string {
  if (typeof v === 'number' || typeof v === 'boolean' || v === null) return String(v);
  if (typeof v === 'string') return /^[\w./:@+,-]+$/.test(v) ? v : JSON.stringify(v);
  return JSON.stringify(v);
}
