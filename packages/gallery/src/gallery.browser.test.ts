/**
 * report.html in a real browser (Debian's chromium, headless, through
 * playwright-core): the report of a scanned card image shows every file
 * with a thumbnail that loads, its filters work, and it makes no request
 * off the disk; a 10 000-file report renders its first page in under 2 s.
 * Screenshots are kept in test-artifacts/ (gitignored).
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import type { FileRecord, ScanReport } from '@rawcarve/core';
import { encodeJpeg, galleryData, placeholderSvg, renderGalleryHtml, type ThumbResult } from '@rawcarve/gallery';
import { buildDemoCard, buildFatCard, listMedia } from '@rawcarve/test-images';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CHROMIUM, bestLoad, brokenImages, openReport, shownFiles, type OpenedReport } from './test-support/browser.js';

const ROOT = resolve(import.meta.dirname, '../../..');
const CLI = join(ROOT, 'packages/cli/dist/main.js');
const MEDIA = resolve(ROOT, '../shared/media');
const ARTIFACTS = join(ROOT, 'test-artifacts');
const hasFatTools = ['mkfs.vfat', 'mcopy'].every((t) => spawnSync('which', [t]).status === 0);
const work = mkdtempSync(join(tmpdir(), 'rawcarve-gallery-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** The HTML without its embedded data: the page itself must name no network address. */
const withoutData = (html: string): string => html.replace(/<script type="application\/json" id="gallery-data">[\s\S]*?<\/script>/, '');

describe.skipIf(!CHROMIUM)(CHROMIUM ? 'report.html in headless chromium' : 'report.html in chromium (skipped: no /usr/bin/chromium; scripts/install-test-tools.sh installs it)', () => {
  describe('the report of a scanned card image', () => {
    let out = '';
    let report: ScanReport;
    let r: OpenedReport;

    beforeAll(async () => {
      const image = join(work, 'card.img');
      if (existsSync(MEDIA) && hasFatTools) {
        // A camera card of real photos and videos from ../shared/media, some deleted.
        const pick = (type: string, n: number): string[] => listMedia(MEDIA, [type]).slice(0, n);
        buildFatCard({ files: [...pick('jpeg', 8), ...pick('heic', 4), ...pick('mov', 2), ...pick('mp4', 1)], outFile: image, seed: 3 });
      } else {
        await buildDemoCard({ outFile: image }); // generated samples: no camera media needed
      }
      out = join(work, 'out');
      const scan = spawnSync(process.execPath, [CLI, 'scan', image, '-o', out, '--progress', 'none', '-j', '2'], { encoding: 'utf8' });
      expect(scan.status, scan.stderr).toBe(0);
      report = JSON.parse(readFileSync(join(out, 'report.json'), 'utf8')) as ScanReport;
      r = await openReport(join(out, 'report.html'));
    }, 600_000);
    afterAll(async () => {
      await r?.browser.close();
    });

    it('shows every recovered file once, each with a thumbnail that loads', async () => {
      expect(report.files.length).toBeGreaterThan(0);
      expect(await shownFiles(r.page)).toBe(report.files.length);
      expect(await r.page.locator('figure.file').count()).toBe(report.files.length);
      const paths = await r.page.locator('figure.file').evaluateAll((els) => els.map((e) => (e as HTMLElement).dataset['path']));
      expect(new Set(paths)).toEqual(new Set(report.files.map((f) => f.path)));
      expect(await brokenImages(r.page)).toEqual([]);
      expect(r.errors).toEqual([]);
      expect(r.network).toEqual([]);
      // Thumbnails live under report/, never under files/.
      const srcs = await r.page.locator('img').evaluateAll((els) => els.map((e) => e.getAttribute('src') ?? ''));
      for (const s of srcs) expect(s).toMatch(/^report\/thumbs\//);
      expect(report.summary.gallery?.files).toBe(report.files.length);
      mkdirSync(ARTIFACTS, { recursive: true });
      await r.page.screenshot({ path: join(ARTIFACTS, 'report-card.png'), fullPage: true });
    });

    it('filters by type, status and camera, and sorts into a timeline by date taken', async () => {
      const byType = new Map<string, number>();
      for (const f of report.files) byType.set(f.type, (byType.get(f.type) ?? 0) + 1);
      for (const [type, n] of byType) {
        await r.page.selectOption('#f-type', type);
        expect(await shownFiles(r.page)).toBe(n);
        expect(await r.page.locator('figure.file').count()).toBe(n);
      }
      await r.page.selectOption('#f-type', '');
      await r.page.selectOption('#f-status', 'complete');
      expect(await shownFiles(r.page)).toBe(report.files.filter((f) => f.status === 'complete' && f.byteRuns.length === 1).length);
      await r.page.selectOption('#f-status', '');
      const cameras = await r.page.locator('#f-camera option').evaluateAll((els) => els.map((e) => (e as HTMLOptionElement).value).filter(Boolean));
      expect(cameras.length).toBeGreaterThan(0);
      await r.page.selectOption('#f-camera', cameras[0]!);
      const n = await shownFiles(r.page);
      expect(n).toBeGreaterThan(0);
      if (cameras.length > 1) expect(n).toBeLessThan(report.files.length);
      await r.page.selectOption('#f-camera', '');
      await r.page.selectOption('#f-sort', 'date');
      expect(await r.page.locator('h2.day').count()).toBeGreaterThan(0);
      const days = await r.page.locator('h2.day').allTextContents();
      const dated = days.filter((d) => !d.startsWith('no date')).map((d) => d.slice(0, 7));
      expect(dated).toEqual([...dated].sort());
      expect(new Set(dated).size).toBe(dated.length); // one heading per month
      await r.page.selectOption('#f-sort', 'offset');
      expect(await shownFiles(r.page)).toBe(report.files.length);
    });

    it('opens a file\'s details: byte runs, hashes, notes', async () => {
      await r.page.locator('figure.file button.thumb').first().click();
      const text = await r.page.locator('#details').innerText();
      expect(text).toContain(report.files[0]!.sha256);
      expect(text).toContain(`${report.files[0]!.byteRuns[0]!.imgOffset}+`);
      await r.page.click('#d-close');
    });

    it('is one self-contained page: no http(s) address outside the data', () => {
      const html = readFileSync(join(out, 'report.html'), 'utf8');
      expect(withoutData(html)).not.toMatch(/https?:\/\//);
      expect(html).toContain('Content-Security-Policy');
      expect(existsSync(join(out, 'files', 'report'))).toBe(false);
    });
  });

  describe('10 000 files', () => {
    let r: OpenedReport;
    let report: ScanReport;
    const N = 10_000;

    beforeAll(async () => {
      const out = join(work, 'big');
      mkdirSync(join(out, 'report/thumbs/jpeg'), { recursive: true });
      // A few real thumbnails, shared by the synthetic files (what is measured is the page, not the disk).
      const thumbs = new Map<string, ThumbResult>();
      const shapes: ThumbResult[] = [];
      for (let k = 0; k < 8; k++) {
        const w = 240;
        const h = k % 2 ? 180 : 135;
        const data = new Uint8Array(w * h * 4).map((_, i) => (i % 4 === 3 ? 255 : (i * (k + 3)) % 251));
        const src = `report/thumbs/jpeg/t${k}.jpg`;
        writeFileSync(join(out, src), encodeJpeg({ width: w, height: h, data }));
        shapes.push({ src, kind: k % 3 ? 'embedded' : 'decoded', width: w, height: h });
      }
      writeFileSync(join(out, 'report/thumbs/jpeg/v.svg'), placeholderSvg({ video: true, title: 'VIDEO', lines: ['hvc1', '0:03'] }));
      const cameras = Array.from({ length: 24 }, (_, i) => ({ make: ['Apple', 'Canon', 'NIKON CORPORATION', 'samsung'][i % 4]!, model: `Model ${i}` }));
      cameras.push({ make: 'Evil', model: '</script><img src=x onerror="window.pwned=1">' });
      const files: FileRecord[] = [];
      for (let i = 0; i < N; i++) {
        const video = i % 10 === 9;
        const cam = cameras[i % cameras.length]!;
        const day = new Date(Date.UTC(2022, 0, 1) + ((i * 7919) % 700) * 86_400_000 + (i % 86_400) * 1000).toISOString().slice(0, 19);
        const runs = i % 17 === 0 ? 3 : 1;
        const path = `files/${video ? 'mov' : 'jpeg'}/f${String(i * 4096).padStart(10, '0')}.${video ? 'mov' : 'jpg'}`;
        files.push({
          path, type: video ? 'mov' : 'jpeg', status: i % 23 === 0 ? 'truncated' : 'complete', size: 1_000_000 + i, imgOffset: i * 4096,
          byteRuns: Array.from({ length: runs }, (_, k) => ({ imgOffset: i * 4096 + k * 100_000, fileOffset: k * 1000, length: 1000 })),
          sha256: 'ab'.repeat(32), md5: 'cd'.repeat(16), xxh64: 'ef'.repeat(8), duplicates: i % 50 === 0 ? [i * 4096 + 1] : [],
          metadata: video
            ? { duration: 3 + (i % 60), codec: 'hvc1', creationTime: `${day}.000Z`, make: cam.make, model: cam.model, ...(i < 2000 ? { contentIdentifier: `LIVE-${i - 1}` } : {}) }
            : { width: 4032, height: 3024, make: cam.make, model: cam.model, dateTimeOriginal: day.replace(/-/g, ':').replace('T', ' '), latitude: 48.85, longitude: 2.29, ...(i < 2000 && i % 10 === 8 ? { contentIdentifier: `LIVE-${i}` } : {}) },
          layout: runs === 1 ? 'contiguous' : `${runs} fragments`, gaps: [], validFraction: i % 23 === 0 ? 0.5 : 1, notes: i % 23 === 0 ? ['cut at image offset 123'] : [],
          carver: { name: video ? 'mov' : 'jpeg', version: '1' }, typeCheck: { detected: null, matches: true },
        });
        thumbs.set(path, video ? { src: 'report/thumbs/jpeg/v.svg', kind: 'placeholder', width: 240, height: 180 } : shapes[i % shapes.length]!);
      }
      const live = files.filter((f) => typeof f.metadata['contentIdentifier'] === 'string');
      const ids = [...new Set(live.map((f) => f.metadata['contentIdentifier'] as string))];
      report = {
        tool: { name: 'rawcarve', version: 'test', commandLine: [] },
        source: { path: '/evidence/big.img', size: 64 * 2 ** 30, kind: 'raw', md5: null, sha256: null },
        options: { types: ['jpeg', 'mov'], align: 512, jobs: 2, pageSize: 1, margin: 1, plugins: [], range: null, imageHashes: [], reportOnly: false, filter: null },
        startedAt: '2026-01-01T00:00:00Z', finishedAt: '2026-01-01T01:00:00Z', resumes: [],
        host: { hostname: 'h', platform: 'linux', release: '', arch: 'x64', node: '', user: '' },
        files,
        livePhotos: ids.map((id) => ({ contentIdentifier: id, stills: live.filter((f) => f.type === 'jpeg' && f.metadata['contentIdentifier'] === id).map((f) => f.path), videos: live.filter((f) => f.type === 'mov' && f.metadata['contentIdentifier'] === id).map((f) => f.path) })).filter((p) => p.stills.length > 0 && p.videos.length > 0),
        filtered: [{ type: 'jpeg', status: 'complete', size: 900, imgOffset: 12, byteRuns: [], reason: 'size', detail: '900 bytes, below --min-size 4096', metadata: {} }],
        issues: [],
        summary: { duplicates: 200, bytesScanned: 1, elapsedSeconds: 1, filtered: { bySize: 1, byPixels: 0, byDate: 0, undated: 0 } } as ScanReport['summary'],
      } as ScanReport;
      writeFileSync(join(out, 'report.html'), renderGalleryHtml(galleryData(report, thumbs)));
      r = await openReport(join(out, 'report.html'));
    }, 120_000);
    afterAll(async () => {
      await r?.browser.close();
    });

    it('renders its first page in under 2 s, one page of cards at a time', async () => {
      const t = await bestLoad(r, 3);
      console.log(`report.html with ${N} files: first page rendered ${Math.round(t.renderedMs)} ms after navigation start (script ${Math.round(t.scriptMs)} ms)`);
      expect(t.renderedMs).toBeLessThan(2000);
      expect(await shownFiles(r.page)).toBe(N);
      expect(await r.page.locator('article.card').count()).toBe(100);
      expect(await brokenImages(r.page)).toEqual([]);
      expect(r.errors).toEqual([]);
      expect(await r.page.evaluate(() => (window as unknown as { pwned?: number }).pwned)).toBeUndefined();
      expect(await r.page.locator('figcaption dd', { hasText: '</script><img' }).count()).toBeGreaterThan(0); // shown as text
      mkdirSync(ARTIFACTS, { recursive: true });
      await r.page.screenshot({ path: join(ARTIFACTS, 'report-10000.png') });
    });

    it('shows Live Photo pairs side by side and pages through all files', async () => {
      const pairs = report.livePhotos.length;
      expect(pairs).toBeGreaterThan(100);
      await r.page.selectOption('#f-size', '1000000');
      expect(await r.page.locator('article.card.pair').count()).toBe(pairs);
      expect(await r.page.locator('figure.file').count()).toBe(N);
      await r.page.selectOption('#f-size', '100');
      await r.page.click('#next');
      expect(await r.page.locator('#page').textContent()).toMatch(/^page 2 of \d+$/);
      await r.page.selectOption('#f-type', 'mov');
      expect(await shownFiles(r.page)).toBe(report.files.filter((f) => f.type === 'mov').length);
    });
  });
});
