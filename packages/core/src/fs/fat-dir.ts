/**
 * FAT directory entries (fatgen103 §6-7): 32-byte 8.3 entries, long-name
 * (LFN) entries with their checksum, the deleted marker 0xE5 and its 0x05
 * escape, and the DOS timestamps (creation to 10 ms, write to 2 s, access
 * as a date). Deleted long names are kept too: deleting marks each of their
 * entries 0xE5 but leaves the characters, and the checksum of the 8.3 name
 * tells which first letter it had.
 */
import { u16le, u32le } from '../reader/reader.js';

/** One 8.3 entry with the long name that belongs to it. */
export interface DirEntry {
  /** Image offset of the 8.3 entry. */
  offset: number;
  /** "NAME.EXT" as stored; a deleted entry's first character restored from its long name's checksum, else `_`. */
  shortName: string;
  longName: string | null;
  deleted: boolean;
  attr: number;
  directory: boolean;
  /** The "." and ".." entries of a subdirectory. */
  dot: boolean;
  firstCluster: number;
  size: number;
  created: string | null;
  modified: string | null;
  accessed: string | null;
}

export interface DirParse {
  entries: DirEntry[];
  /** Slots that are neither free nor valid entries (garbage in a deleted folder's clusters). */
  invalid: number;
  /** A 0x00 first byte ended the directory. */
  ended: boolean;
}

const ATTR_DIRECTORY = 0x10;
const ATTR_VOLUME = 0x08;
const ATTR_LFN = 0x0f;
const LFN_CHARS = [1, 3, 5, 7, 9, 14, 16, 18, 20, 22, 24, 28, 30];
/** Characters the spec forbids in 8.3 names (besides those below 0x20). */
const BAD_SHORT = new Set([0x22, 0x2a, 0x2b, 0x2c, 0x2e, 0x2f, 0x3a, 0x3b, 0x3c, 0x3d, 0x3e, 0x3f, 0x5b, 0x5c, 0x5d, 0x7c]);
/** Code page 437, bytes 0x80-0xFF (what DOS and cameras write in 8.3 names). */
const CP437_HIGH =
  'ÇüéâäàåçêëèïîìÄÅÉæÆôöòûùÿÖÜ¢£¥₧ƒáíóúñÑªº¿⌐¬½¼¡«»░▒▓│┤╡╢╖╕╣║╗╝╜╛┐└┴┬├─┼╞╟╚╔╩╦╠═╬╧╨╤╥╙╘╒╓╫╪┘┌█▄▌▐▀αßΓπΣσµτΦΘΩδ∞φε∩≡±≥≤⌠⌡÷≈°∙·√ⁿ²■\u00a0';

/**
 * Parses directory slots. `slotOffset(i)` gives the image offset of slot i
 * (a directory's clusters need not be contiguous). `fat32`: the high word of
 * the first cluster counts (it is reserved on FAT12/16).
 */
export function parseDirectory(bytes: Uint8Array, slotOffset: (i: number) => number, fat32: boolean): DirParse {
  const out: DirParse = { entries: [], invalid: 0, ended: false };
  // A live long name being collected: parts by sequence number, the checksum, the next number expected.
  let live: { parts: string[]; sum: number; next: number } | null = null;
  // Deleted long-name slots right before the current slot, nearest first.
  let deletedRun: { chars: string; sum: number }[] = [];
  const slots = Math.floor(bytes.length / 32);
  for (let i = 0; i < slots; i++) {
    const e = bytes.subarray(i * 32, i * 32 + 32);
    const first = e[0]!;
    if (first === 0x00) {
      out.ended = true;
      break;
    }
    const attr = e[11]!;
    if ((attr & 0x3f) === ATTR_LFN && u16le(e, 26) === 0) {
      const chars = lfnChars(e);
      if (first === 0xe5) {
        if (deletedRun.length > 0 && deletedRun[0]!.sum !== e[13]) deletedRun = [];
        deletedRun.unshift({ chars, sum: e[13]! });
        if (deletedRun.length > 20) deletedRun.length = 20;
        live = null;
        continue;
      }
      deletedRun = [];
      const seq = first & 0x1f;
      if (seq === 0 || seq > 20) {
        live = null;
        out.invalid++;
        continue;
      }
      if (first & 0x40) live = { parts: [], sum: e[13]!, next: seq };
      if (live && live.next === seq && live.sum === e[13]) {
        live.parts[seq - 1] = chars;
        live.next = seq - 1;
      } else live = null;
      continue;
    }
    const run = deletedRun;
    const lfn = live;
    deletedRun = [];
    live = null;
    const deleted = first === 0xe5;
    if ((attr & 0xc0) !== 0 || !validShortName(e, deleted)) {
      out.invalid++;
      continue;
    }
    if ((attr & ATTR_VOLUME) !== 0 && (attr & ATTR_DIRECTORY) === 0) continue; // the volume label
    const raw = e.subarray(0, 11);
    let longName: string | null = null;
    let firstChar = first === 0x05 ? 0xe5 : first;
    if (!deleted && lfn && lfn.next === 0 && lfn.sum === checksum(raw)) longName = joinLfn(lfn.parts);
    if (deleted) {
      firstChar = -1;
      if (run.length > 0) {
        const name = joinLfn(run.map((r) => r.chars));
        const restored = restoreFirstByte(raw, run[0]!.sum, name);
        if (restored !== null && name.length > 0) {
          longName = name;
          firstChar = restored;
        }
      }
    }
    const directory = (attr & ATTR_DIRECTORY) !== 0;
    const dot = !deleted && first === 0x2e;
    const hi = fat32 ? u16le(e, 20) : 0;
    out.entries.push({
      offset: slotOffset(i),
      shortName: shortName(e, firstChar),
      longName: longName === null ? null : clean(longName),
      deleted,
      attr,
      directory,
      dot,
      firstCluster: hi * 0x10000 + u16le(e, 26),
      size: directory ? 0 : u32le(e, 28),
      created: dosTime(u16le(e, 16), u16le(e, 14), e[13]!),
      modified: dosTime(u16le(e, 24), u16le(e, 22), 0),
      accessed: dosDate(u16le(e, 18)),
    });
  }
  return out;
}

/** The LFN checksum of an 8.3 name (11 bytes as stored). */
export function checksum(name: Uint8Array): number {
  let sum = 0;
  for (let i = 0; i < 11; i++) sum = (((sum & 1) << 7) + (sum >>> 1) + name[i]!) & 0xff;
  return sum;
}

/**
 * The first byte a deleted 8.3 name had, such that its checksum is the long
 * name's: the long name's first letter upper-cased is tried first (that is
 * how the 8.3 name was made from it), then every other byte. Null if none fits.
 */
function restoreFirstByte(raw: Uint8Array, sum: number, longName: string): number | null {
  const name = Uint8Array.from(raw);
  const guess = longName.replace(/^[ .]+/, '').charAt(0).toUpperCase().charCodeAt(0);
  const tries = Number.isNaN(guess) || guess > 0x7f ? [] : [guess === 0x20 ? 0x5f : guess];
  for (let b = 0x21; b <= 0xff; b++) if (b !== 0xe5 && !BAD_SHORT.has(b) && b !== tries[0]) tries.push(b);
  for (const b of tries) {
    name[0] = b;
    if (checksum(name) === sum) return b;
  }
  return null;
}

function validShortName(e: Uint8Array, deleted: boolean): boolean {
  if (e[0] === 0x2e) {
    // "." or "..": dots then spaces.
    const dots = e[1] === 0x2e ? 2 : 1;
    for (let i = dots; i < 11; i++) if (e[i] !== 0x20) return false;
    return true;
  }
  for (let i = deleted ? 1 : 0; i < 11; i++) {
    const c = e[i]!;
    if (i === 0 && c === 0x05) continue;
    if (c < 0x20 || BAD_SHORT.has(c)) return false;
    if (i === 0 && c === 0x20) return false;
  }
  return true;
}

/** "NAME.EXT" with the NT lower-case flags (byte 12: 0x08 base, 0x10 extension) applied; firstChar -1 shows as `_`. */
function shortName(e: Uint8Array, firstChar: number): string {
  const flags = e[12]!;
  const text = (from: number, to: number): string => {
    let s = '';
    for (let i = from; i < to; i++) {
      const c = i === 0 ? firstChar : e[i]!;
      s += c < 0 ? '_' : c < 0x80 ? String.fromCharCode(c) : CP437_HIGH[c - 0x80]!;
    }
    return s.trimEnd();
  };
  let base = text(0, 8);
  let ext = text(8, 11);
  if (flags & 0x08) base = base.toLowerCase();
  if (flags & 0x10) ext = ext.toLowerCase();
  if (base === '.' || base === '..') return base;
  return clean(ext ? `${base}.${ext}` : base);
}

function lfnChars(e: Uint8Array): string {
  let s = '';
  for (const at of LFN_CHARS) {
    const u = u16le(e, at);
    if (u === 0x0000) return s + '\u0000';
    if (u === 0xffff) continue;
    s += String.fromCharCode(u);
  }
  return s;
}

/** Parts in sequence order, cut at the terminator. */
function joinLfn(parts: readonly (string | undefined)[]): string {
  const s = parts.map((p) => p ?? '').join('');
  const end = s.indexOf('\u0000');
  return end >= 0 ? s.slice(0, end) : s;
}

/** Names go into reports: control characters, path separators and lone surrogates become U+FFFD. */
function clean(s: string): string {
  return s.replace(/[\u0000-\u001f\u007f/\\]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g, '\uFFFD');
}

const pad = (n: number, w = 2): string => String(n).padStart(w, '0');

/** A DOS date: "YYYY-MM-DD", null when 0 or impossible. */
export function dosDate(date: number): string | null {
  if (date === 0) return null;
  const y = 1980 + (date >>> 9);
  const m = (date >>> 5) & 0x0f;
  const d = date & 0x1f;
  if (m < 1 || m > 12 || d < 1 || d > daysIn(y, m)) return null;
  return `${y}-${pad(m)}-${pad(d)}`;
}

/**
 * A DOS date and time as local ISO 8601 without a zone (FAT stores none):
 * "YYYY-MM-DDTHH:MM:SS", with ".mmm" when the 10 ms count (0-199) adds a fraction.
 */
export function dosTime(date: number, time: number, tenMs: number): string | null {
  const day = dosDate(date);
  if (day === null) return null;
  const h = time >>> 11;
  const min = (time >>> 5) & 0x3f;
  let s = (time & 0x1f) * 2;
  if (h > 23 || min > 59 || s > 59 || tenMs > 199) return null;
  s += Math.floor(tenMs / 100);
  const ms = (tenMs % 100) * 10;
  return `${day}T${pad(h)}:${pad(min)}:${pad(s)}${ms ? `.${pad(ms, 3)}` : ''}`;
}

function daysIn(y: number, m: number): number {
  return m === 2 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : [4, 6, 9, 11].includes(m) ? 30 : 31;
}
