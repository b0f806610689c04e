import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { writeFat32Image, type Fat32File } from './fat32-writer.js';
import { mediaType, type GroundTruth } from './truth.js';

/** The committed sample photos. */
export const SAMPLES_DIR = resolve(import.meta.dirname, '../samples');

/**
 * The demo card: a FAT32 image holding the sample photos in DCIM/100DEMO,
 * every other one deleted. Writes `<outFile>.truth.json` and returns the truth.
 */
export async function buildDemoCard(opts: { outFile: string; samplesDir?: string }): Promise<GroundTruth> {
  const dir = opts.samplesDir ?? SAMPLES_DIR;
  const names = readdirSync(dir).filter((n) => /\.jpe?g$/i.test(n)).sort();
  const files: Fat32File[] = names.map((name, i) => ({
    path: `DCIM/100DEMO/${name.toUpperCase()}`,
    bytes: readFileSync(join(dir, name)),
    deleted: i % 2 === 1,
    mtime: new Date(Date.UTC(2024, 5, 1 + i, 10, 15)),
  }));
  files.unshift({ path: 'README.TXT', bytes: new TextEncoder().encode('rawcarve demo card\n'.repeat(40)) });
  const layout = writeFat32Image(opts.outFile, files, { label: 'DEMOCARD' });
  const truth: GroundTruth = {
    kind: 'demo-card',
    image: opts.outFile,
    size: layout.size,
    sectorSize: 512,
    clusterSize: layout.clusterSize,
    generator: '@rawcarve/test-images demo-card',
    seed: 0,
    files: files.map((f, i) => ({
      id: f.path,
      source: f.path === 'README.TXT' ? 'generated:text' : join(dir, names[i - 1]!),
      type: mediaType(f.path),
      size: f.bytes.length,
      sha256: createHash('sha256').update(f.bytes).digest('hex'),
      layout: 'contiguous',
      intact: true,
      deleted: !!f.deleted,
      fsPath: f.path,
      fragments: [{ imgOffset: layout.files[i]!.offset, fileOffset: 0, length: f.bytes.length }],
    })),
  };
  writeFileSync(`${opts.outFile}.truth.json`, JSON.stringify(truth, null, 1));
  return truth;
}
