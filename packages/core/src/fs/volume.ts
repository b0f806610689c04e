/**
 * Finds the FAT and exFAT volumes of an image: a boot sector at the image
 * start (a card formatted without a partition table), or in the partitions
 * of an MBR or GPT. Each volume's allocation map and directory tree are read
 * at once (bounded; see fat-tree.ts). Damage is reported in notes and
 * warnings, never thrown: a scan goes on without file-system facts.
 */
import type { Reader } from '../reader/reader.js';
import { parseExfatBoot, readExfat } from './exfat.js';
import { parseFatBoot } from './fat-boot.js';
import { FatTable } from './fat-table.js';
import { DEFAULT_WALK_LIMITS, walkFat, type WalkLimits } from './fat-tree.js';
import { parseGpt } from './gpt.js';
import { parseMbr, type Partition } from './mbr.js';
import type { FsVolume } from './types.js';

export interface FsAnalysis {
  volumes: FsVolume[];
  /** The partition table found, 'none' when a volume starts at the image start or nothing was recognised. */
  scheme: 'none' | 'mbr' | 'gpt';
  /** Partitions that hold no FAT or exFAT volume, and why; volumes that could not be read. */
  notes: string[];
  /** Wall milliseconds the analysis took. */
  ms: number;
}

/** Volumes more than this are not read (a disk of many partitions: the first ones). */
const MAX_VOLUMES = 16;

export function analyzeFileSystems(reader: Reader, limits: WalkLimits = DEFAULT_WALK_LIMITS): FsAnalysis {
  const t0 = performance.now();
  const out: FsAnalysis = { volumes: [], scheme: 'none', notes: [], ms: 0 };
  const at0 = openVolume(reader, 0, 'none', null, limits, out.notes);
  if (at0 !== null) out.volumes.push(at0);
  else {
    let parts: Partition[] | null = null;
    try {
      const mbr = parseMbr(reader);
      if (mbr === 'gpt') {
        out.scheme = 'gpt';
        parts = parseGpt(reader);
      } else if (mbr !== null) {
        out.scheme = 'mbr';
        parts = mbr;
      }
    } catch (err) {
      out.notes.push(`the partition table could not be read: ${message(err)}`);
    }
    for (const p of (parts ?? []).slice(0, MAX_VOLUMES)) {
      const v = openVolume(reader, p.offset, out.scheme === 'none' ? 'mbr' : out.scheme, p.index, limits, out.notes);
      if (v) out.volumes.push(v);
      else out.notes.push(`partition ${p.index} (type ${p.type}, image offset ${p.offset}) holds no FAT or exFAT file system`);
    }
  }
  out.ms = performance.now() - t0;
  return out;
}

function openVolume(reader: Reader, offset: number, scheme: FsVolume['scheme'], index: number | null, limits: WalkLimits, notes: string[]): FsVolume | null {
  try {
    const sector = reader.bytes(offset, 512);
    const exfat = parseExfatBoot(sector, offset, reader.size);
    if (typeof exfat !== 'string') return readExfat(reader, exfat, scheme, index, limits);
    const g = parseFatBoot(sector, offset, reader.size);
    if (typeof g === 'string') return null;
    const warnings = [...g.warnings];
    const fat = new FatTable(reader, g);
    const { bitmap, allocated } = fat.allocation();
    const entries = walkFat(reader, g, fat, bitmap, warnings, limits);
    return {
      type: g.type, partitionOffset: offset, scheme, partitionIndex: index, sectorSize: g.bytesPerSector, clusterSize: g.clusterSize,
      clusters: g.clusters, dataStart: g.dataStart, end: g.end, label: g.label, allocation: bitmap, allocatedClusters: allocated, entries, warnings,
    };
  } catch (err) {
    notes.push(`the file system at image offset ${offset} could not be read: ${message(err)}`);
    return null;
  }
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
