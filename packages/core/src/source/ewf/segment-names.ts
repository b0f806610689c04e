import { existsSync } from 'node:fs';

/**
 * EWF-E01 segment file names (libewf "Segment file extensions"): the first
 * file is `.E01`, then `.E02` … `.E99`, then `.EAA` … `.EZZ`, `.FAA` … `.ZZZ`.
 * Lower case (`.e01`, as ewfacquire's "ewf" format writes) continues in lower
 * case. SMART (EWF-S01) sets count the same way from `.s01`.
 */
const FIRST_EXTENSION = /\.([EeSs])01$/;
const LETTERS = 26;

/** True when the path names the first segment of an EWF set (`x.E01`, `x.e01`, `x.s01`). */
export function isFirstSegmentName(path: string): boolean {
  return FIRST_EXTENSION.test(path);
}

/** The name of segment `n` (1-based) of the set whose first segment is `first`, or null past `.ZZZ`. */
export function segmentName(first: string, n: number): string | null {
  const m = FIRST_EXTENSION.exec(first);
  if (!m || n < 1) return null;
  const base = first.slice(0, m.index + 1);
  const letter = m[1]!;
  const lower = letter === letter.toLowerCase();
  if (n <= 99) return base + letter + String(n).padStart(2, '0');
  // Past 99 the extension counts in base 26 from the first letter: EAA = 100.
  const k = (letter.toUpperCase().charCodeAt(0) - 65) * LETTERS * LETTERS + (n - 100);
  if (k >= LETTERS * LETTERS * LETTERS) return null;
  const ext = [Math.floor(k / (LETTERS * LETTERS)), Math.floor(k / LETTERS) % LETTERS, k % LETTERS]
    .map((d) => String.fromCharCode(65 + d))
    .join('');
  return base + (lower ? ext.toLowerCase() : ext);
}

/** The segment files present on disk, in order, from the first one up to the first gap. */
export function findSegments(first: string): string[] {
  const out: string[] = [];
  for (let n = 1; ; n++) {
    const name = segmentName(first, n);
    if (name === null || !existsSync(name)) return out;
    out.push(name);
  }
}
