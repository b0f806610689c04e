import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildDemoCard } from '@rawcarve/test-images';
import { runScan } from './scan-command.js';
import type { ProgressMode } from './progress.js';

/**
 * `rawcarve demo`: builds a small FAT32 card image from the bundled sample
 * photos (in a temporary folder: it is our own test image, not evidence),
 * deletes some of them the way a camera does, carves it, and checks the
 * result against the card's ground truth.
 */
export async function runDemo(opts: { output: string; force?: boolean; progress?: ProgressMode }, argv: string[]): Promise<void> {
  const work = mkdtempSync(join(tmpdir(), 'rawcarve-demo-'));
  try {
    const image = join(work, 'demo-card.img');
    const truth = await buildDemoCard({ outFile: image });
    const photos = truth.files.filter((f) => f.type !== 'other');
    const deleted = photos.filter((f) => f.deleted);
    process.stdout.write(
      `demo: built a ${Math.round(truth.size / 2 ** 20)} MiB FAT32 card image with ${photos.length} photos, ` +
        `then deleted ${deleted.length} of them (directory entries marked deleted, clusters freed, data left in place)\n\n`,
    );
    const report = await runScan(image, { output: opts.output, force: opts.force ?? false, progress: opts.progress ?? 'auto' }, argv);
    const recovered = new Set(report.files.map((f) => f.sha256));
    const exact = photos.filter((f) => recovered.has(f.sha256));
    const exactDeleted = deleted.filter((f) => recovered.has(f.sha256));
    const known = new Set(truth.files.map((f) => f.sha256));
    const junk = report.files.filter((f) => !known.has(f.sha256));
    process.stdout.write(
      `\ndemo: ${exact.length} of ${photos.length} photos recovered byte-exact ` +
        `(${exactDeleted.length} of ${deleted.length} deleted ones); ${junk.length} other file(s) written.\n` +
        `Look at ${opts.output}/report.html (open it in a browser), ${opts.output}/files/ and ${opts.output}/report.json.\n`,
    );
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}
