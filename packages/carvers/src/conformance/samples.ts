/**
 * Samples for the conformance suite of the built-in carvers: the committed
 * sample photos, files generated with the installed tools (cjpeg,
 * ImageMagick, heif-enc, ffmpeg), and the smallest real camera files of
 * ../shared/media when it is present.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ConformanceSample } from '@rawcarve/core/testing';
import { MEDIA, REPO, generateJpegs, hasCjpeg } from '../jpeg/test-helpers.js';

const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;
const IM = ['/usr/bin/convert-im6.q16', '/usr/bin/magick', '/usr/bin/convert'].find((p) => existsSync(p)) ?? null;
const SAMPLES = join(REPO, 'test-images/samples');

/** Real files per type from ../shared/media: the `count` smallest, so the properties stay fast. */
export function mediaSamples(dirs: readonly string[], count: number): ConformanceSample[] {
  const files = dirs
    .map((d) => join(MEDIA, d))
    .filter((d) => existsSync(d))
    .flatMap((d) => readdirSync(d).map((f) => join(d, f)))
    .sort((a, b) => statSync(a).size - statSync(b).size)
    .slice(0, count);
  return files.map((f) => ({ name: `media ${f.slice(MEDIA.length + 1)}`, bytes: new Uint8Array(readFileSync(f)) }));
}

/** Whether ../shared/media is there (tests say so when it is not). */
export const haveMedia = existsSync(MEDIA);

function withTemp<T>(fn: (dir: string) => T): T {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-conformance-'));
  try {
    return fn(dir);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Committed sample photos (EXIF thumbnails, progressive, restart markers), cjpeg variants and ImageMagick JPEGs. */
export function jpegSamples(): ConformanceSample[] {
  const out: ConformanceSample[] = readdirSync(SAMPLES).sort().map((f) => ({ name: `samples/${f}`, bytes: new Uint8Array(readFileSync(join(SAMPLES, f))) }));
  if (hasCjpeg) generateJpegs().forEach((b, i) => out.push({ name: `cjpeg variant ${i}`, bytes: new Uint8Array(b) }));
  if (IM) {
    withTemp((dir) => {
      const variants: [string, string[]][] = [['plasma baseline', []], ['plasma progressive', ['-interlace', 'JPEG']], ['plasma 4:2:0 q60', ['-sampling-factor', '2x2', '-quality', '60']]];
      variants.forEach(([name, args], i) => {
        const f = join(dir, `m${i}.jpg`);
        execFileSync(IM, ['-seed', String(11 + i), '-size', '160x120', 'plasma:', ...args, f]);
        out.push({ name: `ImageMagick ${name}`, bytes: new Uint8Array(readFileSync(f)) });
      });
    });
  }
  return [...out, ...mediaSamples(['jpeg'], 3)];
}

/** heif-enc HEIC (plain, thumbnail, alpha) and AVIF, made from the committed samples; then real files. */
export function heicSamples(): ConformanceSample[] {
  const out: ConformanceSample[] = [];
  if (has('heif-enc') && IM) {
    withTemp((dir) => {
      const small = (src: string, name: string, extra: string[] = []): string => {
        const f = join(dir, name);
        execFileSync(IM, [join(SAMPLES, src), '-resize', '256x192', ...extra, f]);
        return f;
      };
      const variants: [string, string, string[]][] = [
        ['HEIC', small('IMG_0001.JPG', 'a.jpg'), ['-q', '40']],
        ['HEIC with a thumbnail', small('IMG_0004.JPG', 'b.jpg'), ['-q', '40', '-t', '64']],
        ['HEIC with alpha', small('IMG_0005.JPG', 'c.png', ['-alpha', 'set', '-channel', 'A', '-evaluate', 'set', '50%']), ['-q', '40']],
        ['AVIF', small('IMG_0002.JPG', 'e.jpg'), ['-A', '-q', '40']],
      ];
      variants.forEach(([name, input, args], i) => {
        const f = join(dir, `h${i}.${name === 'AVIF' ? 'avif' : 'heic'}`);
        execFileSync('heif-enc', [...args, '-o', f, input], { stdio: 'pipe' });
        out.push({ name: `heif-enc ${name}`, bytes: new Uint8Array(readFileSync(f)) });
      });
    });
  }
  return [...out, ...mediaSamples(['heic'], 3)];
}

/** Short ffmpeg movies (moov last and first, fragmented, QuickTime, MJPEG), then real files. */
export function movSamples(): ConformanceSample[] {
  const out: ConformanceSample[] = [];
  if (has('ffmpeg')) {
    const src = ['-f', 'lavfi', '-i', 'testsrc=size=160x120:rate=10', '-f', 'lavfi', '-i', 'sine=frequency=440', '-t', '1', '-pix_fmt', 'yuv420p'];
    const variants: [string, string, string[]][] = [
      ['MP4 H.264, moov last', 'a.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac']],
      ['MP4 H.264, moov first', 'b.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac', '-movflags', '+faststart']],
      ['fragmented MP4', 'c.mp4', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac', '-movflags', 'frag_keyframe+empty_moov']],
      ['MOV H.264', 'd.mov', ['-c:v', 'libx264', '-g', '5', '-c:a', 'aac']],
      ['MOV MJPEG + PCM', 'e.mov', ['-c:v', 'mjpeg', '-c:a', 'pcm_s16le']],
    ];
    withTemp((dir) => {
      for (const [name, file, args] of variants) {
        const f = join(dir, file);
        const r = spawnSync('ffmpeg', ['-v', 'error', '-y', ...src, ...args, f]);
        if (r.status === 0) out.push({ name: `ffmpeg ${name}`, bytes: new Uint8Array(readFileSync(f)) });
      }
    });
  }
  return [...out, ...mediaSamples(['mov', 'mp4'], 3)];
}

/** A JPEG whose frame header (before the first scan) is progressive: SOF2, SOF6, SOF10 or SOF14. */
export function isProgressiveJpeg(b: Uint8Array): boolean {
  for (let i = 2; i + 4 <= b.length; ) {
    if (b[i] !== 0xff) return false;
    const m = b[i + 1]!;
    if (m === 0xc2 || m === 0xc6 || m === 0xca || m === 0xce) return true;
    if (m === 0xda) return false;
    i += 2 + ((b[i + 2]! << 8) | b[i + 3]!);
  }
  return false;
}
