/**
 * The FAT boot sector's BIOS parameter block, after Microsoft's "FAT32 File
 * System Specification" (fatgen103): every field bounds-checked, the FAT
 * type decided by the count of clusters alone, as the spec demands.
 */
import { u16le, u32le } from '../reader/reader.js';

export type FatType = 'FAT12' | 'FAT16' | 'FAT32';

/** A FAT volume's layout, in image offsets. */
export interface FatGeometry {
  type: FatType;
  /** Image offset of the boot sector. */
  volumeOffset: number;
  bytesPerSector: number;
  sectorsPerCluster: number;
  clusterSize: number;
  /** Image offset of the FAT in use (FAT32 may name another than the first). */
  fatOffset: number;
  /** Bytes of one FAT. */
  fatBytes: number;
  numFats: number;
  /** FAT12/16: image offset and entry count of the fixed root directory. */
  rootDirOffset: number;
  rootEntries: number;
  /** FAT32: the root directory's first cluster. */
  rootCluster: number;
  /** Image offset of cluster 2. */
  dataStart: number;
  /** Data clusters (2 .. clusters + 1), cut to what the FAT and the image hold. */
  clusters: number;
  /** Image offset where the volume ends, clipped to the image. */
  end: number;
  label: string | null;
  /** Fields that lied and were cut (a cluster count past the FAT's end, a volume past the image's). */
  warnings: string[];
}

const SECTOR_SIZES = new Set([512, 1024, 2048, 4096]);
/** Largest cluster accepted: the spec stops at 32 KiB, some formatters use up to 256 KiB. */
const MAX_CLUSTER = 256 * 1024;

/**
 * Parses the boot sector at image offset `volumeOffset` (`sector`: its first
 * 512 bytes at least) of an image of `imageSize` bytes. Returns the geometry,
 * or a string saying why it is not a usable FAT boot sector.
 */
export function parseFatBoot(sector: Uint8Array, volumeOffset: number, imageSize: number): FatGeometry | string {
  if (sector.length < 512) return 'boot sector shorter than 512 bytes';
  if (sector[510] !== 0x55 || sector[511] !== 0xaa) {
    // The spec requires the signature; some cameras' formatters leave it out but keep a jump.
    if (sector[0] !== 0xeb && sector[0] !== 0xe9) return 'no boot signature and no jump instruction';
  }
  const bps = u16le(sector, 11);
  const spc = sector[13]!;
  const reserved = u16le(sector, 14);
  const numFats = sector[16]!;
  const rootEntries = u16le(sector, 17);
  const totSec16 = u16le(sector, 19);
  const media = sector[21]!;
  const fatSz16 = u16le(sector, 22);
  const totSec32 = u32le(sector, 32);
  if (!SECTOR_SIZES.has(bps)) return `bytes per sector ${bps} is not 512, 1024, 2048 or 4096`;
  if (spc === 0 || (spc & (spc - 1)) !== 0) return `sectors per cluster ${spc} is not a power of two`;
  const clusterSize = bps * spc;
  if (clusterSize > MAX_CLUSTER) return `cluster size ${clusterSize} is larger than ${MAX_CLUSTER}`;
  if (reserved === 0) return 'no reserved sectors';
  if (numFats === 0 || numFats > 4) return `${numFats} FATs`;
  if (media !== 0xf0 && media < 0xf8) return `media byte 0x${media.toString(16)}`;
  const fat32 = fatSz16 === 0;
  const fatSectors = fat32 ? u32le(sector, 36) : fatSz16;
  const totalSectors = totSec16 !== 0 ? totSec16 : totSec32;
  if (fatSectors === 0) return 'FAT size 0';
  if (totalSectors === 0) return 'total sectors 0';
  if (fat32 && rootEntries !== 0) return 'FAT32 boot sector with a fixed root directory';
  const rootDirSectors = Math.ceil((rootEntries * 32) / bps);
  const metaSectors = reserved + numFats * fatSectors + rootDirSectors;
  if (metaSectors >= totalSectors) return 'no data area: FATs and root directory fill the volume';
  const counted = Math.floor((totalSectors - metaSectors) / spc);
  if (counted < 1) return 'no data clusters';
  const type: FatType = counted < 4085 ? 'FAT12' : counted < 65525 ? 'FAT16' : 'FAT32';
  if (type === 'FAT32' && !fat32) return 'FAT32 by cluster count but a FAT12/16 boot sector';
  if (type !== 'FAT32' && fat32) return `${type} by cluster count but a FAT32 boot sector`;

  const warnings: string[] = [];
  // FAT32's extended flags: bit 7 set means only the FAT numbered in bits 0-3 is active.
  const extFlags = fat32 ? u16le(sector, 40) : 0;
  const activeFat = fat32 && (extFlags & 0x80) !== 0 ? extFlags & 0x0f : 0;
  if (activeFat >= numFats) return `active FAT ${activeFat} of ${numFats}`;
  const fatBytes = fatSectors * bps;
  const fatOffset = volumeOffset + (reserved + activeFat * fatSectors) * bps;
  if (fatOffset + fatBytes > imageSize) return `the FAT (${fatBytes} bytes at image offset ${fatOffset}) lies past the image end (${imageSize})`;
  const rootDirOffset = volumeOffset + (reserved + numFats * fatSectors) * bps;
  const dataStart = volumeOffset + metaSectors * bps;
  if (dataStart >= imageSize) return `the data area (image offset ${dataStart}) starts past the image end`;

  let clusters = counted;
  const bits = type === 'FAT12' ? 12 : type === 'FAT16' ? 16 : 32;
  const fatEntries = Math.floor((fatBytes * 8) / bits);
  if (fatEntries < clusters + 2) {
    warnings.push(`the boot sector counts ${counted} clusters but the FAT has entries for ${Math.max(0, fatEntries - 2)}: cut to those`);
    clusters = Math.max(0, fatEntries - 2);
  }
  if (type === 'FAT32' && clusters > 0x0ffffff5) clusters = 0x0ffffff5;
  let end = volumeOffset + totalSectors * bps;
  if (end > imageSize) {
    warnings.push(`the volume runs to image offset ${end}, past the image end (${imageSize}): the image is cut short`);
    end = imageSize;
  }
  const inImage = Math.floor((end - dataStart) / clusterSize);
  if (inImage < clusters) clusters = Math.max(0, inImage);
  if (clusters < 1) return 'no data cluster inside the image';

  const rootCluster = fat32 ? u32le(sector, 44) & 0x0fffffff : 0;
  const sigAt = fat32 ? 66 : 38;
  const label = sector[sigAt] === 0x29 ? volumeLabel(sector.subarray(sigAt + 5, sigAt + 16)) : null;
  return {
    type, volumeOffset, bytesPerSector: bps, sectorsPerCluster: spc, clusterSize, fatOffset, fatBytes, numFats,
    rootDirOffset, rootEntries: fat32 ? 0 : rootEntries, rootCluster, dataStart, clusters, end, label, warnings,
  };
}

function volumeLabel(b: Uint8Array): string | null {
  let s = '';
  for (const c of b) s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '?';
  s = s.trimEnd();
  return s === '' || s === 'NO NAME' ? null : s;
}
