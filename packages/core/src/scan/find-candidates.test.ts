import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import type { Carver } from '../carver.js';
import { findCandidates, type Hit } from './find-candidates.js';
import { SignatureIndex } from './signature-index.js';

const fakeCarver = (name: string, signatures: Carver['signatures']): Carver => ({
  name,
  version: '0',
  description: '',
  extensions: [name],
  signatures,
  maxFileSize: 1 << 20,
  carve: () => null,
});

const carvers = [
  fakeCarver('jpeg', [{ bytes: [0xff, 0xd8, 0xff] }]),
  fakeCarver('bmff', [{ bytes: [0x66, 0x74, 0x79, 0x70], offset: 4 }]),
  fakeCarver('masked', [{ bytes: [0xab, 0x10], mask: [0xff, 0xf0] }]),
];

/** The obvious, slow definition the fast scanner must agree with. */
function bruteForce(buf: Uint8Array, base: number, pageStart: number, pageEnd: number, align: number): Hit[] {
  const hits: Hit[] = [];
  for (let p = Math.ceil(pageStart / align) * align; p < pageEnd; p += align) {
    carvers.forEach((c, ci) => {
      if (c.signatures.some((s) => s.bytes.every((b, i) => {
        const at = p - base + (s.offset ?? 0) + i;
        return at < buf.length && (buf[at]! & (i === 0 ? 0xff : (s.mask?.[i] ?? 0xff))) === b;
      }))) hits.push({ offset: p, carver: ci });
    });
  }
  return hits;
}

/** Random images made of uniform runs (0x00, 0xFF), random bytes and planted signatures. */
const imageArb = fc
  .array(
    fc.oneof(
      fc.record({ kind: fc.constant('fill' as const), value: fc.constantFrom(0x00, 0xff, 0xab), len: fc.integer({ min: 1, max: 9000 }) }),
      fc.record({ kind: fc.constant('random' as const), bytes: fc.uint8Array({ minLength: 1, maxLength: 600 }) }),
      fc.record({ kind: fc.constant('sig' as const), which: fc.integer({ min: 0, max: 2 }) }),
    ),
    { maxLength: 40 },
  )
  .map((parts) => {
    const chunks: number[] = [];
    for (const p of parts) {
      if (p.kind === 'fill') for (let i = 0; i < p.len; i++) chunks.push(p.value);
      else if (p.kind === 'random') chunks.push(...p.bytes);
      else chunks.push(...[[0xff, 0xd8, 0xff], [0, 0, 0, 0x18, 0x66, 0x74, 0x79, 0x70], [0xab, 0x1c]][p.which]!);
    }
    return Uint8Array.from(chunks);
  });

describe('findCandidates', () => {
  const index = new SignatureIndex(carvers);

  it('agrees with a brute-force search for any alignment and page bounds', () => {
    fc.assert(
      fc.property(imageArb, fc.constantFrom(1, 2, 4, 512), fc.nat(), fc.nat(), (buf, align, a, b) => {
        const n = buf.length;
        const pageStart = n === 0 ? 0 : a % n;
        const pageEnd = n === 0 ? 0 : pageStart + (b % (n - pageStart + 1));
        const hits: Hit[] = [];
        findCandidates(buf, 0, pageStart, pageEnd, align, index, hits);
        expect(hits).toEqual(bruteForce(buf, 0, pageStart, pageEnd, align));
      }),
      { numRuns: 300 },
    );
  });

  it('skips uniform blocks but still sees a signature starting in the last bytes of a 0xFF run', () => {
    const buf = new Uint8Array(3 * 4096).fill(0xff);
    buf.fill(0x00, 8192); // ...FF FF | 00 00: nothing
    buf[4095 + 1] = 0xd8; // FF at 4095 (end of a uniform FF block) then D8 FF: a JPEG header at 4095
    buf[4097] = 0xff;
    const hits: Hit[] = [];
    const stats = findCandidates(buf, 0, 0, buf.length, 1, index, hits);
    expect(hits).toEqual(bruteForce(buf, 0, 0, buf.length, 1));
    expect(hits.some((h) => h.offset === 4095 && h.carver === 0)).toBe(true);
    expect(stats.uniformBytes).toBeGreaterThan(4096);
  });

  it('reports a signature straddling the page end once, from the page it starts in', () => {
    const buf = new Uint8Array(2048);
    buf.set([0xff, 0xd8, 0xff], 1023); // starts in page [0,1024), ends in the next
    const first: Hit[] = [];
    const second: Hit[] = [];
    findCandidates(buf, 0, 0, 1024, 1, index, first);
    findCandidates(buf.subarray(1024), 1024, 1024, 2048, 1, index, second);
    expect(first).toEqual([{ offset: 1023, carver: 0 }]);
    expect(second).toEqual([]);
  });

  it('uses image offsets when the window starts inside the image', () => {
    const buf = new Uint8Array(1024);
    buf.set([0xff, 0xd8, 0xff], 512);
    const hits: Hit[] = [];
    findCandidates(buf, 1_000_000_000 - 512, 1_000_000_000 - 512, 1_000_000_000 + 512, 512, index, hits);
    expect(hits).toEqual([{ offset: 1_000_000_000, carver: 0 }]);
  });
});
