import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import jpeg from 'jpeg-js';
import { afterAll, describe, expect, it } from 'vitest';
import { decodeJpeg, encodeJpeg, heifWithThumbnailExposed } from './codec.js';
import { jpegExifThumbnail } from './exif-thumb.js';
import { makeThumb, type ThumbTask } from './make-thumb.js';
import { downscale, orient, type Rgba } from './pixels.js';
import { placeholderSvg } from './placeholder.js';

const MEDIA = resolve(import.meta.dirname, '../../../../../shared/media');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-thumbs-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** A picture with a horizontal gradient and a bright top-left corner, so turns and flips are visible. */
function picture(w: number, h: number): Rgba {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      const corner = x < w / 4 && y < h / 4;
      data[i] = corner ? 255 : (x * 255) / w;
      data[i + 1] = corner ? 255 : 40;
      data[i + 2] = corner ? 255 : (y * 255) / h;
      data[i + 3] = 255;
    }
  }
  return { width: w, height: h, data };
}

/** A JPEG whose APP1 Exif holds an IFD1 thumbnail (big-endian TIFF, as many cameras write). */
function jpegWithExifThumb(main: Rgba, thumb: Rgba): Buffer {
  const t = Buffer.from(encodeJpeg(thumb));
  const tiff = Buffer.alloc(8 + 2 + 12 + 4 + 2 + 24 + 4);
  tiff.write('MM', 0, 'latin1');
  tiff.writeUInt16BE(42, 2);
  tiff.writeUInt32BE(8, 4);
  tiff.writeUInt16BE(1, 8); // IFD0: one entry (Orientation = 1)
  tiff.writeUInt16BE(0x0112, 10);
  tiff.writeUInt16BE(3, 12);
  tiff.writeUInt32BE(1, 14);
  tiff.writeUInt16BE(1, 18);
  const ifd1 = 8 + 2 + 12 + 4;
  tiff.writeUInt32BE(ifd1, 22);
  tiff.writeUInt16BE(2, ifd1);
  tiff.writeUInt16BE(0x0201, ifd1 + 2);
  tiff.writeUInt16BE(4, ifd1 + 4);
  tiff.writeUInt32BE(1, ifd1 + 6);
  tiff.writeUInt32BE(tiff.length, ifd1 + 10);
  tiff.writeUInt16BE(0x0202, ifd1 + 14);
  tiff.writeUInt16BE(4, ifd1 + 16);
  tiff.writeUInt32BE(1, ifd1 + 18);
  tiff.writeUInt32BE(t.length, ifd1 + 22);
  const payload = Buffer.concat([Buffer.from('Exif\0\0', 'latin1'), tiff, t]);
  const app1 = Buffer.alloc(4);
  app1.writeUInt16BE(0xffe1, 0);
  app1.writeUInt16BE(payload.length + 2, 2);
  const body = Buffer.from(encodeJpeg(main));
  return Buffer.concat([body.subarray(0, 2), app1, payload, body.subarray(2)]);
}

const task = (over: Partial<ThumbTask['file']>, base: string, imagePath: string | null = null): ThumbTask => ({
  outDir: work,
  imagePath,
  file: { path: 'files/x/none.bin', type: 'jpeg', size: 0, byteRuns: [], orientation: null, width: null, height: null, duration: null, codec: null, ...over },
  thumbBase: `report/thumbs/${base}`,
  max: 240,
  ffmpeg: null,
  posterMs: 5000,
});

describe('thumbnails', () => {
  it('scales down by averaging, never up, keeping the aspect ratio', () => {
    const small = picture(100, 50);
    expect(downscale(small, 240)).toBe(small);
    const checker: Rgba = { width: 480, height: 240, data: new Uint8Array(480 * 240 * 4) };
    for (let i = 0; i < 480 * 240; i++) checker.data.set(((i % 480) + Math.floor(i / 480)) % 2 ? [255, 255, 255, 255] : [0, 0, 0, 255], i * 4);
    const d = downscale(checker, 240);
    expect([d.width, d.height]).toEqual([240, 120]);
    for (let i = 0; i < d.width * d.height; i++) expect(Math.abs(d.data[i * 4]! - 128)).toBeLessThanOrEqual(1);
  });

  it('turns a picture by its EXIF orientation (6: 90° clockwise, 3: 180°, 8: 90° counter-clockwise)', () => {
    const p = picture(8, 4);
    const bright = (img: Rgba, x: number, y: number): boolean => img.data[(y * img.width + x) * 4 + 1] === 255;
    expect(bright(p, 0, 0)).toBe(true);
    const r6 = orient(p, 6);
    expect([r6.width, r6.height]).toEqual([4, 8]);
    expect(bright(r6, 3, 0)).toBe(true); // the top-left corner goes to the top right
    expect(bright(orient(p, 3), 7, 3)).toBe(true);
    expect(bright(orient(p, 8), 0, 7)).toBe(true);
    expect(orient(p, 1)).toBe(p);
  });

  it('finds the EXIF IFD1 thumbnail and makes the thumbnail from it', async () => {
    const file = jpegWithExifThumb(picture(1200, 800), picture(160, 120));
    const thumb = jpegExifThumbnail(file);
    expect(thumb).not.toBeNull();
    expect(decodeJpeg(thumb!).width).toBe(160);
    const path = join(work, 'files/jpeg/f0000000000.jpg');
    execFileSync('mkdir', ['-p', join(work, 'files/jpeg')]);
    writeFileSync(path, file);
    const r = await makeThumb(task({ path: 'files/jpeg/f0000000000.jpg', size: file.length, orientation: 6 }, 'jpeg/f0000000000'));
    expect(r.kind).toBe('embedded');
    expect(r.src).toBe('report/thumbs/jpeg/f0000000000.jpg');
    const out = jpeg.decode(readFileSync(join(work, r.src)));
    expect([out.width, out.height]).toEqual([120, 160]); // turned upright
  });

  it('decodes and scales a JPEG without a thumbnail, reading its fragments from the image when it was not written', async () => {
    const file = Buffer.from(encodeJpeg(picture(640, 480)));
    const half = Math.floor(file.length / 2);
    // The image holds the second half first, then the first: two byte runs, file order != image order.
    const image = join(work, 'evidence.img');
    writeFileSync(image, Buffer.concat([Buffer.alloc(512), file.subarray(half), Buffer.alloc(300), file.subarray(0, half)]));
    const runs = [
      { imgOffset: 512 + (file.length - half) + 300, fileOffset: 0, length: half },
      { imgOffset: 512, fileOffset: half, length: file.length - half },
    ];
    const r = await makeThumb(task({ path: 'files/jpeg/not-written.jpg', size: file.length, byteRuns: runs }, 'jpeg/not-written', image));
    expect(r.kind).toBe('decoded');
    expect([r.width, r.height]).toEqual([240, 180]);
    expect(decodeJpeg(readFileSync(join(work, r.src))).width).toBe(240);
  });

  it('gives a placeholder, never an exception, for what does not decode or cannot be read', async () => {
    const junk = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff, 0xdb, 0x00, 0x04, 1, 2]), Buffer.alloc(5000, 0x5a)]);
    writeFileSync(join(work, 'files/jpeg/junk.jpg'), junk);
    const r = await makeThumb(task({ path: 'files/jpeg/junk.jpg', size: junk.length }, 'jpeg/junk'));
    expect(r.kind).toBe('placeholder');
    expect(r.error).toBeTruthy();
    expect(readFileSync(join(work, r.src), 'utf8')).toContain('<svg');
    const missing = await makeThumb(task({ path: 'files/jpeg/gone.jpg', size: 100, byteRuns: [{ imgOffset: 0, fileOffset: 0, length: 100 }] }, 'jpeg/gone'));
    expect(missing.kind).toBe('placeholder');
    expect(missing.error).toContain('not written');
  });

  it('shows a video as a placeholder with codec and duration when there is no poster frame', async () => {
    const mov = Buffer.concat([Buffer.from([0, 0, 0, 20]), Buffer.from('ftypqt  \0\0\0\0qt  ', 'latin1'), Buffer.alloc(100)]);
    writeFileSync(join(work, 'files/jpeg/clip.mov'), mov);
    const r = await makeThumb(task({ path: 'files/jpeg/clip.mov', type: 'mov', size: mov.length, duration: 83.4, codec: 'hvc1' }, 'mov/clip'));
    expect(r.kind).toBe('placeholder');
    expect(r.error).toBeUndefined();
    const svg = readFileSync(join(work, r.src), 'utf8');
    expect(svg).toContain('1:23');
    expect(svg).toContain('hvc1');
  });

  it('escapes text from the evidence in placeholders', () => {
    const svg = placeholderSvg({ video: true, title: 'VIDEO', lines: ['<script>alert(1)</script>&'] });
    expect(svg).not.toContain('<script>');
    expect(svg).toContain('&#60;script');
  });

  it.skipIf(spawnSync('which', ['heif-enc']).status !== 0)('decodes the thumbnail item of a HEIC instead of its primary image (heif-enc -t)', async () => {
    const src = join(work, 'src.jpg');
    writeFileSync(src, encodeJpeg(picture(1024, 768)));
    const heic = join(work, 'p.heic');
    execFileSync('heif-enc', ['-q', '50', '-t', '160', '-o', heic, src], { stdio: 'pipe' });
    const bytes = readFileSync(heic);
    expect(heifWithThumbnailExposed(bytes)).not.toBeNull();
    execFileSync('mkdir', ['-p', join(work, 'files/heic')]);
    writeFileSync(join(work, 'files/heic/p.heic'), bytes);
    const r = await makeThumb(task({ path: 'files/heic/p.heic', type: 'heic', size: bytes.length }, 'heic/p'));
    expect(r.kind).toBe('embedded');
    expect(Math.max(r.width, r.height)).toBe(160);
  });

  it.skipIf(!existsSync(MEDIA))('makes a thumbnail of every real camera photo in ../shared/media, most from embedded previews', async () => {
    const files = ['jpeg', 'heic'].flatMap((d) => readdirSync(join(MEDIA, d)).slice(0, 6).map((n) => join(MEDIA, d, n)));
    const kinds: string[] = [];
    for (const [i, p] of files.entries()) {
      const bytes = readFileSync(p);
      const rel = `files/real/${i}.bin`;
      execFileSync('mkdir', ['-p', join(work, 'files/real')]);
      writeFileSync(join(work, rel), bytes);
      const r = await makeThumb(task({ path: rel, type: 'real', size: bytes.length }, `real/${i}`));
      expect(r.kind, `${p}: ${r.error}`).not.toBe('placeholder');
      kinds.push(r.kind);
    }
    expect(kinds.filter((k) => k === 'embedded').length).toBeGreaterThan(0);
  }, 120_000);
});
