import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { BufferReader, resultLength, type CarveContext, type ResumeMemo } from '@rawcarve/core';
import { describeCarverConformance, filler } from '@rawcarve/core/testing';
import { pngCarver } from '../src/index.js';
import { chunk, handmadePngs, imageMagickPngs, makePng } from './pngs.js';

const magick = imageMagickPngs();
const handmade = handmadePngs();

// The same suite the built-in carvers pass. Every byte of a PNG is under a CRC,
// so any change must be noticed (detectsEveryChange); checksEveryByte turns on the bifragment check.
describeCarverConformance(pngCarver, {
  title: 'PNG carver conformance (hand-made PNGs)',
  samples: handmade,
  detectsEveryChange: true,
});
describeCarverConformance(pngCarver, {
  title: 'PNG carver conformance (ImageMagick PNGs)',
  samples: magick,
  whyNoSamples: 'ImageMagick (convert) is not installed',
  detectsEveryChange: true,
});

const ctx: CarveContext = { maxFileSize: pngCarver.maxFileSize, align: 512 };
const carve = (img: Uint8Array, at = 0, c: CarveContext = ctx) => pngCarver.carve(new BufferReader(img), at, c);

describe('PNG carver', () => {
  const png = handmade[0]!.bytes; // 80x60 truecolour with tEXt and tIME

  it('describe(): IHDR facts, text chunks and the modification time', async () => {
    const r = carve(png)!;
    expect(r.metadata).toMatchObject({ width: 80, height: 60, bitDepth: 8, colorType: 2, colorModel: 'truecolour', interlaced: false });
    const m = await pngCarver.describe!(new BufferReader(png), r);
    expect(m).toEqual({
      width: 80, height: 60, bitDepth: 8, colorType: 2, colorModel: 'truecolour', interlaced: false,
      text: { Software: 'rawcarve tests', Title: 'noise' },
      modified: '2024-06-01T12:30:05.000Z',
    });
  });

  it('a flipped bit inside the image data gives a damaged file, walked to its IEND', () => {
    const bad = Uint8Array.from(png);
    const idat = Buffer.from(bad).indexOf('IDAT');
    bad[idat + 100]! ^= 0x10;
    const r = carve(bad)!;
    expect(r.status).toBe('damaged');
    expect(resultLength(r)).toBe(png.length);
    expect(r.notes.join(' ')).toMatch(/CRC mismatch in chunk IDAT at image offset \d+; the chunks after it are valid/);
  });

  it('a cut file is truncated at its last valid chunk; the cut chunk is claimed up to the data end', () => {
    const p = makePng({ width: 64, height: 64, colorType: 2, bitDepth: 8, seed: 9, idatSize: 2000 });
    const cut = 5000;
    const img = new Uint8Array(4096 + 8192);
    img.set(p.subarray(0, cut), 4096);
    const r = carve(img, 4096)!;
    expect(r.status).toBe('truncated');
    expect(r.dataStart).toBe(33);
    // Chunks of 2012 bytes after the 33-byte signature + IHDR: two are whole before the cut.
    expect(r.verifiedLength).toBe(33 + 2 * 2012);
    expect(resultLength(r)).toBe(33 + 3 * 2012); // the cut chunk's declared end (zeros there now)
    expect(r.notes.join(' ')).toMatch(/CRC mismatch in chunk IDAT at image offset 8153/);
  });

  it('rejects a signature without a valid IHDR', () => {
    const p = Uint8Array.from(png);
    p[20]! ^= 1; // inside IHDR: its CRC fails
    expect(carve(p)).toBeNull();
    expect(carve(Uint8Array.from([...png.subarray(0, 8), ...chunk('IDAT', new Uint8Array(10))]))).toBeNull();
  });

  it('a file of 250 000 tiny valid chunks costs bounded work and is not complete', () => {
    const tiny = chunk('tEXt', new TextEncoder().encode('a\0b'));
    const head = png.subarray(0, 33);
    const img = new Uint8Array(33 + tiny.length * 250_000);
    img.set(head);
    for (let i = 0; i < 250_000; i++) img.set(tiny, 33 + i * tiny.length);
    const t0 = performance.now();
    const r = carve(img)!;
    expect(performance.now() - t0).toBeLessThan(5000);
    expect(r.status).toBe('truncated');
    expect(r.notes.join(' ')).toMatch(/more than 200000 chunks/);
  });

  it('property: resuming from reassembly checkpoints gives the same results as a full walk', () => {
    const big = makePng({ width: 300, height: 300, colorType: 2, bitDepth: 8, seed: 11, idatSize: 8192 });
    fc.assert(
      fc.property(fc.array(fc.record({ stable: fc.nat({ max: big.length }), cut: fc.nat({ max: big.length }) }), { minLength: 1, maxLength: 6 }), (trials) => {
        let state: unknown; // the carver's checkpoints, shared by the trials as reassembly shares them
        let shared = big.length; // bytes before every trial's stableUntil must be the same: trials only cut later
        for (const t of trials) {
          const stable = Math.min(t.stable, shared);
          shared = stable;
          const img = Uint8Array.from(big);
          const cut = Math.max(stable, t.cut);
          img.set(filler(img.length - cut, t.cut, 'random'), cut);
          const memo: ResumeMemo = { stableUntil: stable, state };
          const resumed = pngCarver.carve(new BufferReader(img), 0, { ...ctx, resume: memo });
          state = memo.state;
          expect(resumed).toEqual(carve(img));
        }
      }),
      { numRuns: 60 },
    );
  });
});
