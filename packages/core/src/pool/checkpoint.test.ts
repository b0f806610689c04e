import { appendFileSync, existsSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { CHECKPOINT_FORMAT, Journal, readCheckpoint, readJournal, writeCheckpoint, type Checkpoint, type PageRecord } from './checkpoint.js';
import { coverageOf, mergePages, type ShardInput } from './merge-inputs.js';

const work = mkdtempSync(join(tmpdir(), 'rawcarve-cp-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const dir = (): string => mkdtempSync(join(work, 'd-'));

const checkpoint = (pagesDone: number): Checkpoint => ({
  format: CHECKPOINT_FORMAT,
  identity: { path: '/evidence/card.img', size: 1 << 20, kind: 'raw' },
  settings: {
    carverModules: ['file:///x.js'], types: ['tlv'], carverVersions: { tlv: '1.0.0' }, align: 512, pageSize: 4096, margin: 16,
    range: { start: 0, length: 1 << 20 }, reassemble: true, blockSize: null, reassemblyMs: null, verifyDecode: false, hashAlgorithms: ['md5', 'sha256'],
  },
  run: { startedAt: '2025-01-01T00:00:00.000Z', commandLine: ['rawcarve', 'scan'], resumes: [] },
  phase: 'scan', pagesDone, pageJournalBytes: 0, fileJournalBytes: 0, prefixHashes: null, rangeHashes: null, reassembly: null,
});

describe('checkpoint and journals', () => {
  it('replaces the checkpoint atomically and leaves no temporary file', () => {
    const d = dir();
    expect(readCheckpoint(d)).toBeNull();
    writeCheckpoint(d, checkpoint(3));
    writeCheckpoint(d, checkpoint(7));
    expect(readCheckpoint(d)?.pagesDone).toBe(7);
    expect(readdirSync(d)).toEqual(['.rawcarve-checkpoint.json']);
    writeFileSync(join(d, '.rawcarve-checkpoint.json'), JSON.stringify({ format: 'something else' }));
    expect(() => readCheckpoint(d)).toThrow(/not a rawcarve checkpoint/);
  });

  it('property: a journal reopened at a committed length reads back exactly the committed lines, whatever was torn after', () => {
    fc.assert(
      fc.property(fc.array(fc.record({ a: fc.integer(), s: fc.string() }), { maxLength: 20 }), fc.nat(20), fc.string(), (values, commitAt, torn) => {
        const path = join(dir(), 'j.jsonl');
        const j = new Journal(path, 0);
        let committed = 0;
        values.forEach((v, i) => {
          j.append(v);
          if (i + 1 === Math.min(commitAt, values.length)) committed = j.bytes;
        });
        j.sync();
        j.close();
        appendFileSync(path, torn); // a line cut short by a crash
        const k = Math.min(commitAt, values.length);
        expect(readJournal(path, k === 0 ? 0 : committed)).toEqual(values.slice(0, k));
        const reopened = new Journal(path, k === 0 ? 0 : committed);
        reopened.append({ a: 1, s: 'after' });
        reopened.close();
        expect(readJournal(path, (k === 0 ? 0 : committed) + JSON.stringify({ a: 1, s: 'after' }).length + 1)).toEqual([...values.slice(0, k), { a: 1, s: 'after' }]);
      }),
      { numRuns: 40 },
    );
  });

  it('refuses a journal shorter than its checkpoint says', () => {
    const path = join(dir(), 'short.jsonl');
    writeFileSync(path, '{"a":1}\n');
    expect(() => readJournal(path, 100)).toThrow(/shorter/);
    expect(existsSync(path)).toBe(true);
  });
});

describe('merging shard pages', () => {
  const page = (pageStart: number, pageLength: number, offsets: number[]): PageRecord => ({
    pageStart, pageLength, hits: offsets.length, rejected: 0, suppressed: 0, uniformBytes: 0, issues: [], readMs: 0, searchMs: 0, carveMs: 0,
    candidates: offsets.map((offset) => ({ carver: 'tlv', offset, status: 'complete', byteRuns: [{ imgOffset: offset, fileOffset: 0, length: 10 }], notes: [] })),
  });
  const shard = (pages: PageRecord[]): ShardInput => ({ pages } as unknown as ShardInput);

  it('orders every shard\'s pages by image offset and drops what overlapping shards saw twice', () => {
    const a = shard([page(0, 4096, [0, 1024]), page(4096, 4096, [5120])]);
    const b = shard([page(6144, 2048, [6656]), page(8192, 4096, [8192])]); // overlaps a's second page
    const merged = mergePages([b, a]);
    expect(merged.map((p) => [p.pageStart, p.candidates.map((c) => c.offset)])).toEqual([[0, [0, 1024]], [4096, [5120]], [8192, [8192]]]);
  });

  it('reports gaps and overlaps of the shards\' ranges', () => {
    expect(coverageOf([{ start: 0, length: 100 }, { start: 100, length: 50 }], 150)).toEqual({ complete: true, gaps: [], overlaps: [] });
    expect(coverageOf([{ start: 10, length: 100 }, { start: 90, length: 20 }], 150)).toEqual({
      complete: false, gaps: [{ start: 0, length: 10 }, { start: 110, length: 40 }], overlaps: [{ start: 90, length: 20 }],
    });
  });
});
