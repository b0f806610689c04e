/**
 * @rawcarve/gallery: the examiner's view of a run. OUTDIR/report.html, one
 * self-contained page over report.json's facts, and its thumbnails under
 * OUTDIR/report/thumbs (never under files/).
 */
import { AuditLog } from '@rawcarve/core';
import { makeThumbnails, type ThumbnailOptions, type ThumbnailRun } from './thumbs/phase.js';

export { makeThumbnails, thumbBase, findFfmpeg, DEFAULT_THUMBNAIL_BUDGET_MS, type ThumbnailOptions, type ThumbnailRun } from './thumbs/phase.js';
export { makeThumb, sniff, type ThumbKind, type ThumbResult, type ThumbTask } from './thumbs/make-thumb.js';
export { jpegExifThumbnail, exifTiff, tiffThumbnail } from './thumbs/exif-thumb.js';
export { downscale, orient, fitWithin, type Rgba } from './thumbs/pixels.js';
export { decodeJpeg, encodeJpeg, heifWithThumbnailExposed } from './thumbs/codec.js';
export { placeholderSvg, formatClock } from './thumbs/placeholder.js';
export { galleryData, scriptJson, type GalleryData, type GalleryFile } from './html/data.js';
export { renderGalleryHtml, writeGalleryHtml } from './html/render.js';

/**
 * The thumbnail phase of a run, on record: phase-start and phase-end in
 * OUTDIR/audit.log, and its counts and wall time in `report.summary.gallery`
 * (so report.json, written after it, holds them).
 */
export async function galleryPhase(o: ThumbnailOptions): Promise<ThumbnailRun> {
  const audit = new AuditLog(o.outDir);
  try {
    audit.event('phase-start', { phase: 'thumbnails', files: o.report.files.length, folder: 'report/thumbs' });
    const run = await makeThumbnails(o);
    const s = run.summary;
    audit.event('phase-end', { phase: 'thumbnails', files: s.files, embedded: s.embedded, decoded: s.decoded, poster_frames: s.posterFrames, placeholders: s.placeholders, failed: s.failed, ms: s.ms });
    o.report.summary.gallery = s;
    return run;
  } finally {
    audit.close();
  }
}
