import { readFileSync } from 'node:fs';

/**
 * Ground truth of a generated image: where every file's bytes lie. Written as
 * `<image>.truth.json` beside generated images (our own test images, never evidence).
 */
export interface TruthFragment {
  imgOffset: number;
  fileOffset: number;
  length: number;
}

export type TruthLayout = 'contiguous' | 'bifragment' | 'three-fragment' | 'interleaved' | 'out-of-order' | 'truncated';

export interface TruthFile {
  /** e.g. "j001_apple_iphone4.jpg" or "DCIM/100DEMO/IMG_0003.JPG". */
  id: string;
  /** Path of the media file it was made from, or "generated:<what>". */
  source: string;
  type: 'jpeg' | 'heic' | 'mov' | 'mp4' | 'other';
  size: number;
  sha256: string;
  layout: TruthLayout;
  /** Every byte of the file is present in the image. */
  intact: boolean;
  /** FAT images: the file was deleted after it was written. */
  deleted?: boolean;
  fsPath?: string;
  /** FAT images: the name the directory entry has (the long name where one was written). */
  fsName?: string;
  /** FAT images: the entry's write time as stored (local time, no zone; 2 s steps), "YYYY-MM-DDTHH:MM:SS". */
  modified?: string;
  /** Where its bytes lie, in file order. */
  fragments: TruthFragment[];
}

export interface GroundTruth {
  kind: 'raw-lab' | 'fat32-card' | 'demo-card';
  image: string;
  size: number;
  sectorSize: number;
  clusterSize?: number;
  generator: string;
  seed: number;
  files: TruthFile[];
}

export function loadTruth(path: string): GroundTruth {
  return JSON.parse(readFileSync(path, 'utf8')) as GroundTruth;
}

/** Type of a media file from its folder or extension. */
export function mediaType(path: string): TruthFile['type'] {
  const p = path.toLowerCase();
  if (/\.(jpe?g)$/.test(p)) return 'jpeg';
  if (/\.(heic|heif|hif|avif)$/.test(p)) return 'heic';
  if (/\.mov$/.test(p)) return 'mov';
  if (/\.(mp4|m4v|3gp)$/.test(p)) return 'mp4';
  return 'other';
}
