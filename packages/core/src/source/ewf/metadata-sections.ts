import { adler32 } from './adler32.js';
import { decodeHeader, decodeHeader2, parseCaseInfo, type EwfCaseInfo } from './case-info.js';
import { EwfFormatError } from './errors.js';
import { inflateBounded } from './inflate.js';
import { digestHex, MAX_METADATA_SECTION, sectionData, view } from './section-data.js';
import type { SectionDescriptor } from './section-descriptor.js';
import type { SegmentFile } from './segment-file.js';

/** Stored digests of the media data; absent when the writer did not store them. */
export interface EwfHashes {
  /** MD5 of the media data, 32 lower-case hex digits. */
  md5?: string;
  /** SHA-1 of the media data, 40 lower-case hex digits. */
  sha1?: string;
}

/** A run of sectors the acquiring tool could not read (and stored as zeros). */
export interface EwfAcquiryError {
  /** First unreadable sector. */
  firstSector: number;
  /** How many sectors from there. */
  sectorCount: number;
}

/** "header": zlib-compressed single-byte text. */
export function readHeaderSection(seg: SegmentFile, d: SectionDescriptor): EwfCaseInfo | null {
  return parseCaseInfo(decodeHeader(inflateSection(seg, d)));
}

/** "header2": zlib-compressed UTF-16 text, same layout as header. */
export function readHeader2Section(seg: SegmentFile, d: SectionDescriptor): EwfCaseInfo | null {
  return parseCaseInfo(decodeHeader2(inflateSection(seg, d)));
}

/** "hash" (libewf "Hash section"): MD5(16), unknown(16), Adler-32 of the previous 32 bytes. */
export function readHashSection(seg: SegmentFile, d: SectionDescriptor): EwfHashes {
  const b = sectionData(seg, d, 36);
  checksum(seg, d, b, 32);
  const md5 = digestHex(b.subarray(0, 16));
  return md5 ? { md5 } : {};
}

/** "digest" (libewf "Digest section"): MD5(16), SHA1(20), padding(40), Adler-32 of the previous 76 bytes. */
export function readDigestSection(seg: SegmentFile, d: SectionDescriptor): EwfHashes {
  const b = sectionData(seg, d, 80);
  checksum(seg, d, b, 76);
  const md5 = digestHex(b.subarray(0, 16));
  const sha1 = digestHex(b.subarray(16, 36));
  return { ...(md5 ? { md5 } : {}), ...(sha1 ? { sha1 } : {}) };
}

/** "xhash" (EWF-X, written by libewf's ewfx format): zlib-compressed XML with <MD5> and <SHA1>. */
export function readXhashSection(seg: SegmentFile, d: SectionDescriptor): EwfHashes {
  const xml = new TextDecoder('utf-8').decode(inflateSection(seg, d));
  const md5 = /<MD5>\s*([0-9a-fA-F]{32})\s*<\/MD5>/.exec(xml)?.[1]?.toLowerCase();
  const sha1 = /<SHA1>\s*([0-9a-fA-F]{40})\s*<\/SHA1>/.exec(xml)?.[1]?.toLowerCase();
  return { ...(md5 ? { md5 } : {}), ...(sha1 ? { sha1 } : {}) };
}

/**
 * "error2" (libewf "Error2 section"): header of number of entries(4),
 * unknown(512), Adler-32; entries of first sector(4), sector count(4); then
 * an Adler-32 of the entries.
 */
export function readError2Section(seg: SegmentFile, d: SectionDescriptor): EwfAcquiryError[] {
  const HEADER = 520;
  const b = sectionData(seg, d, HEADER);
  checksum(seg, d, b, 516);
  const v = view(b);
  const count = v.getUint32(0, true);
  const end = HEADER + count * 8;
  if (end + 4 > b.length) throw new EwfFormatError(seg.path, d.offset, `error2 section lists ${count} entries but holds ${b.length} bytes`);
  if (adler32(b, HEADER, end) !== v.getUint32(end, true)) {
    throw new EwfFormatError(seg.path, d.dataStart + end, 'error2 entries checksum mismatch');
  }
  const out: EwfAcquiryError[] = [];
  for (let at = HEADER; at < end; at += 8) out.push({ firstSector: v.getUint32(at, true), sectorCount: v.getUint32(at + 4, true) });
  return out;
}

function inflateSection(seg: SegmentFile, d: SectionDescriptor): Uint8Array {
  const data = sectionData(seg, d, 2);
  try {
    return inflateBounded(data, MAX_METADATA_SECTION);
  } catch (err) {
    throw new EwfFormatError(seg.path, d.dataStart, `"${d.type}" section does not inflate: ${err instanceof Error ? err.message : String(err)}`);
  }
}

/** Checks the Adler-32 stored at `at` over the bytes before it. */
function checksum(seg: SegmentFile, d: SectionDescriptor, b: Uint8Array, at: number): void {
  if (adler32(b, 0, at) !== view(b).getUint32(at, true)) {
    throw new EwfFormatError(seg.path, d.dataStart + at, `"${d.type}" section checksum mismatch`);
  }
}
