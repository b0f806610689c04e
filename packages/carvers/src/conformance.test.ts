/**
 * The built-in carvers pass the same conformance suite as any plugin
 * (@rawcarve/core/testing). Samples: committed photos, files made with the
 * installed tools, and the smallest real files of ../shared/media (skipped,
 * saying so, when absent). Checks a carver is known to fail are listed with
 * the reason: they show as skipped with it in every run.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferReader, resultLength } from '@rawcarve/core';
import { describeCarverConformance } from '@rawcarve/core/testing';
import { heicCarver, jpegCarver, movCarver } from './index.js';
import { haveMedia, heicSamples, isProgressiveJpeg, jpegSamples, movSamples } from './conformance/samples.js';
import { MEDIA } from './jpeg/test-helpers.js';

if (!haveMedia) {
  describe('real camera files', () => {
    it.skip('../shared/media is absent: the conformance suites below run on generated samples only', () => {});
  });
}

const jpegs = jpegSamples();
// Reassembly looks for breaks inside scan data; a progressive file's scans are short, and a break
// that falls between two of them (in a DHT or SOS segment) leaves no entropy data to go on.
const BETWEEN_SCANS = 'progressive samples: a break that falls between two scans (in a DHT or SOS segment) is not rebuilt';
describeCarverConformance(jpegCarver, { samples: jpegs, known: { fragmented: BETWEEN_SCANS } });
describeCarverConformance(jpegCarver, {
  title: 'carver conformance: jpeg, fragmented (sequential samples)',
  samples: jpegs.filter((s) => !isProgressiveJpeg(s.bytes)),
  checks: ['fragmented'],
});

// HEIC and MOV check structure (boxes, item and sample positions, NAL lengths and headers), not the
// compressed picture and sound data itself: an overwritten tail of an item or a sample goes unnoticed.
const STRUCTURE_ONLY = 'structure-only validation: media data overwritten inside an item or sample (e.g. HEVC/AV1 payload, audio) is not detected, and the file is called complete';

describeCarverConformance(heicCarver, {
  samples: heicSamples,
  whyNoSamples: 'heif-enc or ImageMagick missing, and ../shared/media absent',
  known: { overwritten: STRUCTURE_ONLY },
});

describeCarverConformance(movCarver, {
  samples: movSamples,
  whyNoSamples: 'ffmpeg missing, and ../shared/media absent',
  known: { overwritten: STRUCTURE_ONLY },
});

const j068 = join(MEDIA, 'jpeg/j068_canon_eos50d_progressive.jpg');
describe.skipIf(!haveMedia)('found by the conformance suite: zeros inside a progressive scan', () => {
  it('j068 with 1 KiB of zeros inserted at file offset 70656 decodes, but is not called complete', () => {
    const b = new Uint8Array(readFileSync(j068));
    const img = new Uint8Array(b.length + 1024 + 4096);
    img.set(b.subarray(0, 70656));
    img.set(b.subarray(70656), 70656 + 1024);
    const r = jpegCarver.carve(new BufferReader(img), 0, { maxFileSize: jpegCarver.maxFileSize, align: 512 });
    // It was: status 'complete', 96 263 bytes (the file's 95 239 and the zeros). The scan's EOB runs
    // read zeros as valid; the zero-filled sector is what gives the gap away.
    expect(r?.status).not.toBe('complete');
    expect(resultLength(r!)).toBeGreaterThan(70656);
  });
});
