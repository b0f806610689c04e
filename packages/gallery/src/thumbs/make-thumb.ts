/**
 * One thumbnail: the embedded preview when there is one (EXIF IFD1 of a JPEG,
 * the 'thmb' item of a HEIC), else the picture decoded and scaled; a video
 * gets a poster frame from ffmpeg when it is installed and the file was
 * written, else a placeholder with its codec and duration. Anything that
 * fails becomes a placeholder saying why: a thumbnail never stops a run.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { ByteRun } from '@rawcarve/core';
import { MAX_MEGAPIXELS, decodeHeif, decodeJpeg, encodeJpeg, heifWithThumbnailExposed } from './codec.js';
import { jpegExifThumbnail } from './exif-thumb.js';
import { readFileBytes, writtenCopy, type FileBytesRequest } from './file-bytes.js';
import { downscale, orient, type Rgba } from './pixels.js';
import { formatClock, placeholderSvg } from './placeholder.js';

/** How a thumbnail was made. */
export type ThumbKind = 'embedded' | 'decoded' | 'poster' | 'placeholder';

export interface ThumbTask {
  outDir: string;
  imagePath: string | null;
  file: {
    path: string;
    type: string;
    size: number;
    byteRuns: ByteRun[];
    orientation: number | null;
    width: number | null;
    height: number | null;
    duration: number | null;
    codec: string | null;
  };
  /** Path of the thumbnail relative to OUTDIR, without extension (report/thumbs/<type>/<name>). */
  thumbBase: string;
  /** Longest side in pixels. */
  max: number;
  /** ffmpeg to run for video poster frames, or null. */
  ffmpeg: string | null;
  /** Milliseconds ffmpeg may take. */
  posterMs: number;
}

export interface ThumbResult {
  /** Relative to OUTDIR (report/thumbs/…jpg or .svg). */
  src: string;
  kind: ThumbKind;
  width: number;
  height: number;
  /** Why there is only a placeholder (decode failure), if so. */
  error?: string;
}

/** The leading bytes read first: the EXIF segment (at most 64 KiB) and a HEIC's meta box usually fit. */
const HEAD_BYTES = 256 * 1024;
/** Pictures larger than this are not read whole for decoding. */
export const MAX_DECODE_BYTES = 96 * 1024 * 1024;

type Format = 'jpeg' | 'heif' | 'video' | 'other';

export function sniff(head: Uint8Array): Format {
  if (head[0] === 0xff && head[1] === 0xd8 && head[2] === 0xff) return 'jpeg';
  if (head.length >= 12) {
    const box = String.fromCharCode(...head.subarray(4, 8));
    if (box === 'ftyp') {
      const brand = String.fromCharCode(...head.subarray(8, 12));
      if (['heic', 'heix', 'heim', 'heis', 'mif1', 'mif2', 'msf1', 'hevc', 'hevx'].includes(brand)) return 'heif';
      return 'video';
    }
    if (['moov', 'mdat', 'wide', 'free', 'skip', 'pnot'].includes(box)) return 'video';
  }
  return 'other';
}

export async function makeThumb(task: ThumbTask): Promise<ThumbResult> {
  const f = task.file;
  const req: FileBytesRequest = { outDir: task.outDir, path: f.path, size: f.size, byteRuns: f.byteRuns, imagePath: task.imagePath };
  let head: Uint8Array;
  try {
    head = readFileBytes(req, HEAD_BYTES);
  } catch (err) {
    return placeholder(task, false, 'no preview', [why(err)], true);
  }
  const format = f.duration !== null ? 'video' : sniff(head);
  try {
    if (format === 'jpeg') return await jpegThumb(task, req, head);
    if (format === 'heif') return await heifThumb(task, req, head);
    if (format === 'video') return await videoThumb(task, req);
    return placeholder(task, false, f.type.toUpperCase(), ['no preview for this type'], false);
  } catch (err) {
    return placeholder(task, format === 'video', 'no preview', [why(err)], true);
  }
}

async function jpegThumb(task: ThumbTask, req: FileBytesRequest, head: Uint8Array): Promise<ThumbResult> {
  const embedded = jpegExifThumbnail(head);
  const orientation = task.file.orientation ?? 1;
  if (embedded) {
    try {
      return writeJpeg(task, orient(downscale(decodeJpeg(embedded), task.max), orientation), 'embedded');
    } catch {
      // a damaged embedded preview: decode the picture itself
    }
  }
  guardSize(task, req);
  const bytes = req.size <= head.length ? head : readFileBytes(req, req.size);
  return writeJpeg(task, orient(downscale(decodeJpeg(bytes), task.max), orientation), 'decoded');
}

async function heifThumb(task: ThumbTask, req: FileBytesRequest, head: Uint8Array): Promise<ThumbResult> {
  guardSize(task, req);
  const bytes = req.size <= head.length ? head : readFileBytes(req, req.size);
  const exposed = heifWithThumbnailExposed(bytes);
  if (exposed) {
    try {
      return writeJpeg(task, downscale(await decodeHeif(exposed, true), task.max), 'embedded');
    } catch {
      // the thumbnail item does not decode: the primary image then
    }
  }
  return writeJpeg(task, downscale(await decodeHeif(bytes, false), task.max), 'decoded');
}

function guardSize(task: ThumbTask, req: FileBytesRequest): void {
  if (req.size > MAX_DECODE_BYTES) throw new Error(`${Math.round(req.size / 2 ** 20)} MiB: too large to decode for a thumbnail`);
  const { width, height } = task.file;
  if (width && height && width * height > MAX_MEGAPIXELS * 1e6) throw new Error(`${width}x${height}: too many pixels to decode for a thumbnail`);
}

async function videoThumb(task: ThumbTask, req: FileBytesRequest): Promise<ThumbResult> {
  const f = task.file;
  const lines = [[f.codec, f.width && f.height ? `${f.width}x${f.height}` : null].filter(Boolean).join(' · '), f.duration !== null ? formatClock(f.duration) : ''].filter(Boolean);
  const copy = writtenCopy(req);
  if (task.ffmpeg && copy) {
    const out = join(task.outDir, `${task.thumbBase}.jpg`);
    mkdirSync(dirname(out), { recursive: true });
    const ok = await poster(task.ffmpeg, copy, out, task.max, task.posterMs);
    if (ok) {
      try {
        const frame = decodeJpeg(readFileSync(out)); // checks the frame decodes, and gives its size
        return { src: `${task.thumbBase}.jpg`, kind: 'poster', width: frame.width, height: frame.height };
      } catch {
        // not a picture a browser shows: the placeholder then
      }
    }
    rmSync(out, { force: true });
  }
  return placeholder(task, true, 'VIDEO', lines, false);
}

/** The first frame, scaled to `max` wide, by ffmpeg with a time limit. */
function poster(ffmpeg: string, input: string, out: string, max: number, timeoutMs: number): Promise<boolean> {
  const tmp = `${out}.partial.jpg`;
  return new Promise((resolve) => {
    execFile(
      ffmpeg,
      ['-nostdin', '-v', 'error', '-i', input, '-frames:v', '1', '-vf', `scale='min(${max},iw)':-2`, '-q:v', '5', '-f', 'image2', '-y', tmp],
      { timeout: timeoutMs, killSignal: 'SIGKILL', maxBuffer: 1 << 20 },
      (err) => {
        if (err) {
          rmSync(tmp, { force: true });
          resolve(false);
        } else {
          try {
            renameSync(tmp, out);
            resolve(true);
          } catch {
            resolve(false);
          }
        }
      },
    );
  });
}

function writeJpeg(task: ThumbTask, img: Rgba, kind: ThumbKind): ThumbResult {
  const src = `${task.thumbBase}.jpg`;
  const path = join(task.outDir, src);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, encodeJpeg(img));
  return { src, kind, width: img.width, height: img.height };
}

export function placeholder(task: ThumbTask, video: boolean, title: string, lines: string[], failed: boolean): ThumbResult {
  const src = `${task.thumbBase}.svg`;
  const path = join(task.outDir, src);
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, placeholderSvg({ video, title, lines }));
  return { src, kind: 'placeholder', width: 240, height: 180, ...(failed ? { error: lines.join('; ') } : {}) };
}

function why(err: unknown): string {
  const m = err instanceof Error ? err.message : String(err);
  return m.length > 160 ? `${m.slice(0, 157)}...` : m;
}
