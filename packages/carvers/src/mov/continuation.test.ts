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
