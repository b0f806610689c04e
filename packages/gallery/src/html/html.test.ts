import { describe, expect, it } from 'vitest';
import type { ScanReport } from '@rawcarve/core';
import { galleryData, scriptJson } from './data.js';
import { renderGalleryHtml } from './render.js';

const hostile = '</script><script>alert(1)</script><!-- \u2028 & http://example.invalid/x';

function report(): ScanReport {
  return {
    tool: { name: 'rawcarve', version: '0', commandLine: [] },
    source: { path: '/e/card.img', size: 1, kind: 'raw', md5: null, sha256: null },
    options: { types: ['jpeg'], align: 512, jobs: 1, pageSize: 1, margin: 1, plugins: [], range: null, imageHashes: [], reportOnly: false, filter: null },
    startedAt: '', finishedAt: '', resumes: [],
    host: { hostname: '', platform: '', release: '', arch: '', node: '', user: '' },
    files: [
      {
        path: 'files/jpeg/f0000001024.jpg', type: 'jpeg', status: 'complete', size: 10, imgOffset: 1024,
        byteRuns: [{ imgOffset: 1024, fileOffset: 0, length: 5 }, { imgOffset: 4096, fileOffset: 5, length: 5 }],
        sha256: 'a', md5: 'b', xxh64: 'c', duplicates: [], layout: '2 fragments', gaps: [], validFraction: 1, notes: [hostile],
        metadata: { make: hostile, model: 'X', dateTimeOriginal: '2024:06:01 10:15:00', latitude: 1.5, longitude: -2.25, contentIdentifier: 'L1' },
        carver: { name: 'jpeg', version: '1' }, typeCheck: { detected: null, matches: true },
      },
    ],
    livePhotos: [],
    filtered: [],
    issues: [],
    summary: { duplicates: 0, bytesScanned: 0, elapsedSeconds: 0 } as ScanReport['summary'],
  } as ScanReport;
}

describe('report.html', () => {
  it('embeds data that no string from the evidence can break out of', () => {
    const json = scriptJson({ s: hostile });
    expect(json).not.toMatch(/[<>]/);
    expect(json).not.toContain('\u2028');
    expect(JSON.parse(json)).toEqual({ s: hostile });
  });

  it('is self-contained: no network address, no external resource, a CSP that allows no connection', () => {
    const html = renderGalleryHtml(galleryData(report(), new Map()));
    const page = html.replace(/<script type="application\/json" id="gallery-data">[\s\S]*?<\/script>/, '');
    expect(page).not.toMatch(/https?:\/\//);
    expect(page).not.toMatch(/<(link|iframe|object|embed)\b/i);
    expect(page).not.toMatch(/\bsrc=/);
    expect(html).toContain("connect-src 'none'");
    // The hostile strings occur only escaped, inside the data.
    expect(html.split('</script>').length).toBe(3); // the data element's and the script's own ends
  });

  it('describes each file from the report: status with fragments, date taken, GPS', () => {
    const d = galleryData(report(), new Map());
    expect(d.files[0]).toMatchObject({ status: 'rebuilt', fragments: 2, taken: '2024-06-01T10:15:00', lat: 1.5, lon: -2.25, written: true, thumb: null });
  });
});
