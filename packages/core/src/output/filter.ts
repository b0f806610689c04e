/**
 * Filters applied before a file is written (--min-size, --min-pixels,
 * --since/--until): what PhotoRec's users keep asking for, so that a card
 * does not yield ten thousand icons. A filtered file is not written, but it
 * is listed in report.json `filtered` with its offsets and the rule that
 * skipped it, so an examiner can say exactly what was left in the image.
 */
import type { Metadata } from '../carver.js';
import { UsageError } from '../errors.js';

/** The filters of a run (report.json `options.filter`); every bound optional. */
export interface FileFilter {
  /** Files smaller than this many bytes are not written. */
  minSize?: number;
  /** Still images with fewer pixels (width × height) are not written; videos and files of unknown size are kept. */
  minPixels?: number;
  /** Files whose date taken is before this wall-clock time (`YYYY-MM-DDTHH:MM:SS`) are not written. */
  since?: string;
  /** Files whose date taken is after this wall-clock time are not written. */
  until?: string;
}

/** Which rule skipped a file. */
export type FilterReason = 'size' | 'pixels' | 'date';

/** Why a file was not written. */
export interface FilterVerdict {
  /** The rule: size, pixels or date. */
  reason: FilterReason;
  /** The rule and the file's value, e.g. "12 KiB below --min-size 20480". */
  detail: string;
}

/** Whether any bound is set. */
export function filterActive(f: FileFilter | null | undefined): f is FileFilter {
  return !!f && (f.minSize !== undefined || f.minPixels !== undefined || f.since !== undefined || f.until !== undefined);
}

/** Whether the filter has date bounds (files without a date taken are then kept, with a note). */
export function filtersByDate(f: FileFilter | null | undefined): boolean {
  return !!f && (f.since !== undefined || f.until !== undefined);
}

/** The size rule: checked before any byte is read. */
export function sizeVerdict(f: FileFilter | null | undefined, size: number): FilterVerdict | null {
  if (f?.minSize !== undefined && size < f.minSize) return { reason: 'size', detail: `${size} bytes, below --min-size ${f.minSize}` };
  return null;
}

/** The pixel and date rules, on the file's metadata (carve facts and EXIF/QuickTime). */
export function metadataVerdict(f: FileFilter | null | undefined, md: Metadata): FilterVerdict | null {
  if (!f) return null;
  if (f.minPixels !== undefined && md['duration'] === undefined) {
    const w = md['width'];
    const h = md['height'];
    if (typeof w === 'number' && typeof h === 'number' && w > 0 && h > 0 && w * h < f.minPixels) {
      return { reason: 'pixels', detail: `${w}x${h} = ${w * h} pixels, below --min-pixels ${f.minPixels}` };
    }
  }
  if (filtersByDate(f)) {
    const taken = dateTaken(md);
    if (taken !== null && f.since !== undefined && taken < f.since) return { reason: 'date', detail: `taken ${taken}, before --since ${f.since}` };
    if (taken !== null && f.until !== undefined && taken > f.until) return { reason: 'date', detail: `taken ${taken}, after --until ${f.until}` };
  }
  return null;
}

/** The note a kept file gets when a date filter is set but the file has no date taken. */
export const UNDATED_NOTE = 'no date taken in its metadata: kept although --since/--until is set (files without a date are never filtered out)';

const WALL_CLOCK = /^(\d{4})[-:](\d{2})[-:](\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;

/**
 * When the picture or movie was taken, as wall-clock time `YYYY-MM-DDTHH:MM:SS`
 * the way the device recorded it: EXIF DateTimeOriginal (camera local time),
 * Apple's QuickTime creationdate (its local part), EXIF CreateDate, else the
 * movie header's creation time (UTC by the standard). Null when none is
 * present or plausible (all-zero dates, years before 1970 — a QuickTime
 * epoch of 1904 — or after 2100).
 */
export function dateTaken(md: Metadata): string | null {
  for (const key of ['dateTimeOriginal', 'creationDate', 'createDate', 'creationTime']) {
    const v = md[key];
    if (typeof v !== 'string') continue;
    const d = wallClock(v);
    if (d !== null) return d;
  }
  return null;
}

function wallClock(v: string): string | null {
  const m = WALL_CLOCK.exec(v.trim());
  if (!m) return null;
  const [y, mo, d, h = '00', mi = '00', s = '00'] = m.slice(1) as string[];
  const year = Number(y);
  if (year < 1970 || year > 2100 || Number(mo) < 1 || Number(mo) > 12 || Number(d) < 1 || Number(d) > 31 || Number(h) > 23 || Number(mi) > 59 || Number(s) > 60) return null;
  return `${y}-${mo}-${d}T${h}:${mi}:${s}`;
}

/**
 * A --since/--until value: an ISO date (`2024-06-01`) or date and time
 * (`2024-06-01T12:00`, `2024-06-01 12:00:30`). A date alone means the day's
 * first second for --since and its last for --until. Zones are not taken:
 * dates taken are compared as the wall-clock time the device recorded.
 */
export function parseDateBound(v: string, name: '--since' | '--until'): string {
  const t = v.trim();
  const m = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?$/.exec(t);
  const parsed = m ? wallClock(t) : null;
  if (!m || parsed === null) throw new UsageError(`${name} must be an ISO date or date and time (2024-06-01, 2024-06-01T18:30), not ${JSON.stringify(v)}`);
  if (m[4] !== undefined) return parsed;
  return name === '--since' ? `${parsed.slice(0, 10)}T00:00:00` : `${parsed.slice(0, 10)}T23:59:59`;
}

/** A --min-pixels value: a pixel count (`76800`) or a size (`320x240`, meaning 320 × 240 pixels). */
export function parsePixels(v: string): number {
  const t = v.trim().toLowerCase();
  const wh = /^(\d+)\s*[x*×]\s*(\d+)$/.exec(t);
  const n = wh ? Number(wh[1]) * Number(wh[2]) : /^\d+$/.test(t) ? Number(t) : NaN;
  if (!Number.isSafeInteger(n) || n < 1) throw new UsageError(`--min-pixels must be a pixel count or WIDTHxHEIGHT (320x240), not ${JSON.stringify(v)}`);
  return n;
}
