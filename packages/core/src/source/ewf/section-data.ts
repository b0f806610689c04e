import { EwfFormatError } from './errors.js';
import type { SectionDescriptor } from './section-descriptor.js';
import type { SegmentFile } from './segment-file.js';

/** Metadata sections are small; more than this is hostile or not EWF (chunk data is never read through here). */
export const MAX_METADATA_SECTION = 16 * 1024 * 1024;

/** The bytes after a section's descriptor, at least `min` of them, at most {@link MAX_METADATA_SECTION}. */
export function sectionData(seg: SegmentFile, d: SectionDescriptor, min: number): Uint8Array {
  const length = d.dataEnd - d.dataStart;
  if (length < min) {
    throw new EwfFormatError(seg.path, d.offset, `"${d.type}" section holds ${length} bytes, needs at least ${min}`);
  }
  if (length > MAX_METADATA_SECTION) {
    throw new EwfFormatError(seg.path, d.offset, `"${d.type}" section of ${length} bytes is implausibly large`);
  }
  return seg.read(d.dataStart, length, `"${d.type}" section data`);
}

/** Little-endian field reader over a section's bytes (offsets from the libewf tables). */
export function view(bytes: Uint8Array): DataView {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
}

/** Lower-case hex of a digest; null when it is all zeros (the writer did not compute it). */
export function digestHex(bytes: Uint8Array): string | null {
  if (bytes.every((b) => b === 0)) return null;
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}
