/**
 * Entropy-decode validation of one scan, MCU by MCU, without IDCT (T.81
 * F.2 sequential, G.2 progressive). What it proves: every Huffman code is in
 * the tables, no coefficient index overflows, restart markers come in order
 * at the right MCU counts, and the scan holds exactly as many MCUs as the
 * frame needs. Random data or another file's bytes fail these checks within
 * a few hundred bytes; that is how a real JPEG is told from garbage, and
 * where a fragment ends.
 */
import type { BitReader } from './bitreader.js';
import type { Frame, ScanHeader } from './frame.js';
import { scanMcuCount } from './frame.js';
import { FAST_BITS, type HuffmanTable } from './huffman.js';
import { decodeSequentialMcus, type Checkpoints, type SequentialRun } from './sequential.js';

export type ScanStop =
  | 'ok'
  | 'bad-huffman-code'
  | 'coefficient-overflow'
  | 'bad-magnitude'
  | 'rst-out-of-sequence'
  | 'scan-ended-early'
  | 'missing-table'
  | 'too-large';

export interface ScanOutcome {
  stop: ScanStop;
  mcusDecoded: number;
  mcusExpected: number;
  /** Image offset up to which the data decoded validly. */
  validUntil: number;
  /** Detail for the report (marker seen, expected RST). */
  detail: string;
}

/** State carried across the scans of one progressive image: which AC coefficients are non-zero so far. */
export interface ProgressiveState {
  /** Per frame component: 2 words (coefficients 0..31, 32..63) per block, allocated on the first AC scan. */
  nonzero: (Uint32Array | null)[];
  /** Blocks visited by the scans so far (work bound). */
  visits?: number;
}

/**
 * Progressive images above this many blocks (all components together) are
 * not validated coefficient by coefficient: memory bound, 8 bytes a block.
 */
export const MAX_PROGRESSIVE_BLOCKS = 16 * 1024 * 1024;
/**
 * Blocks the scans of one progressive image may visit in all. An EOB run
 * covers 32 767 blocks with 15 bits, so work is not bounded by the data: a
 * 4 MB file of 14 such scans over 16 M blocks took 57 s before this bound.
 * libjpeg's 10-scan script visits 8 × the luma blocks: 25 M for 200 MP.
 */
export const MAX_PROGRESSIVE_VISITS = 48 * 1024 * 1024;

const BAD = -1;

/**
 * Decodes one symbol and consumes its magnitude bits too (DC: the symbol is
 * the magnitude size; AC: the low nibble). Returns the symbol, or BAD.
 */
function symbol(br: BitReader, t: HuffmanTable): number {
  const e = t.fast[br.peek(FAST_BITS)]!;
  if (e !== 0) {
    br.skip(e >> 8);
    return e & 0xff;
  }
  const sym = huff(br, t);
  if (sym === BAD) return BAD;
  const extra = t.dc ? sym : sym & 15;
  if (extra > 16) return BAD;
  br.bits(extra);
  return sym;
}

/** One Huffman code (T.81 F.16): the symbol, or −1 for a code the table does not have. */
export function huff(br: BitReader, t: HuffmanTable): number {
  const e = t.lookup[br.peek(9)]!;
  if (e !== 0) {
    br.skip(e >> 8);
    return e & 0xff;
  }
  const code16 = br.peek(16);
  for (let l = 10; l <= 16; l++) {
    const c = code16 >>> (16 - l);
    if (c <= t.maxcode[l]!) {
      br.skip(l);
      return t.values[c + t.valoffset[l]!] ?? BAD;
    }
  }
  return BAD;
}

/** Decodes one scan. `dc`/`ac` are the four table slots of each class. */
export function decodeScan(
  br: BitReader,
  frame: Frame,
  scan: ScanHeader,
  dc: readonly (HuffmanTable | null)[],
  ac: readonly (HuffmanTable | null)[],
  restartInterval: number,
  prog: ProgressiveState,
  /** Sequential scans only: resume at this MCU (br positioned there), and record checkpoints. */
  seq: { startMcu: number; rec: Checkpoints | null; afterRestart?: boolean } = { startMcu: 0, rec: null },
): ScanOutcome {
  const expected = scanMcuCount(frame, scan);
  const out = (stop: ScanStop, mcus: number, detail = ''): ScanOutcome => ({
    stop,
    mcusDecoded: mcus,
    mcusExpected: expected,
    validUntil: br.consumedUntil(),
    detail,
  });

  const { ss, se, ah, al } = scan;
  const dcPass = ss === 0;
  const refine = ah !== 0;
  const comps = scan.components;
  const needDc = dcPass && !(frame.progressive && refine);
  const needAc = !frame.progressive || !dcPass;
  for (const c of comps) {
    if (needDc && !dc[c.td]) return out('missing-table', 0, `no DC table ${c.td}`);
    if (needAc && !ac[c.ta]) return out('missing-table', 0, `no AC table ${c.ta}`);
  }
  let masks: Uint32Array | null = null;
  if (frame.progressive) {
    const frameBlocks = frame.components.reduce((n, c) => n + c.blocksW * c.blocksH, 0);
    if (frameBlocks > MAX_PROGRESSIVE_BLOCKS) return out('too-large', 0, `${frameBlocks} blocks`);
    const perMcu = comps.length === 1 ? 1 : comps.reduce((n, c) => n + frame.components[c.index]!.h * frame.components[c.index]!.v, 0);
    const visits = (prog.visits ?? 0) + expected * perMcu;
    if (visits > MAX_PROGRESSIVE_VISITS) return out('too-large', 0, `the scans visit more than ${MAX_PROGRESSIVE_VISITS} blocks`);
    prog.visits = visits;
  }
  if (frame.progressive && !dcPass) {
    const fc = frame.components[comps[0]!.index]!;
    masks = prog.nonzero[comps[0]!.index] ??= new Uint32Array(fc.blocksW * fc.blocksH * 2);
  }

  // Blocks each scan component contributes to an MCU.
  const single = comps.length === 1;
  if (!frame.progressive) {
    const dcs: HuffmanTable[] = [];
    const acs: HuffmanTable[] = [];
    for (const sc of comps) {
      const fc = frame.components[sc.index]!;
      for (let b = 0, nb = single ? 1 : fc.h * fc.v; b < nb; b++) {
        dcs.push(dc[sc.td]!);
        acs.push(ac[sc.ta]!);
      }
    }
    return sequentialScan(br, dcs, acs, expected, restartInterval, out, seq.startMcu, seq.rec, seq.afterRestart ?? false);
  }
  let eobrun = 0;
  let nextRst = 0;
  let stop: ScanStop = 'ok';

  for (let mcu = 0; mcu < expected; mcu++) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0) {
      const extra = br.seekMarker(0);
      if (extra > 0 || br.marker !== 0xd0 + nextRst) {
        return out('rst-out-of-sequence', mcu, `expected RST${nextRst} after MCU ${mcu}, found ${describeMarker(br.marker)}`);
      }
      nextRst = (nextRst + 1) & 7;
      br.restart();
      eobrun = 0;
    }
    if (eobrun > 0 && !dcPass) {
      // Inside an EOB run of an AC scan (one component, one block per MCU): its blocks take no symbol,
      // a refinement only one correction bit per non-zero coefficient. Go through them in one loop.
      const boundary = restartInterval > 0 ? mcu - (mcu % restartInterval) + restartInterval : expected;
      const run = Math.min(eobrun, boundary - mcu, expected - mcu);
      if (refine) {
        for (let i = 0; i < run; i++) {
          refineEob(br, masks!, (mcu + i) * 2, ss, se);
          if (br.overrun) return out('scan-ended-early', mcu + i, `${describeMarker(br.marker)} at image offset ${br.markerOffset}`);
        }
      }
      eobrun -= run;
      mcu += run - 1;
      continue;
    }
    for (let ci = 0; ci < comps.length && stop === 'ok'; ci++) {
      const sc = comps[ci]!;
      const fc = frame.components[sc.index]!;
      const nBlocks = single ? 1 : fc.h * fc.v;
      for (let b = 0; b < nBlocks; b++) {
        if (dcPass) {
          if (refine) br.bit();
          else if (symbol(br, dc[sc.td]!) === BAD) stop = 'bad-huffman-code';
        } else if (eobrun > 0) {
          eobrun--;
          if (refine) refineEob(br, masks!, mcu * 2, ss, se);
        } else {
          const r = refine ? acRefine(br, ac[sc.ta]!, masks!, mcu * 2, ss, se) : acFirst(br, ac[sc.ta]!, masks!, mcu * 2, ss, se);
          if (r < 0) stop = r === BAD ? 'bad-huffman-code' : 'coefficient-overflow';
          else eobrun = r;
        }
        if (stop !== 'ok') break;
      }
    }
    if (stop !== 'ok') return out(stop, mcu);
    if (br.overrun) return out('scan-ended-early', mcu, `${describeMarker(br.marker)} at image offset ${br.markerOffset}`);
  }
  void al;
  return out('ok', expected);
}

/** A sequential scan: runs of MCUs between restart markers through the hot loop. */
function sequentialScan(
  br: BitReader,
  dcs: readonly HuffmanTable[],
  acs: readonly HuffmanTable[],
  expected: number,
  restartInterval: number,
  out: (stop: ScanStop, mcus: number, detail?: string) => ScanOutcome,
  startMcu: number,
  rec: Checkpoints | null,
  /** Resuming just after a restart marker (a checkpoint taken there): do not look for it again. */
  afterRestart: boolean,
): ScanOutcome {
  const run: SequentialRun = { mcus: 0, stop: 'ok' };
  let nextRst = restartInterval > 0 ? Math.floor(startMcu / restartInterval) & 7 : 0;
  for (let mcu = startMcu; mcu < expected; ) {
    if (restartInterval > 0 && mcu > 0 && mcu % restartInterval === 0 && !(afterRestart && mcu === startMcu)) {
      const extra = br.seekMarker(0);
      if (extra > 0 || br.marker !== 0xd0 + nextRst) {
        return out('rst-out-of-sequence', mcu, `expected RST${nextRst} after MCU ${mcu}, found ${describeMarker(br.marker)}`);
      }
      nextRst = (nextRst + 1) & 7;
      br.restart();
      // Restart markers reset the decoder: the byte after one is a checkpoint that needs no bit position.
      if (rec !== null && br.off + 1 <= rec.limit && br.off > (rec.offsets[rec.offsets.length - 1] ?? -1) && (mcu / restartInterval) % Math.ceil(rec.every / restartInterval) === 0) {
        rec.offsets.push(br.off);
        rec.bits.push(-1);
        rec.mcus.push(mcu);
      }
    }
    const count = restartInterval > 0 ? Math.min(restartInterval - (mcu % restartInterval), expected - mcu) : expected - mcu;
    decodeSequentialMcus(br, dcs, acs, count, run, rec, mcu);
    mcu += run.mcus;
    if (run.stop === 'scan-ended-early') {
      return out('scan-ended-early', mcu, `${describeMarker(br.marker)} at image offset ${br.markerOffset}`);
    }
    if (run.stop !== 'ok') return out(run.stop, mcu);
  }
  return out('ok', expected);
}

const OVERFLOW = -2;

function setNonzero(masks: Uint32Array, at: number, k: number): void {
  masks[at + (k >> 5)]! |= 1 << (k & 31);
}
function isNonzero(masks: Uint32Array, at: number, k: number): boolean {
  return (masks[at + (k >> 5)]! & (1 << (k & 31))) !== 0;
}

/** AC first pass (G.1.2.2); returns the new EOB run, or BAD / OVERFLOW. */
function acFirst(br: BitReader, ac: HuffmanTable, masks: Uint32Array, at: number, ss: number, se: number): number {
  for (let k = ss; k <= se; ) {
    const rs = symbol(br, ac);
    if (rs === BAD) return BAD;
    const r = rs >> 4;
    if ((rs & 15) === 0) {
      if (r < 15) return (1 << r) - 1 + (r > 0 ? br.bits(r) : 0);
      k += 16;
      if (k > se + 1) return OVERFLOW;
      continue;
    }
    k += r;
    if (k > se) return OVERFLOW;
    setNonzero(masks, at, k);
    k++;
  }
  return 0;
}

/** AC refinement pass (G.1.2.3), following libjpeg's decode_mcu_AC_refine. */
function acRefine(br: BitReader, ac: HuffmanTable, masks: Uint32Array, at: number, ss: number, se: number): number {
  let k = ss;
  for (; k <= se; k++) {
    const rs = symbol(br, ac); // for s = 1 this consumed the sign bit too
    if (rs === BAD) return BAD;
    let r = rs >> 4;
    const s = rs & 15;
    if (s !== 0) {
      if (s !== 1) return OVERFLOW; // a refinement only adds ±1 coefficients
    } else if (r !== 15) {
      const run = (1 << r) + (r > 0 ? br.bits(r) : 0);
      refineEob(br, masks, at, k, se);
      return run - 1;
    }
    // Skip r zero-history coefficients, refining the non-zero ones met on the way.
    while (k <= se) {
      if (isNonzero(masks, at, k)) br.bit();
      else {
        if (r === 0) break;
        r--;
      }
      k++;
    }
    if (s !== 0) {
      if (k > se) return OVERFLOW;
      setNonzero(masks, at, k);
    }
  }
  return 0;
}

/** Inside an EOB run of a refinement scan: one correction bit per already non-zero coefficient. */
function refineEob(br: BitReader, masks: Uint32Array, at: number, from: number, se: number): void {
  // Only the set bits matter: a block with none (most blocks in a long EOB run) costs two reads, not 63.
  for (let w = from >> 5; w <= se >> 5; w++) {
    let bits = masks[at + w]!;
    if (bits === 0) continue;
    if (w === from >> 5) bits &= ~0 << (from & 31);
    if (w === se >> 5 && (se & 31) !== 31) bits &= (1 << ((se & 31) + 1)) - 1;
    for (; bits !== 0; bits &= bits - 1) br.bit();
  }
}

export function describeMarker(m: number): string {
  if (m === -2) return 'the end of the data';
  if (m === -1) return 'no marker';
  if (m >= 0xd0 && m <= 0xd7) return `RST${m - 0xd0}`;
  const names: Record<number, string> = { 0xd8: 'SOI (another file starts)', 0xd9: 'EOI', 0xda: 'SOS', 0xc4: 'DHT', 0xdb: 'DQT' };
  return names[m] ?? `marker FF${m.toString(16).toUpperCase().padStart(2, '0')}`;
}
