import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { BufferReader, FragmentReader } from '@rawcarve/core';
import { movCarver } from './index.js';
import { MEDIA, embed } from '../jpeg/test-helpers.js';

const FASTSTART = join(MEDIA, 'mp4/s003_synthetic_h264_faststart.mp4');

describe.skipIf(!existsSync(FASTSTART))('moov-first movies: the next video sample finds the next fragment', () => {
  it('matches only where the second fragment really lies', () => {
    const file = new Uint8Array(readFileSync(FASTSTART));
    const cut = Math.floor((file.length * 0.45) / 512) * 512;
    // Image: first fragment at sector 8, random filler, the rest at a sector 300 KiB further on.
    const restAt = 8 * 512 + cut + 300 * 1024;
    const img = embed(file.subarray(cut), restAt, 8192, 5);
    img.set(file.subarray(0, cut), 8 * 512);
    const image = new BufferReader(img);
    // The first fragment alone, as the reassembly sees it: the file continues into filler.
    const head = new FragmentReader(image, [{ img: 8 * 512, length: Infinity }]);
    const hint = movCarver.expectedAt!(head, movCarver.carve(head, 0, { maxFileSize: 1 << 30 } as never)!);
    expect(hint).not.toBeNull();
    expect(hint!.fileOffset).toBeGreaterThan(cut);
    expect(hint!.matches).toBeDefined();
    const truePos = restAt + (hint!.fileOffset - cut);
    expect(hint!.matches!(image, truePos)).toBe(true);
    // Anywhere else on the sector grid within a few MiB: no match.
    let false_ = 0;
    for (let p = truePos % 512; p < img.length - 1; p += 512) if (p !== truePos && hint!.matches!(image, p)) false_++;
    expect(false_).toBe(0);
  });

  it('gives no hint for a movie that validates whole', () => {
    const file = new Uint8Array(readFileSync(FASTSTART));
    const r = new BufferReader(embed(file, 0, 4096, 2));
    const whole = new FragmentReader(r, [{ img: 0, length: Infinity }]);
    expect(movCarver.expectedAt!(whole, movCarver.carve(whole, 0, { maxFileSize: 1 << 30 } as never)!)).toBeNull();
  });
});

const MOOV_LAST = join(MEDIA, 'mov/s002_synthetic_h264_720p_moovlast.mov');

describe.skipIf(!existsSync(MOOV_LAST))('moov-last movies: an assembly that holds the moov points at its first misplaced sample', () => {
  it('with a window of foreign data in the mdat, a hint lies past the window start and matches where the file really continues', () => {
    const file = new Uint8Array(readFileSync(MOOV_LAST));
    let hints = 0;
    for (const frac of [0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.85]) {
      // A wrong seam later than the true one: the assembly reads filler from `from` to `to`, then the file again.
      const from = Math.floor((file.length * frac) / 512) * 512;
      const to = from + 512 * 64;
      const img = Uint8Array.from(file);
      let x = 12345 + from;
      for (let i = from; i < to; i++) img[i] = (x = (x * 1103515245 + 12345) >>> 0) >>> 24;
      const reader = new BufferReader(img);
      const hint = movCarver.expectedAt!(reader, movCarver.carve(reader, 0, { maxFileSize: 1 << 30, align: 512 })!);
      // Lengths and headers only: a window inside one sample's slice data gives no hint (the seam proof finds it).
      if (hint === null) continue;
      hints++;
      // Never before the window (the search may jump down to it without passing the true seam) ...
      expect(hint.fileOffset, `window at ${from}`).toBeGreaterThanOrEqual(from);
      // ... and its sample parses at its place in the real file.
      expect(hint.matches!(new BufferReader(file), hint.fileOffset)).toBe(true);
    }
    expect(hints).toBeGreaterThanOrEqual(4);
  });
});
