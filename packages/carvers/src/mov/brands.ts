/**
 * File type box (ftyp, ISO/IEC 14496-12 §4.3): major and compatible brands
 * decide whether a BMFF file is a movie at all (HEIF/AVIF stills share the
 * box structure) and which extension the carved file gets.
 */
import { fourcc, u32be, type Reader } from '@rawcarve/core';

export interface FileType {
  major: string;
  compatible: string[];
}

/** HEIF/AVIF image brands: files with only these are the HEIC carver's. */
const IMAGE_BRANDS = new Set(['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'mif1', 'msf1', 'avif', 'avis', 'mif2', 'miaf']);
/**
 * Brands that promise a movie (any of them overrides image brands). Not iso3–iso9:
 * AVIF/HEIF sequences list iso8 beside their image brands.
 */
const VIDEO_BRANDS = new Set([
  'qt  ', 'isom', 'iso2', 'mp41', 'mp42', 'avc1', 'M4V ', 'M4VH', 'M4VP',
  'dash', 'msdh', 'msix', 'mp71', 'MSNV', 'XAVC', 'f4v ', 'CAEP', 'niko', 'FACE',
]);
/** Brands carried in a compatible list at most; the list of a real ftyp is short. */
const MAX_BRANDS = 64;

/** Reads the ftyp box at `at` (its type already seen). Null when its size cannot be a file type box. */
export function readFileType(reader: Reader, at: number): FileType | null {
  const head = reader.bytes(at, 8);
  if (head.length < 8) return null;
  const size = u32be(head, 0);
  if (size < 16 || size > 8 + 8 + 4 * MAX_BRANDS || (size - 16) % 4 !== 0) return null;
  const b = reader.bytes(at, size);
  if (b.length < size) return null;
  const compatible: string[] = [];
  for (let i = 16; i + 4 <= size; i += 4) compatible.push(fourcc(b, i));
  return { major: fourcc(b, 8), compatible };
}

function is3gp(brand: string): boolean {
  return brand.startsWith('3gp') || brand.startsWith('3g2') || brand.startsWith('3ge') || brand.startsWith('3gg');
}

/** A HEIF/AVIF still (or image sequence) and nothing that promises a movie. */
export function isImageOnly(t: FileType): boolean {
  const all = [t.major, ...t.compatible];
  if (all.some((b) => VIDEO_BRANDS.has(b) || is3gp(b))) return false;
  return all.some((b) => IMAGE_BRANDS.has(b));
}

/** Output extension: qt (and no ftyp) → mov, 3GPP/3GPP2 → 3gp, M4V → m4v, anything else mp4. */
export function extensionOf(t: FileType | null): string {
  if (!t || t.major === 'qt  ') return 'mov';
  if (is3gp(t.major)) return '3gp';
  if (t.major.startsWith('M4V')) return 'm4v';
  return 'mp4';
}
