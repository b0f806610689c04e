import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync } from 'node:zlib';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { openImageSource } from '../open.js';
import { adler32 } from './adler32.js';
import { decodeHeader, decodeHeader2, parseCaseInfo, parseEwfDate } from './case-info.js';
import { decodeChunk } from './chunk-codec.js';
import { ChunkCache } from './chunk-cache.js';
import { segmentName } from './segment-names.js';

/** Straight from RFC 1950's definition, for comparison with the blocked version. */
function adlerReference(b: Uint8Array): number {
  let a = 1;
  let s = 0;
  for (const x of b) {
    a = (a + x) % 65521;
    s = (s + a) % 65521;
  }
  return ((s << 16) | a) >>> 0;
}

describe('adler32', () => {
  it('matches the known value and the definition', () => {
    expect(adler32(new TextEncoder().encode('Wikipedia'))).toBe(0x11e60398);
    expect(adler32(new Uint8Array(0))).toBe(1);
    fc.assert(fc.property(fc.uint8Array({ maxLength: 20000 }), (b) => adler32(b) === adlerReference(b)));
    const ff = new Uint8Array(100_000).fill(0xff); // the worst case for the deferred modulo
    expect(adler32(ff)).toBe(adlerReference(ff));
  });
});

describe('segment names', () => {
  it('count E01..E99, then EAA..EZZ, FAA.., keeping the case', () => {
    expect(segmentName('/x/case.E01', 1)).toBe('/x/case.E01');
    expect(segmentName('/x/case.E01', 9)).toBe('/x/case.E09');
    expect(segmentName('/x/case.E01', 99)).toBe('/x/case.E99');
    expect(segmentName('/x/case.E01', 100)).toBe('/x/case.EAA');
    expect(segmentName('/x/case.E01', 125)).toBe('/x/case.EAZ');
    expect(segmentName('/x/case.E01', 126)).toBe('/x/case.EBA');
    expect(segmentName('/x/case.E01', 100 + 675)).toBe('/x/case.EZZ');
    expect(segmentName('/x/case.E01', 100 + 676)).toBe('/x/case.FAA');
    expect(segmentName('/x/a.b.e01', 100)).toBe('/x/a.b.eaa');
    expect(segmentName('/x/case.E01', 100 + 22 * 676)).toBeNull(); // past .ZZZ
    expect(segmentName('/x/case.raw', 2)).toBeNull();
  });
});

describe('case metadata text', () => {
  it('reads EnCase header (CR LF, local date) and header2 (UTF-16, epoch date)', () => {
    const header = '1\r\nmain\r\nc\tn\ta\te\tt\tav\tov\tm\tu\tp\r\nC-7\tEV 1\tLaptop disk\tJ. Doe\tseized 3 May\t6.19\tWindows\t2019 5 3 14 7 9\t2019 5 3 14 7 10\t0\r\n\r\n';
    const h = parseCaseInfo(decodeHeader(new TextEncoder().encode(header)))!;
    expect(h).toMatchObject({
      caseNumber: 'C-7', evidenceNumber: 'EV 1', description: 'Laptop disk', examiner: 'J. Doe', notes: 'seized 3 May',
      acquirySoftwareVersion: '6.19', acquiryOperatingSystem: 'Windows', acquiryDate: '2019-05-03T14:07:09', passwordHash: '0',
    });
    const text2 = '3\nmain\na\tc\tn\te\tt\tmd\tsn\tav\tov\tm\tu\tp\tdc\nDisque dur\tAffaire 12\t1\tÉlodie\tnotes\tST500\tZ1\t7.04\tWindows 7\t1142163845\t1142163845\t0\t\n\nsrce\n';
    const le = Buffer.concat([Buffer.from([0xff, 0xfe]), Buffer.from(text2, 'utf16le')]);
    const h2 = parseCaseInfo(decodeHeader2(le))!;
    expect(h2).toMatchObject({ description: 'Disque dur', caseNumber: 'Affaire 12', examiner: 'Élodie', model: 'ST500', serialNumber: 'Z1' });
    expect(h2.acquiryDate).toBe('2006-03-12T11:44:05Z');
    expect(h2.values['dc']).toBe('');
    expect(parseCaseInfo('garbage')).toBeNull();
    expect(parseEwfDate('yesterday')).toBe('yesterday');
  });
});

describe('chunk decoding', () => {
  const chunkSize = 4096;
  const data = Uint8Array.from({ length: chunkSize }, (_, i) => (i * 7) & 0xff);
  const stored = (d: Uint8Array): Uint8Array => {
    const out = new Uint8Array(d.length + 4);
    out.set(d);
    new DataView(out.buffer).setUint32(d.length, adler32(d), true);
    return out;
  };

  it('inflates compressed chunks and checks the Adler-32 of stored ones', () => {
    expect(new Uint8Array(decodeChunk(deflateSync(data), true, chunkSize, chunkSize))).toEqual(data);
    expect(decodeChunk(stored(data), false, chunkSize, chunkSize)).toEqual(data);
    const bad = stored(data);
    bad[100]! ^= 1;
    expect(() => decodeChunk(bad, false, chunkSize, chunkSize)).toThrow(/checksum/);
    const z = deflateSync(data);
    z[z.length - 1]! ^= 1; // zlib's own Adler-32 trailer
    expect(() => decodeChunk(z, true, chunkSize, chunkSize)).toThrow(/inflate/);
  });

  it('rejects chunks of the wrong size, and a bomb beyond the chunk size', () => {
    expect(() => decodeChunk(deflateSync(data.subarray(0, 100)), true, chunkSize, chunkSize)).toThrow(/expected 4096/);
    expect(() => decodeChunk(stored(data.subarray(0, 100)), false, chunkSize, chunkSize)).toThrow(/expected 4096/);
    expect(() => decodeChunk(deflateSync(new Uint8Array(1 << 20)), true, chunkSize, chunkSize)).toThrow(/inflate/);
    // The last chunk may be short, and may hold a partial sector past it.
    expect(decodeChunk(deflateSync(data.subarray(0, 700)), true, 512, chunkSize)).toHaveLength(700);
  });
});

describe('chunk cache', () => {
  it('evicts the least recently used', () => {
    const c = new ChunkCache(2);
    c.set(1, Uint8Array.of(1));
    c.set(2, Uint8Array.of(2));
    c.get(1);
    c.set(3, Uint8Array.of(3));
    expect(c.get(2)).toBeUndefined();
    expect(c.get(1)).toEqual(Uint8Array.of(1));
    expect(c.get(3)).toEqual(Uint8Array.of(3));
  });
});

describe('opening files that are not EWF-E01', () => {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-ewf-kinds-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));
  const file = (name: string, head: number[]): string => {
    const path = join(dir, name);
    const b = new Uint8Array(4096);
    b.set(head);
    writeFileSync(path, b);
    return path;
  };

  it('refuses EWF2, L01 and a fake .E01 by name, and sniffs E01 content under any name', () => {
    expect(() => openImageSource(file('disk.Ex01', [0x45, 0x56, 0x46, 0x32, 0x0d, 0x0a, 0x81, 0x00]))).toThrow(/EWF2 \(Ex01/);
    expect(() => openImageSource(file('files.L01', [0x4c, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00, 1, 1, 0, 0, 0]))).toThrow(/L01 logical evidence/);
    expect(() => openImageSource(file('photo.E01', [0xff, 0xd8, 0xff]))).toThrow(/not an EWF-E01 file/);
    // The EWF signature, a segment number, then a section chain that runs off the end.
    expect(() => openImageSource(file('renamed.bin', [0x45, 0x56, 0x46, 0x09, 0x0d, 0x0a, 0xff, 0x00, 1, 1, 0, 0, 0]))).toThrow(/section descriptor checksum mismatch/);
  });
});
