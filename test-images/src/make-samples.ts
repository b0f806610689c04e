/**
 * Regenerates the committed sample photos in test-images/samples/ (used by
 * `rawcarve demo` and fast tests). Needs ImageMagick (convert-im6.q16 or
 * convert), cjpeg and exiftool:  npx tsx test-images/src/make-samples.ts
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';

export const SAMPLES_DIR = resolve(import.meta.dirname, '../samples');

interface Sample {
  name: string;
  size: string;
  /** ImageMagick drawing of the picture. */
  draw: string[];
  cjpeg: string[];
  exif: string[];
  thumbnail: boolean;
}

const gps = (lat: number, lon: number): string[] => [
  `-GPSLatitude=${Math.abs(lat)}`, `-GPSLatitudeRef=${lat < 0 ? 'S' : 'N'}`,
  `-GPSLongitude=${Math.abs(lon)}`, `-GPSLongitudeRef=${lon < 0 ? 'W' : 'E'}`,
];

const SAMPLES: Sample[] = [
  { name: 'IMG_0001.JPG', size: '640x480', draw: ['gradient:skyblue-darkgreen', '-swirl', '90'], cjpeg: ['-quality', '88'], exif: ['-Make=Canon', '-Model=Canon PowerShot S95', '-DateTimeOriginal=2024:06:01 10:15:00', ...gps(48.8584, 2.2945)], thumbnail: true },
  { name: 'IMG_0002.JPG', size: '800x600', draw: ['plasma:orange-purple'], cjpeg: ['-quality', '85', '-progressive'], exif: ['-Make=NIKON CORPORATION', '-Model=NIKON D90', '-DateTimeOriginal=2024:06:01 10:16:30'], thumbnail: true },
  { name: 'IMG_0003.JPG', size: '512x384', draw: ['gradient:white-navy', '-wave', '20x90'], cjpeg: ['-quality', '90', '-restart', '1'], exif: ['-Make=Apple', '-Model=iPhone 12', '-DateTimeOriginal=2024:06:02 18:01:02', ...gps(-33.8568, 151.2153)], thumbnail: true },
  { name: 'IMG_0004.JPG', size: '1024x768', draw: ['plasma:fractal'], cjpeg: ['-quality', '80', '-sample', '2x2,1x1,1x1'], exif: ['-Make=SONY', '-Model=DSC-RX100', '-DateTimeOriginal=2024:06:03 07:45:10'], thumbnail: true },
  { name: 'IMG_0005.JPG', size: '320x240', draw: ['gradient:yellow-red', '-implode', '0.6'], cjpeg: ['-quality', '92', '-sample', '1x1,1x1,1x1'], exif: ['-Make=FUJIFILM', '-Model=X-T30', '-DateTimeOriginal=2024:06:03 07:46:00'], thumbnail: false },
  { name: 'IMG_0006.JPG', size: '720x540', draw: ['plasma:green-blue', '-blur', '0x1'], cjpeg: ['-quality', '75', '-optimize'], exif: ['-Make=Google', '-Model=Pixel 7', '-DateTimeOriginal=2024:06:04 12:00:00', ...gps(37.422, -122.084)], thumbnail: true },
  { name: 'IMG_0007.JPG', size: '600x400', draw: ['gradient:gray10-gray90', '-colorspace', 'Gray', '-swirl', '200'], cjpeg: ['-quality', '85', '-grayscale'], exif: ['-Make=OLYMPUS', '-Model=E-M10', '-DateTimeOriginal=2024:06:05 09:30:00'], thumbnail: false },
  { name: 'IMG_0008.JPG', size: '880x660', draw: ['plasma:red-yellow', '-paint', '2'], cjpeg: ['-quality', '82', '-progressive', '-restart', '4B'], exif: ['-Make=Panasonic', '-Model=DMC-GX80', '-DateTimeOriginal=2024:06:05 09:31:12'], thumbnail: true },
];

function magick(): string {
  for (const c of ['/usr/bin/convert-im6.q16', '/usr/bin/magick', '/usr/bin/convert']) if (existsSync(c)) return c;
  throw new Error('ImageMagick not found (apt-get install imagemagick)');
}

export function makeSamples(outDir = SAMPLES_DIR): string[] {
  const tmp = mkdtempSync(join(tmpdir(), 'rawcarve-samples-'));
  const im = magick();
  const made: string[] = [];
  try {
    for (const s of SAMPLES) {
      const ppm = join(tmp, 'pic.ppm');
      // A fixed seed makes plasma reproducible.
      execFileSync(im, ['-seed', '7', '-size', s.size, ...s.draw, '-depth', '8', ppm]);
      const out = join(outDir, s.name);
      execFileSync('cjpeg', [...s.cjpeg, '-outfile', out, ppm]);
      const args = ['-q', '-overwrite_original', ...s.exif];
      if (s.thumbnail) {
        const thumb = join(tmp, 'thumb.jpg');
        execFileSync(im, [ppm, '-resize', '160x120', '-quality', '70', thumb]);
        args.push(`-ThumbnailImage<=${thumb}`);
      }
      execFileSync('exiftool', [...args, out]);
      made.push(out);
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
  return made;
}

if (process.argv[1]?.endsWith('make-samples.ts')) {
  for (const f of makeSamples()) console.log(f);
}
