import { describe, expect, it } from 'vitest';
import { contiguous, type Carver } from '../carver.js';
import { checkDeclaration } from './declaration.js';
import { ConformanceError, guardedCarve } from './guard.js';
import { filler } from './image.js';
import { propertyMutations, propertyTruncated } from './hostile.js';
import { describeCarverConformance, makeTlv, resolveRun, scanBuffer, tlvCarver } from './index.js';
import { checkAlone } from './sample-checks.js';

const samples = [makeTlv(filler(100, 1)), makeTlv(filler(3000, 2)), makeTlv(new Uint8Array(0))];

// The toy carver passes the whole suite.
describeCarverConformance(tlvCarver, { samples, numRuns: 10 });

describe('the suite catches broken carvers', () => {
  const run = (carver: Carver) => resolveRun(carver, { samples }, samples.map((bytes, i) => ({ name: `tlv ${i}`, bytes })));
  const limits = { maxCarveMs: 1000 };

  it('declarations: upper-case extensions, one-byte signatures, signatures matching zeros', () => {
    expect(() => checkDeclaration({ ...tlvCarver, extensions: ['TLV'] })).toThrow(/lower-case/);
    expect(() => checkDeclaration({ ...tlvCarver, signatures: [{ bytes: [0x52] }] })).toThrow(/at least 2 bytes/);
    expect(() => checkDeclaration({ ...tlvCarver, signatures: [{ bytes: [0, 0, 0] }] })).toThrow(/zero-filled/);
    expect(() => checkDeclaration({ ...tlvCarver, version: 'one' })).toThrow(/semver/);
  });

  it('a carver that throws, reads past its limit or keeps state', () => {
    const img = samples[1]!;
    const ctx = { maxFileSize: 100, align: 512 };
    const thrower: Carver = { ...tlvCarver, carve: () => { throw new Error('boom'); } };
    expect(() => guardedCarve(thrower, img, 0, ctx, limits, 't')).toThrow(ConformanceError);
    const greedy: Carver = { ...tlvCarver, carve: (r) => (r.bytes(0, 9000), null) };
    expect(() => guardedCarve(greedy, new Uint8Array(10_000), 0, { maxFileSize: 10, align: 512 }, limits, 't')).toThrow(/past offset/);
    let calls = 0;
    const stateful: Carver = { ...tlvCarver, carve: (r, o, c) => ({ ...tlvCarver.carve(r, o, c)!, notes: [`call ${calls++}`] }) };
    expect(() => checkAlone(run(stateful), { name: 's', bytes: img })).toThrow(/twice/);
  });

  it('a carver that calls cut or changed files complete', () => {
    // Trusts its length field and never looks for the trailer: complete whenever the bytes are there.
    const trusting: Carver = {
      ...tlvCarver,
      carve(r, o) {
        const h = r.bytes(o, 10);
        if (h.length < 10) return null;
        const total = Math.min(10 + new DataView(h.buffer, h.byteOffset).getUint32(6) + 4, r.size - o);
        return { status: 'complete', byteRuns: contiguous(o, total), notes: [] };
      },
    };
    expect(() => propertyTruncated(run(trusting))).toThrow(/called complete/);
    expect(() => propertyMutations({ ...run(trusting), detectsEveryChange: true })).toThrow(/changed byte/);
  });

  it('scanBuffer finds TLV files like the engine, and keeps the first fragment when nothing completes it', () => {
    const img = filler(64 * 1024, 5, 'zeros');
    img.set(samples[1]!, 4096);
    img.set(samples[0]!.subarray(0, 50), 16384);
    const { files } = scanBuffer(img, [tlvCarver]);
    expect(files.map((f) => [f.offset, f.status])).toEqual([[4096, 'complete'], [16384, 'truncated']]);
  });
});
