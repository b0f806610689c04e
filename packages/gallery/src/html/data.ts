/**
 * What report.html shows, as one JSON blob embedded in the page: the
 * report's facts for each file, reduced to what the gallery needs, with its
 * thumbnail. Built from report.json's fields, so the page and the reports
 * never disagree.
 */
import { dateTaken, type FileRecord, type ScanReport } from '@rawcarve/core';
import type { ThumbResult } from '../thumbs/make-thumb.js';

export interface GalleryFile {
  path: string;
  type: string;
  /** complete | rebuilt | truncated | damaged (rebuilt: complete, from more than one fragment). */
  status: string;
  fragments: number;
  size: number;
  offset: number;
  duplicates: number[];
  make: string | null;
  model: string | null;
  /** Date taken as wall-clock `YYYY-MM-DDTHH:MM:SS`, for sorting and the timeline. */
  taken: string | null;
  /** The date as the metadata has it (EXIF string, QuickTime ISO time). */
  takenRaw: string | null;
  lat: number | null;
  lon: number | null;
  width: number | null;
  height: number | null;
  duration: number | null;
  codec: string | null;
  validFraction: number;
  notes: string[];
  sha256: string;
  md5: string;
  /** Byte runs as [image offset, length], at most 64 (`moreRuns` says how many more). */
  runs: [number, number][];
  moreRuns: number;
  /** Whether files/… holds it (false with --report-only). */
  written: boolean;
  thumb: string | null;
  thumbKind: string | null;
  thumbWidth: number;
  thumbHeight: number;
  thumbError: string | null;
  /** Index into `live`, when the file is part of a Live Photo pair. */
  live: number | null;
  /** The name a file system gave it (FAT/exFAT directory entry matched to it), if any. */
  fsName: string | null;
  /** Whether that directory entry is a deleted one. */
  fsDeleted: boolean;
}

export interface GalleryData {
  tool: { name: string; version: string };
  source: { path: string; size: number; kind: string; md5: string | null; sha256: string | null };
  startedAt: string;
  finishedAt: string;
  reportOnly: boolean;
  filter: ScanReport['options']['filter'];
  summary: {
    files: number;
    duplicates: number;
    issues: number;
    bytesScanned: number;
    elapsedSeconds: number;
    filtered: ScanReport['summary']['filtered'] | null;
    gallery: ScanReport['summary']['gallery'] | null;
  };
  filtered: { type: string; offset: number; size: number; reason: string; detail: string }[];
  files: GalleryFile[];
  /** Live Photo pairs: indices into `files`. */
  live: { id: string; stills: number[]; videos: number[] }[];
}

const MAX_RUNS = 64;
const str = (v: unknown): string | null => (typeof v === 'string' && v !== '' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' && Number.isFinite(v) ? v : null);

export function galleryData(report: ScanReport, thumbs: ReadonlyMap<string, ThumbResult>): GalleryData {
  const index = new Map(report.files.map((f, i) => [f.path, i]));
  const live = (report.livePhotos ?? []).map((p) => ({
    id: p.contentIdentifier,
    stills: p.stills.map((s) => index.get(s)).filter((i): i is number => i !== undefined),
    videos: p.videos.map((s) => index.get(s)).filter((i): i is number => i !== undefined),
  }));
  const liveOf = new Map<number, number>();
  live.forEach((p, k) => [...p.stills, ...p.videos].forEach((i) => liveOf.set(i, k)));
  const reportOnly = report.options.reportOnly ?? false;
  return {
    tool: { name: report.tool.name, version: report.tool.version },
    source: { path: report.source.path, size: report.source.size, kind: report.source.kind, md5: report.source.md5 ?? null, sha256: report.source.sha256 ?? null },
    startedAt: report.startedAt,
    finishedAt: report.finishedAt,
    reportOnly,
    filter: report.options.filter ?? null,
    summary: {
      files: report.files.length,
      duplicates: report.summary.duplicates,
      issues: report.issues.length,
      bytesScanned: report.summary.bytesScanned,
      elapsedSeconds: report.summary.elapsedSeconds,
      filtered: report.summary.filtered ?? null,
      gallery: report.summary.gallery ?? null,
    },
    filtered: (report.filtered ?? []).map((f) => ({ type: f.type, offset: f.imgOffset, size: f.size, reason: f.reason, detail: f.detail })),
    files: report.files.map((f, i) => galleryFile(f, thumbs.get(f.path) ?? null, liveOf.get(i) ?? null, !reportOnly)),
    live,
  };
}

function galleryFile(f: FileRecord, t: ThumbResult | null, live: number | null, written: boolean): GalleryFile {
  const md = f.metadata;
  const fs = (f as { fs?: { path?: unknown; name?: unknown; deleted?: unknown } }).fs;
  const status = f.status === 'complete' && f.byteRuns.length > 1 ? 'rebuilt' : f.status;
  return {
    path: f.path,
    type: f.type,
    status,
    fragments: f.byteRuns.length,
    size: f.size,
    offset: f.imgOffset,
    duplicates: f.duplicates,
    make: str(md['make']),
    model: str(md['model']),
    taken: dateTaken(md),
    takenRaw: str(md['dateTimeOriginal']) ?? str(md['creationDate']) ?? str(md['createDate']) ?? str(md['creationTime']),
    lat: num(md['latitude']),
    lon: num(md['longitude']),
    width: num(md['width']),
    height: num(md['height']),
    duration: num(md['duration']),
    codec: str(md['codec']),
    validFraction: f.validFraction,
    notes: f.notes,
    sha256: f.sha256,
    md5: f.md5,
    runs: f.byteRuns.slice(0, MAX_RUNS).map((r) => [r.imgOffset, r.length]),
    moreRuns: Math.max(0, f.byteRuns.length - MAX_RUNS),
    written,
    thumb: t?.src ?? null,
    thumbKind: t?.kind ?? null,
    thumbWidth: t?.width ?? 240,
    thumbHeight: t?.height ?? 180,
    thumbError: t?.error ?? null,
    live,
    fsName: str(fs?.path) ?? str(fs?.name),
    fsDeleted: fs?.deleted === true,
  };
}

/**
 * JSON for a `<script type="application/json">` element: `<` escaped (so no
 * `</script>` or `<!--` in camera names from the evidence can end the element),
 * and the line separators JavaScript once refused.
 */
export function scriptJson(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c').replace(/>/g, '\\u003e').replace(/&/g, '\\u0026').replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029');
}
