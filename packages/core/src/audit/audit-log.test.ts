import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { AuditLog, formatAuditLine } from './audit-log.js';

const work = mkdtempSync(join(tmpdir(), 'rawcarve-audit-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

describe('audit log', () => {
  it('writes one line per event: UTC time, event, key=value (JSON when not a plain word)', () => {
    const at = new Date(Date.UTC(2025, 0, 2, 3, 4, 5, 6));
    expect(formatAuditLine(at, 'source', { path: '/evidence/card.img', size: 42, ok: true, none: null, skipped: undefined })).toBe(
      '2025-01-02T03:04:05.006Z source path=/evidence/card.img size=42 ok=true none=null',
    );
    expect(formatAuditLine(at, 'issue', { message: 'read failed\nat 512 "x"', argv: ['a b', 'c'] })).toBe(
      '2025-01-02T03:04:05.006Z issue message="read failed\\nat 512 \\"x\\"" argv=["a b","c"]',
    );
  });

  it('property: whatever the values hold, an event stays on one line and its values read back', () => {
    fc.assert(
      fc.property(fc.string(), fc.array(fc.string(), { maxLength: 3 }), (message, argv) => {
        const line = formatAuditLine(new Date(0), 'e', { message, argv });
        expect(line.includes('\n')).toBe(false);
        expect(line.includes('\r')).toBe(false);
        const m = /^\S+ e message=(.*) argv=(.*)$/.exec(line)!;
        const text = m[1]!.startsWith('"') ? (JSON.parse(m[1]!) as string) : m[1]!;
        expect(text).toBe(message);
        expect(JSON.parse(m[2]!)).toEqual(argv);
      }),
    );
  });

  it('appends: a second log on the same folder (a resumed run) continues the first', () => {
    const a = new AuditLog(work);
    a.event('start', { n: 1 });
    a.close();
    const b = new AuditLog(work);
    b.event('resume', { n: 2 });
    b.close();
    const lines = readFileSync(join(work, 'audit.log'), 'utf8').trimEnd().split('\n');
    expect(lines.map((l) => l.split(' ')[1])).toEqual(['start', 'resume']);
    for (const l of lines) expect(l).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z /);
  });
});
