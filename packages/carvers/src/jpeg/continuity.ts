/**
 * Image continuity across fragment seams (after Pal & Memon's work on
 * fragmented JPEG carving): a Huffman decoder accepts another photo's data
 * when both use the same tables, but the picture does not continue. The DC
 * coefficient of each luminance block (its mean brightness) changes little
 * from one block row to the next inside a photo; right after a wrong seam it
 * jumps. Only sequential (baseline/extended) scans are traced.
 */
import type { Reader, SuspectRange } from '@rawcarve/core';
import { BitReader } from './bitreader.js';
import { huff } from './entropy.js';
import type { HuffmanTable } from './huffman.js';
import { walkJpeg, type FirstScan } from './walk.js';

/** Luminance DC of every block, and where each MCU starts in the file. */
interface DcTrace {
  /** DC values in the luminance component's block grid (row-major, blocksW per row). */
  dc: Int32Array;
  blocksW: number;
  blocksH: number;
  /** File offset of each MCU's first byte (approximately: the byte holding its first bit). */
  mcuStart: Float64Array;
  mcus: number;
  /** MCUs per row, and luminance block rows per MCU row. */
  mcusX: number;
  rowsPerMcu: number;
}

/** A seam is implausible when the brightness step across it is this many times the photo's usual one... */
const JUMP_FACTOR = 6;
/** ...and at least this large (DC units: 8 × mean sample value): flat photos have tiny usual steps. */
const MIN_JUMP = 48;

/**
 * True when every seam (file offsets where a new fragment starts) keeps the
 * picture continuous, or when the scan cannot be traced (progressive, or
 * decoding fails): the caller's other checks then decide alone.
 */
export function seamsLookContinuous(reader: Reader, seams: readonly number[]): boolean {
  // Only the first scan's tables and geometry are needed: the walk stops there.
  let scan: FirstScan | null = null;
  walkJpeg(reader, 0, reader.size, undefined, (s) => {
    scan = s;
    return true;
  });
  if (scan === null) return true;
  const trace = traceDc(reader, scan);
  if (!trace || trace.blocksH < 3) return true;
  // The usual step is measured where the photo is surely its own, before the first seam...
  const firstSeamMcu = seams.length > 0 ? firstMcuAtOrAfter(trace, Math.min(...seams)) : trace.mcus;
  const ownRows = Math.floor((firstSeamMcu < 0 ? trace.mcus : firstSeamMcu) / trace.mcusX) * trace.rowsPerMcu;
  if (ownRows < 3) return true;
  // ...but not below the whole picture's: a calm top (sky) would make every later step look like a jump.
  const usual = Math.max(median(rowSteps(trace, 1, ownRows)), median(rowSteps(trace, 1, trace.blocksH)));
  for (const seam of seams) {
    const mcu = firstMcuAtOrAfter(trace, seam);
    if (mcu < 0) continue;
    // One picture width of MCUs decoded from the new fragment, each against the block above it
    // (decoded before the seam): a wrong continuation shows as a step all along that width.
    // Only our own seams are checked: natural edges (a horizon) make the same test elsewhere
    // reject correct photos too often.
    const steps = stepsFrom(trace, mcu);
    if (steps.length < 8) continue;
    const limit = Math.max(MIN_JUMP, JUMP_FACTOR * usual);
    if (median(steps) <= limit) continue;
    // A natural edge near the seam jumps across whole rows; a wrong seam only in the blocks
    // decoded from the new fragment, under or over blocks of the old one. The rest of the
    // same two rows (old under old, new under new) then stays calm.
    const other = otherSideSteps(trace, mcu);
    if (other.length >= 8 && median(other) > limit / 2) continue;
    return false;
  }
  return true;
}

/** Share of a row's blocks on each side of a seam that must agree with it (jump on the seam's side, not on the other). */
const SEAM_AGREEMENT = 0.75;
/** Rows after a change of texture that must keep it for the change to count. */
const SHIFT_ROWS = 8;
/** How much rougher the picture must become (median vertical step) past a change of texture... */
const SHIFT_FACTOR = 2.6;
/** ...than in this many MCU rows just above it. */
const SHIFT_WINDOW = 16;

/**
 * Where the picture of a (validating) scan stops being one photo, as file
 * offset ranges. Two signs, both of another photo's data decoded with the
 * same tables:
 * - a seam inside an MCU row: the blocks after it jump against the row
 *   above, and in the next row the blocks before it do, while the others
 *   stay continuous. A real edge (a horizon) jumps across a whole row.
 * - a lasting change of texture: a photo of another width read with this
 *   one's row length no longer continues from row to row.
 * Empty for progressive scans and when neither shows.
 */
export function pictureBreaks(reader: Reader): SuspectRange[] {
  let scan: FirstScan | null = null;
  walkJpeg(reader, 0, reader.size, undefined, (s) => {
    scan = s;
    return true;
  });
  if (scan === null) return [];
  // With restart markers, foreign data breaks the RST sequence within an interval of the seam
  // (7 times in 8): the decoder's own break is the place, and a guess far before it only costs.
  if ((scan as FirstScan).restartInterval > 0) return [];
  const t = traceDc(reader, scan);
  if (!t) return [];
  const mcuRows = Math.floor(t.mcus / t.mcusX);
  if (mcuRows < 4) return [];
  const threshold = Math.max(MIN_JUMP, JUMP_FACTOR * median(rowSteps(t, 1, mcuRows * t.rowsPerMcu)));
  const hb = Math.max(1, Math.round(t.blocksW / t.mcusX));
  /** Whether the top block row of MCU row `my` jumps against the row above, per MCU column. */
  const jumpsAt = (my: number): Uint8Array => {
    const out = new Uint8Array(t.mcusX);
    const gy = my * t.rowsPerMcu;
    for (let mx = 0; mx < t.mcusX; mx++) {
      let big = 0;
      for (let b = 0; b < hb; b++) {
        const gx = mx * hb + b;
        if (gx < t.blocksW && Math.abs(t.dc[gy * t.blocksW + gx]! - t.dc[(gy - 1) * t.blocksW + gx]!) > threshold) big++;
      }
      out[mx] = big * 2 >= hb ? 1 : 0;
    }
    return out;
  };
  // The jump shows up to a row late (the blocks above the first foreign ones are the file's own only from the seam on).
  const range = (m: number, last = m): SuspectRange => ({
    from: Math.floor(t.mcuStart[Math.max(0, m - t.mcusX - 2)]!),
    to: Math.ceil(t.mcuStart[Math.min(t.mcus - 1, last + 2)]!),
  });
  // Every seam found, in file order (a strong natural edge may come first: the real seam is then a later one).
  const found: SuspectRange[] = [];
  let prev = jumpsAt(1);
  for (let my = 1; my + 1 < mcuRows && found.length < MAX_BREAKS; my++) {
    const next = jumpsAt(my + 1);
    const k = seamColumns(prev, next);
    if (k) found.push(range(my * t.mcusX + k.first, my * t.mcusX + k.last));
    prev = next;
  }
  // A shift shows in the row the seam is in, or the next one when it lies late in its row. A run of
  // rows that all show one is reported by its first two: a long range of a natural shift would free
  // (and offer as breaks) much of an incomplete file's own data.
  for (const shift of textureShifts(t, mcuRows)) if (found.length < MAX_BREAKS) found.push(range(shift.first * t.mcusX, (Math.min(shift.last, shift.first + 1) + 1) * t.mcusX - 1));
  return found.sort((a, b) => a.from - b.from);
}

/** Seams reported per file at most. */
const MAX_BREAKS = 4;

/**
 * The MCU columns k where row `a` jumps from k on and row `b` (the next) up
 * to k, each side agreeing, k well inside the row; null when there is none.
 */
function seamColumns(a: Uint8Array, b: Uint8Array): { first: number; last: number } | null {
  const w = a.length;
  const lo = Math.max(1, Math.floor(w / 10));
  const hi = Math.ceil((9 * w) / 10);
  let aBefore = 0; // jumps of a in [0, k)
  let bBefore = 0;
  for (let k = 0; k < lo; k++) {
    aBefore += a[k]!;
    bBefore += b[k]!;
  }
  const aAll = a.reduce((n, x) => n + x, 0);
  const bAll = b.reduce((n, x) => n + x, 0);
  let first = -1;
  let last = -1;
  for (let k = lo; k < hi; k++) {
    const aAfter = aAll - aBefore;
    const bAfter = bAll - bBefore;
    const seamSide = aAfter / (w - k) >= SEAM_AGREEMENT && bBefore / k >= SEAM_AGREEMENT;
    const quietSide = aBefore / k <= 1 - SEAM_AGREEMENT && bAfter / (w - k) <= 1 - SEAM_AGREEMENT;
    if (seamSide && quietSide) {
      if (first < 0) first = k;
      last = k;
    }
    aBefore += a[k]!;
    bBefore += b[k]!;
  }
  return first < 0 ? null : { first, last };
}

/**
 * The MCU rows from which the picture stays much rougher than in the rows
 * just above them. Measured against those rows, not against the whole
 * picture above: a photo with a calm sky and textured ground gets rougher
 * slowly, while another photo read with this one's row length gets rough
 * at once, by far more.
 */
function textureShifts(t: DcTrace, mcuRows: number): { first: number; last: number }[] {
  const rough: number[] = [];
  for (let my = 1; my < mcuRows; my++) rough.push(median(stepsFrom(t, my * t.mcusX)));
  const out: { first: number; last: number }[] = [];
  for (let my = SHIFT_ROWS; my + SHIFT_ROWS <= mcuRows - 1; my++) {
    // The lower quartile: some textures alternate calm and rough rows, and the calm ones are the picture's own level.
    const before = quantile(rough.slice(Math.max(0, my - 1 - SHIFT_WINDOW), my - 1), 0.25);
    const after = median(rough.slice(my - 1, my - 1 + SHIFT_ROWS));
    const lowestAfter = Math.min(...rough.slice(my - 1, my - 1 + SHIFT_ROWS));
    if (lowestAfter <= Math.max(MIN_JUMP / 2, SHIFT_FACTOR * before) || after <= MIN_JUMP) continue;
    // Rows in a row that all show a shift are one (a natural one may run into a seam just after it).
    const prev = out[out.length - 1];
    if (prev && prev.last === my - 1) prev.last = my;
    else if (out.length < MAX_BREAKS) out.push({ first: my, last: my });
    else break;
  }
  return out;
}

/**
 * The steps in the two MCU rows of a seam at `mcu` that stepsFrom leaves
 * out: the row's MCUs before the seam and the next row's from the seam's
 * column on.
 */
function otherSideSteps(t: DcTrace, mcu: number): number[] {
  const k = mcu % t.mcusX;
  return [...stepsFrom(t, mcu - k, k), ...stepsFrom(t, mcu + t.mcusX, t.mcusX - k)];
}

/** |DC − DC of the block above| for the top blocks of the MCUs [mcu, mcu + one row of MCUs). */
function stepsFrom(t: DcTrace, mcu: number, count = t.mcusX): number[] {
  const out: number[] = [];
  const hb = Math.max(1, Math.round(t.blocksW / t.mcusX));
  for (let m = mcu; m < Math.min(t.mcus, mcu + count); m++) {
    const gy = Math.floor(m / t.mcusX) * t.rowsPerMcu;
    if (gy < 1) continue;
    for (let b = 0; b < hb; b++) {
      const gx = (m % t.mcusX) * hb + b;
      if (gx < t.blocksW) out.push(Math.abs(t.dc[gy * t.blocksW + gx]! - t.dc[(gy - 1) * t.blocksW + gx]!));
    }
  }
  return out;
}

/** |DC(row) − DC(row − 1)| for every block of rows [from, to). */
function rowSteps(t: DcTrace, from: number, to: number): number[] {
  const out: number[] = [];
  for (let y = Math.max(1, from); y < to; y++) {
    for (let x = 0; x < t.blocksW; x++) out.push(Math.abs(t.dc[y * t.blocksW + x]! - t.dc[(y - 1) * t.blocksW + x]!));
  }
  return out;
}

function median(v: number[]): number {
  return quantile(v, 0.5);
}

function quantile(v: number[], q: number): number {
  if (v.length === 0) return 0;
  const s = Float64Array.from(v).sort();
  return s[Math.floor(s.length * q)]!;
}

function firstMcuAtOrAfter(t: DcTrace, offset: number): number {
  for (let m = 0; m < t.mcus; m++) if (t.mcuStart[m]! >= offset) return m;
  return -1;
}

/** MCUs traced at most (one file offset of 8 bytes each). */
const MAX_TRACE_MCUS = 4_000_000;
/**
 * Blocks (MCUs × blocks per MCU) traced at most: the luminance DC grid is
 * allocated from the SOF's geometry before any data is read, so a hostile
 * SOF could ask for 256 MiB. 200 MP in 4:4:4 is 9.4 M blocks (4:2:0: 4.7 M).
 */
export const MAX_TRACE_BLOCKS = 12_000_000;

/**
 * Decodes the scan's DC values (AC coefficients are decoded only to be
 * skipped). Null when there is nothing to judge: a progressive scan, a first
 * scan without the luminance component, a picture too big to trace, or no
 * MCU decoded.
 */
function traceDc(reader: Reader, s: FirstScan): DcTrace | null {
  const { frame, header } = s;
  if (frame.progressive || !header.components.some((c) => c.index === 0)) return null;
  const y = frame.components[0]!;
  const single = header.components.length === 1;
  const mcusX = single ? y.blocksW : frame.mcusX;
  const mcusY = single ? y.blocksH : frame.mcusY;
  const total = mcusX * mcusY;
  const blocksW = single ? y.blocksW : frame.mcusX * y.h;
  const blocksH = single ? y.blocksH : frame.mcusY * y.v;
  // With the luminance in the scan, its grid (blocksW × blocksH) is part of the scan's blocks: this bounds both arrays.
  const perMcu = single ? 1 : header.components.reduce((n, c) => n + frame.components[c.index]!.h * frame.components[c.index]!.v, 0);
  if (total > MAX_TRACE_MCUS || total * perMcu > MAX_TRACE_BLOCKS) return null;
  const dc = new Int32Array(blocksW * blocksH);
  const mcuStart = new Float64Array(total);
  const br = new BitReader(reader, s.dataStart, reader.size);
  const pred = new Int32Array(header.components.length);
  let mcus = 0;
  for (let m = 0; m < total; m++) {
    if (s.restartInterval > 0 && m > 0 && m % s.restartInterval === 0) {
      br.seekMarker(0);
      if (br.marker < 0xd0 || br.marker > 0xd7) break;
      br.restart();
      pred.fill(0);
    }
    mcuStart[m] = br.consumedUntil();
    const mx = m % mcusX;
    const my = Math.floor(m / mcusX);
    let ok = true;
    header.components.forEach((sc, ci) => {
      const fc = frame.components[sc.index]!;
      const hb = single ? 1 : fc.h;
      const vb = single ? 1 : fc.v;
      for (let by = 0; by < vb && ok; by++) {
        for (let bx = 0; bx < hb && ok; bx++) {
          const size = huff(br, s.dc[sc.td]!);
          if (size < 0 || size > 16) {
            ok = false;
            break;
          }
          pred[ci]! += extend(size === 0 ? 0 : br.bits(size), size);
          if (sc.index === 0) {
            const gx = single ? mx : mx * fc.h + bx;
            const gy = single ? my : my * fc.v + by;
            if (gx < blocksW && gy < blocksH) dc[gy * blocksW + gx] = pred[ci]!;
          }
          ok = skipAc(br, s.ac[sc.ta]!);
        }
      }
    });
    if (!ok || br.overrun) break;
    mcus = m + 1;
  }
  return mcus > 0 ? { dc, blocksW, blocksH, mcuStart, mcus, mcusX, rowsPerMcu: single ? 1 : y.v } : null;
}

function extend(v: number, size: number): number {
  return size > 0 && v < 1 << (size - 1) ? v - (1 << size) + 1 : v;
}

function skipAc(br: BitReader, t: HuffmanTable): boolean {
  for (let k = 1; k < 64; ) {
    const rs = huff(br, t);
    if (rs < 0) return false;
    const r = rs >> 4;
    const size = rs & 15;
    if (size === 0) {
      if (r !== 15) return true;
      k += 16;
      continue;
    }
    br.bits(size);
    k += r + 1;
  }
  return true;
}
