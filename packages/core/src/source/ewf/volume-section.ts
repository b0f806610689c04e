import { adler32 } from './adler32.js';
import { EwfFormatError } from './errors.js';
import { sectionData, view } from './section-data.js';
import type { SectionDescriptor } from './section-descriptor.js';
import type { SegmentFile } from './segment-file.js';

/** Media geometry from the "volume" / "disk" section (repeated as "data" in later segments). */
export interface EwfVolume {
  /** 0x00 removable, 0x01 fixed, 0x03 optical, 0x0e logical (L01), 0x10 memory. */
  mediaType: number;
  /** Chunks of media data in the whole image. */
  chunkCount: number;
  /** Sectors per chunk (64 by default: 32 KiB chunks). */
  sectorsPerChunk: number;
  /** Bytes per sector (512 for most media). */
  bytesPerSector: number;
  /** Sectors of media data: size = sectorCount × bytesPerSector. */
  sectorCount: number;
  /** Bit 0x02: a physical device (not a partition or a file). */
  mediaFlags: number;
  /** 0 none, 1 fast, 2 best (EnCase 5+; 0 where not recorded). */
  compressionLevel: number;
  /** Sectors per acquiry error unit (the granularity of error2 entries). */
  errorGranularity: number;
  /** The set identifier GUID shared by all segments (EnCase 5+), hex; null when zero. */
  setIdentifier: string | null;
}

/** EWF-E01 layout: 1052 bytes ending in an Adler-32 of the previous 1048. */
const E01_SIZE = 1052;
/** EWF/SMART layout (ASR02, ewfacquire -f ewf/smart): 94 bytes ending in an Adler-32 of the previous 90. */
const SMART_SIZE = 94;
/** Largest chunk we accept: EnCase allows 32768 sectors of 512 bytes (16 MiB); 4 KiB sectors make 128 MiB, still a bound. */
export const MAX_CHUNK_SIZE = 128 * 1024 * 1024;

/** "volume", "disk" and "data" sections: same layout, chosen by size. */
export function readVolumeSection(seg: SegmentFile, d: SectionDescriptor): EwfVolume {
  const b = sectionData(seg, d, SMART_SIZE);
  const v = view(b);
  let vol: EwfVolume;
  if (b.length >= E01_SIZE) {
    checksum(seg, d, b, E01_SIZE - 4);
    const guid = b.subarray(64, 80);
    vol = {
      mediaType: b[0]!,
      chunkCount: v.getUint32(4, true),
      sectorsPerChunk: v.getUint32(8, true),
      bytesPerSector: v.getUint32(12, true),
      sectorCount: Number(v.getBigUint64(16, true)),
      mediaFlags: b[36]!,
      compressionLevel: b[52]!,
      errorGranularity: v.getUint32(56, true),
      setIdentifier: guid.some((x) => x !== 0) ? Buffer.from(guid).toString('hex') : null,
    };
  } else {
    checksum(seg, d, b, SMART_SIZE - 4);
    vol = {
      mediaType: 0x01,
      chunkCount: v.getUint32(4, true),
      sectorsPerChunk: v.getUint32(8, true),
      bytesPerSector: v.getUint32(12, true),
      sectorCount: v.getUint32(16, true),
      mediaFlags: 0,
      compressionLevel: 0,
      errorGranularity: 0,
      setIdentifier: null,
    };
  }
  const chunkSize = vol.sectorsPerChunk * vol.bytesPerSector;
  if (vol.bytesPerSector === 0 || vol.sectorsPerChunk === 0 || chunkSize > MAX_CHUNK_SIZE) {
    throw new EwfFormatError(seg.path, d.dataStart, `implausible geometry: ${vol.sectorsPerChunk} sectors of ${vol.bytesPerSector} bytes per chunk`);
  }
  if (!Number.isSafeInteger(vol.sectorCount * vol.bytesPerSector)) {
    throw new EwfFormatError(seg.path, d.dataStart + 16, `implausible media size: ${vol.sectorCount} sectors`);
  }
  return vol;
}

function checksum(seg: SegmentFile, d: SectionDescriptor, b: Uint8Array, at: number): void {
  if (adler32(b, 0, at) !== view(b).getUint32(at, true)) {
    throw new EwfFormatError(seg.path, d.dataStart + at, `"${d.type}" section checksum mismatch`);
  }
}
