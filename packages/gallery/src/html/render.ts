/**
 * OUTDIR/report.html: one self-contained page (inline CSS and script, the
 * data as embedded JSON, thumbnails by relative path under report/thumbs),
 * opened from disk with no network at all: its Content-Security-Policy
 * allows no connection, no external script, style or font.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ScanReport } from '@rawcarve/core';
import type { ThumbResult } from '../thumbs/make-thumb.js';
import { galleryApp } from './client.js';
import { galleryData, scriptJson, type GalleryData } from './data.js';
import { GALLERY_CSS } from './style.js';

const esc = (s: string): string => s.replace(/[<>&"']/g, (c) => `&#${c.charCodeAt(0)};`);

/** No network: pictures from the page's own folder (file:) and data: URLs only. */
const CSP = "default-src 'none'; img-src 'self' file: data:; style-src 'unsafe-inline'; script-src 'unsafe-inline'; connect-src 'none'; form-action 'none'; base-uri 'none'";

export function renderGalleryHtml(data: GalleryData): string {
  const title = `rawcarve report: ${data.source.path.split('/').pop() ?? data.source.path}`;
  return `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="generator" content="${esc(`${data.tool.name} ${data.tool.version}`)}">
<title>${esc(title)}</title>
<style>${GALLERY_CSS}</style>
</head>
<body>
<header>
  <h1>${esc(title)}</h1>
  <dl class="facts">
    <dt>image</dt><dd id="src-path"></dd>
    <dt>size</dt><dd id="src-size"></dd>
    <dt>MD5</dt><dd id="src-md5" class="mono"></dd>
    <dt>SHA-256</dt><dd id="src-sha256" class="mono"></dd>
    <dt>run</dt><dd id="run-time"></dd>
    <dt>found</dt><dd id="run-facts"></dd>
  </dl>
  <details id="filtered" hidden><summary><span id="filtered-count"></span> files validated but not written (filters)</summary>
    <table><thead><tr><th>type</th><th>image offset</th><th>size</th><th>rule</th><th>why</th></tr></thead><tbody id="filtered-rows"></tbody></table>
    <p id="filtered-more"></p>
  </details>
  <p class="hint">Every fact here is from report.json (names only where a file system entry was matched to the file); thumbnails are previews made for this page (report/thumbs), not evidence. Click a picture for its byte runs, hashes and notes.</p>
</header>
<nav class="controls">
  <label>type <select id="f-type"><option value="">all</option></select></label>
  <label>status <select id="f-status"><option value="">all</option></select></label>
  <label>camera <select id="f-camera"><option value="">all</option></select></label>
  <label>sort <select id="f-sort"><option value="offset">by image offset</option><option value="date">by date taken (timeline)</option></select></label>
  <label>find <input id="f-q" type="search" placeholder="offset or path" size="14"></label>
  <label>per page <select id="f-size"><option>50</option><option selected>100</option><option>200</option><option>500</option><option value="1000000">all</option></select></label>
  <span class="pager"><button type="button" id="prev">‹ prev</button> <span id="page"></span> <button type="button" id="next">next ›</button></span>
  <span id="count"></span>
</nav>
<main id="grid"></main>
<dialog id="details">
  <h2 id="d-title"></h2>
  <dl id="d-facts"></dl>
  <ul id="d-notes"></ul>
  <button type="button" id="d-close">close</button>
</dialog>
<script type="application/json" id="gallery-data">${scriptJson(data)}</script>
<script>(${galleryApp.toString()})();</script>
</body>
</html>
`;
}

/** Writes OUTDIR/report.html for a report and its thumbnails; returns its path. */
export function writeGalleryHtml(outDir: string, report: ScanReport, thumbs: ReadonlyMap<string, ThumbResult>): string {
  const path = join(outDir, 'report.html');
  writeFileSync(path, renderGalleryHtml(galleryData(report, thumbs)));
  return path;
}
