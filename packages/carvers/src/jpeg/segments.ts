/**
 * Parsers for the marker segments before and between scans (T.81 B.2.4):
 * one function per segment, each given the segment's payload (after the
 * length field) and checking every count against it.
 */
import { u16be } from '@rawcarve/core';
import { makeFrame, type Frame, type ScanHeader } from './frame.js';
import { buildHuffmanTable, type HuffmanTable } from './huffman.js';

/** SOFn (B.2.2). Null when the header is malformed or describes no image. */
export function SOF(marker: number, p: Uint8Array): Frame | null {
  if (p.length < 6) return null;
  const precision = p[0]!;
  const height = u16be(p, 1);
  const width = u16be(p, 3);
  const nf = p[5]!;
  // Baseline (C0) is 8-bit only; extended and progressive allow 8 or 12 (T.81 Table B.2).
  if ((precision !== 8 && precision !== 12) || (marker === 0xc0 && precision !== 8) || nf < 1 || nf > 4 || p.length !== 6 + 3 * nf) return null;
  const comps: { id: number; h: number; v: number; tq: number }[] = [];
  for (let i = 0; i < nf; i++) {
    const id = p[6 + 3 * i]!;
    const h = p[7 + 3 * i]! >> 4;
    const v = p[7 + 3 * i]! & 15;
    const tq = p[8 + 3 * i]!;
    if (h < 1 || h > 4 || v < 1 || v > 4 || tq > 3 || comps.some((c) => c.id === id)) return null;
    comps.push({ id, h, v, tq });
  }
  return makeFrame(marker, precision, height, width, comps);
}

/** DHT (B.2.4.2): one or more tables. Returns false when malformed. */
export function DHT(p: Uint8Array, dc: (HuffmanTable | null)[], ac: (HuffmanTable | null)[]): boolean {
  let i = 0;
  if (p.length < 17) return false;
  while (i < p.length) {
    if (i + 17 > p.length) return false;
    const tc = p[i]! >> 4;
    const th = p[i]! & 15;
    if (tc > 1 || th > 3) return false;
    const counts = p.subarray(i + 1, i + 17);
    let total = 0;
    for (const c of counts) total += c;
    if (total === 0 || total > 256 || i + 17 + total > p.length) return false;
    const table = buildHuffmanTable(counts, p.subarray(i + 17, i + 17 + total), tc === 0);
    if (!table) return false;
    (tc === 0 ? dc : ac)[th] = table;
    i += 17 + total;
  }
  return true;
}

/**
 * DQT (B.2.4.1): validates structure only (quantisation does not matter
 * without IDCT). Marks each table it defines in `defined` (slots 0..3).
 */
export function DQT(p: Uint8Array, defined?: boolean[]): boolean {
  let i = 0;
  if (p.length < 65) return false;
  while (i < p.length) {
    const pq = p[i]! >> 4;
    const tq = p[i]! & 15;
    if (pq > 1 || tq > 3) return false;
    i += 1 + (pq === 0 ? 64 : 128);
    if (i > p.length) return false;
    if (defined) defined[tq] = true;
  }
  return true;
}

/** DRI (B.2.4.4): the restart interval in MCUs, or −1 when malformed. */
export function DRI(p: Uint8Array): number {
  return p.length === 2 ? u16be(p, 0) : -1;
}

/** SOS (B.2.3), checked against the frame. Null when inconsistent. */
export function SOS(p: Uint8Array, frame: Frame): ScanHeader | null {
  const ns = p[0] ?? 0;
  if (ns < 1 || ns > 4 || p.length !== 4 + 2 * ns) return null;
  const components: { index: number; td: number; ta: number }[] = [];
  for (let i = 0; i < ns; i++) {
    const id = p[1 + 2 * i]!;
    const index = frame.components.findIndex((c) => c.id === id);
    const td = p[2 + 2 * i]! >> 4;
    const ta = p[2 + 2 * i]! & 15;
    if (index < 0 || td > 3 || ta > 3 || components.some((c) => c.index === index)) return null;
    components.push({ index, td, ta });
  }
  const ss = p[1 + 2 * ns]!;
  const se = p[2 + 2 * ns]!;
  const ah = p[3 + 2 * ns]! >> 4;
  const al = p[3 + 2 * ns]! & 15;
  if (frame.progressive) {
    // G.1.1.1.1: DC scans have Se = 0; AC scans cover one component within 1..63.
    if (ss === 0 ? se !== 0 : se < ss || se > 63 || ns !== 1) return null;
    // A refinement scan adds one bit: Al = Ah − 1 (G.1.1.1.2).
    if (ah > 13 || al > 13 || (ah !== 0 && al !== ah - 1)) return null;
  } else if (ss !== 0 || se !== 63 || ah !== 0 || al !== 0) {
    return null;
  }
  // Interleaved MCUs hold at most 10 blocks (B.2.3).
  if (ns > 1 && components.reduce((n, c) => n + frame.components[c.index]!.h * frame.components[c.index]!.v, 0) > 10) return null;
  return { components, ss, se, ah, al };
}

/**
 * The successive-approximation history of a progressive image (G.1.1.1.2,
 * as libjpeg checks it): per component and coefficient, the Al of the last
 * scan that coded it (−1: none yet). A scan's Ah must equal that (0 for the
 * first), and an AC scan needs the component's DC first. Updates `bits`
 * (4 × 64 entries) and returns false on a bogus progression.
 */
export function progressionOk(bits: Int8Array, scan: ScanHeader): boolean {
  for (const c of scan.components) {
    const at = c.index * 64;
    if (scan.ss > 0 && bits[at]! < 0) return false;
    for (let k = scan.ss; k <= scan.se; k++) {
      const expected = Math.max(0, bits[at + k]!);
      if (scan.ah !== expected) return false;
      bits[at + k] = scan.al;
    }
  }
  return true;
}
