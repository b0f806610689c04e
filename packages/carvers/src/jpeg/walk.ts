/**
 * The marker walk of a JPEG file (T.81 B.2/B.3): SOI, table and frame
 * segments with checked lengths, each scan entropy-decoded, until EOI.
 * APPn payloads (EXIF with its thumbnail, maker-note previews) are skipped by
 * their length, so an embedded SOI/EOI never ends the file.
 */
import { u16be, type Reader, type ResumeMemo } from '@rawcarve/core';
import { BitReader } from './bitreader.js';
import { decodeScan, describeMarker, type ProgressiveState, type ScanStop } from './entropy.js';
import type { Frame, ScanHeader } from './frame.js';
import type { HuffmanTable } from './huffman.js';
import type { Checkpoints } from './sequential.js';
import { DHT, DQT, DRI, SOF, SOS, progressionOk } from './segments.js';

export interface JpegWalk {
  /** complete: EOI after fully decoded scans; truncated: valid up to `end`, then the data stops or breaks. */
  status: 'complete' | 'truncated';
  /** Image offset just past EOI, or past the last validated byte. */
  end: number;
  frame: Frame;
  scans: number;
  restartInterval: number;
  mcusDecoded: number;
  mcusExpected: number;
  /** APP1 "Exif\0\0" payload (the TIFF bytes) in the image, for metadata. */
  exif: { offset: number; length: number } | null;
  /** APP2 "MPF\0" TIFF header offset and payload length (CIPA DC-007). */
  mpf: { offset: number; length: number } | null;
  appMarkers: string[];
  /** Image offset of the first scan's entropy-coded data. */
  scanData: number;
  /** Why decoding stopped early (truncated files only). */
  stop: { reason: ScanStop | 'bad-marker' | 'bad-segment'; offset: number; detail: string } | null;
}

/** Work bounds: more segments or scans than any real file has means hostile input. */
export const MAX_SEGMENTS = 4096;
/** Scans read at most in one file (see MAX_SEGMENTS). */
export const MAX_SCANS = 256;

/** Decoder checkpoints of a sequential scan kept across reassembly trials (ResumeMemo.state). */
interface ResumeState {
  /** Where the scan's data starts: checkpoints belong to that scan. */
  scanStart: number;
  checkpoints: Checkpoints;
  /** Huffman tables built from the DHT segment at each offset (headers lie in the stable beginning). */
  dht: Map<number, { dc: (HuffmanTable | null)[]; ac: (HuffmanTable | null)[] }>;
}

/** The memo's state, created on first use. */
function resumeState(resume: ResumeMemo): ResumeState {
  let st = resume.state as ResumeState | undefined;
  if (!st) {
    st = { scanStart: -1, checkpoints: { every: CHECKPOINT_EVERY, limit: 0, offsets: [], bits: [], mcus: [] }, dht: new Map() };
    resume.state = st;
  }
  return st;
}

/** DHT through the memo: a segment in the stable beginning is built once per reassembly, not per trial. */
function cachedDHT(payload: Uint8Array, at: number, end: number, dc: (HuffmanTable | null)[], ac: (HuffmanTable | null)[], resume?: ResumeMemo): boolean {
  if (!resume || end > resume.stableUntil) return DHT(payload, dc, ac);
  const st = resumeState(resume);
  let built = st.dht.get(at);
  if (!built) {
    built = { dc: [null, null, null, null], ac: [null, null, null, null] };
    if (!DHT(payload, built.dc, built.ac)) return false;
    st.dht.set(at, built);
  }
  for (let i = 0; i < 4; i++) {
    if (built.dc[i]) dc[i] = built.dc[i]!;
    if (built.ac[i]) ac[i] = built.ac[i]!;
  }
  return true;
}

/** What decoding the first scan needs, for a second look at it (continuity.ts). */
export interface FirstScan {
  frame: Frame;
  header: ScanHeader;
  dc: readonly (HuffmanTable | null)[];
  ac: readonly (HuffmanTable | null)[];
  restartInterval: number;
  /** Offset of the scan's entropy-coded data. */
  dataStart: number;
}

/** MCUs between checkpoints: resuming costs at most this many MCUs of re-decoding. */
const CHECKPOINT_EVERY = 16;

/**
 * Walks a JPEG starting at `offset` (FF D8); null when no image structure is
 * found. `limit` bounds every read. With `resume` (fragment reassembly), a
 * sequential scan restarts from the last checkpoint in the stable beginning.
 */
export function walkJpeg(
  reader: Reader,
  offset: number,
  limit: number,
  resume?: ResumeMemo,
  /** Called at the first scan's data; returning true ends the walk there (the result is then null). */
  onFirstScan?: (scan: FirstScan) => boolean | void,
): JpegWalk | null {
  const soi = reader.bytes(offset, 2);
  if (soi[0] !== 0xff || soi[1] !== 0xd8) return null;
  const dc: (HuffmanTable | null)[] = [null, null, null, null];
  const ac: (HuffmanTable | null)[] = [null, null, null, null];
  const prog: ProgressiveState = { nonzero: [] };
  let frame: Frame | null = null;
  let restartInterval = 0;
  /** Quantization tables defined so far: a scan's components must name defined ones (B.2.4.1). */
  const quant = [false, false, false, false];
  /** Progressive images: the Al each component's coefficients were last coded with. */
  const coefBits = new Int8Array(4 * 64).fill(-1);
  let scans = 0;
  let exif: JpegWalk['exif'] = null;
  let mpf: JpegWalk['mpf'] = null;
  const appMarkers: string[] = [];
  let mcusDecoded = 0;
  let mcusExpected = 0;
  let pos = offset + 2;
  let scanData = -1;

  const result = (status: JpegWalk['status'], end: number, stop: JpegWalk['stop']): JpegWalk | null =>
    frame === null || scans === 0
      ? null
      : { status, end, frame, scans, restartInterval, mcusDecoded, mcusExpected, exif, mpf, appMarkers, scanData, stop };

  for (let seg = 0; seg < MAX_SEGMENTS; seg++) {
    const head = reader.bytes(pos, 4);
    if (head.length < 2 || head[0] !== 0xff) return result('truncated', pos, { reason: 'bad-marker', offset: pos, detail: 'no marker where one must be' });
    // Fill bytes may precede a marker (B.1.1.2).
    let m = head[1]!;
    let at = pos;
    for (let fill = 0; m === 0xff && fill < 64; fill++) {
      at++;
      m = reader.bytes(at + 1, 1)[0] ?? -1;
    }
    if (m === 0xd9) return result('complete', at + 2, null);
    if (m < 0 || m === 0xd8 || m === 0x00 || m === 0xff || m === 0x01 || (m >= 0xd0 && m <= 0xd7)) {
      return result('truncated', pos, { reason: 'bad-marker', offset: pos, detail: `${describeMarker(m)} where a segment must start` });
    }
    const lenBytes = reader.bytes(at + 2, 2);
    if (lenBytes.length < 2) return result('truncated', pos, { reason: 'bad-segment', offset: at, detail: 'the data ends inside a segment header' });
    const len = u16be(lenBytes, 0);
    const payloadStart = at + 4;
    const next = at + 2 + len;
    if (len < 2 || next > limit || next > reader.size) {
      return result('truncated', pos, { reason: 'bad-segment', offset: at, detail: `segment FF${hex(m)} of length ${len} does not fit` });
    }
    // APPn and COM payloads are skipped by length: only an APPn's identifier is read.
    const skipped = (m >= 0xe0 && m <= 0xef) || m === 0xfe;
    const payload = reader.bytes(payloadStart, skipped ? Math.min(len - 2, 16) : len - 2);
    if (m >= 0xe0 && m <= 0xef) {
      const id = appId(payload);
      appMarkers.push(`APP${m - 0xe0}${id ? ':' + id : ''}`);
      // A segment too short for its identifier's terminator ("Exif" in 4 bytes) holds an empty payload, not a negative one.
      if (m === 0xe1 && id === 'Exif' && !exif) exif = { offset: payloadStart + 6, length: Math.max(0, len - 8) };
      if (m === 0xe2 && id === 'MPF' && !mpf) mpf = { offset: payloadStart + 4, length: Math.max(0, len - 6) };
    } else if (m === 0xc4) {
      if (!cachedDHT(payload, at, next, dc, ac, resume)) return broken(frame, scans, result, at, 'DHT');
    } else if (m === 0xdb) {
      if (!DQT(payload, quant)) return broken(frame, scans, result, at, 'DQT');
    } else if (m === 0xdd) {
      restartInterval = DRI(payload);
      if (restartInterval < 0) return broken(frame, scans, result, at, 'DRI');
    } else if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) {
      if (frame !== null) return broken(frame, scans, result, at, 'second SOF');
      // Huffman-coded frames only: lossless (C3, C7) and arithmetic (C9+) cannot be validated here.
      if (m !== 0xc0 && m !== 0xc1 && m !== 0xc2) return null;
      frame = SOF(m, payload);
      if (frame === null) return null;
    } else if (m === 0xda) {
      if (frame === null) return null;
      if (++scans > MAX_SCANS) return result('truncated', at, { reason: 'bad-segment', offset: at, detail: 'too many scans' });
      const header = SOS(payload, frame);
      if (!header) return broken(frame, scans - 1, result, at, 'SOS');
      if (header.components.some((c) => !quant[frame!.components[c.index]!.tq])) return broken(frame, scans - 1, result, at, 'SOS: a component\'s quantization table is not defined');
      if (frame.progressive && !progressionOk(coefBits, header)) return broken(frame, scans - 1, result, at, 'SOS: a refinement scan that no earlier scan prepared');
      if (scanData < 0) {
        scanData = next;
        if (onFirstScan?.({ frame, header, dc: [...dc], ac: [...ac], restartInterval, dataStart: next }) === true) return null;
      }
      let br = new BitReader(reader, next, limit);
      let seq: Parameters<typeof decodeScan>[7];
      if (resume && !frame.progressive && scans === 1) {
        const st = resumeState(resume);
        if (st.scanStart !== next) {
          st.scanStart = next;
          st.checkpoints = { every: CHECKPOINT_EVERY, limit: 0, offsets: [], bits: [], mcus: [] };
        }
        const cps = st.checkpoints;
        cps.limit = resume.stableUntil;
        let k = cps.offsets.length - 1;
        while (k >= 0 && cps.offsets[k]! + 1 > resume.stableUntil) k--;
        if (k >= 0) {
          br = new BitReader(reader, cps.offsets[k]!, limit);
          if (cps.bits[k]! > 0) br.bits(cps.bits[k]!);
        }
        // bits −1: a checkpoint just after a restart marker.
        seq = { startMcu: k >= 0 ? cps.mcus[k]! : 0, rec: cps, afterRestart: k >= 0 && cps.bits[k] === -1 };
      }
      const o = decodeScan(br, frame, header, dc, ac, restartInterval, prog, seq);
      mcusDecoded = o.mcusDecoded;
      mcusExpected = o.mcusExpected;
      if (o.stop !== 'ok') {
        if (o.mcusDecoded === 0 && scans === 1) return null;
        return result('truncated', o.validUntil, { reason: o.stop, offset: o.validUntil, detail: o.detail });
      }
      // The scan must be followed by a marker (encoders pad to the byte, nothing more).
      const extra = br.seekMarker(0);
      if (extra > 0 || br.marker < 0) {
        return result('truncated', o.validUntil, {
          reason: 'scan-ended-early',
          offset: o.validUntil,
          detail: br.marker < 0 ? 'the data ends after the last MCU' : `${extra} stray bytes after the last MCU`,
        });
      }
      pos = br.markerOffset;
      continue;
    }
    // APPn, COM, DNL and DAC are skipped by length. Anything else (JPGn, DHP, EXP,
    // reserved codes) is no marker a Huffman-coded JPEG holds: decoders stop there.
    const handled = m === 0xc4 || m === 0xdb || m === 0xdd || (m >= 0xc0 && m <= 0xcf && m !== 0xc8);
    if (!skipped && !handled && m !== 0xdc) return broken(frame, scans, result, at, `marker FF${hex(m)}`);
    pos = next;
  }
  return result('truncated', pos, { reason: 'bad-segment', offset: pos, detail: 'too many segments' });
}

/** A broken table segment: before any scan there is no image to speak of; after one, the file is cut there. */
function broken(
  frame: Frame | null,
  scans: number,
  result: (s: JpegWalk['status'], end: number, stop: JpegWalk['stop']) => JpegWalk | null,
  at: number,
  what: string,
): JpegWalk | null {
  if (frame === null || scans === 0) return null;
  return result('truncated', at, { reason: 'bad-segment', offset: at, detail: `malformed ${what}` });
}

function appId(p: Uint8Array): string {
  let s = '';
  for (let i = 0; i < Math.min(p.length, 12) && p[i] !== 0; i++) {
    const c = p[i]!;
    if (c < 0x20 || c > 0x7e) break;
    s += String.fromCharCode(c);
  }
  return s;
}

function hex(m: number): string {
  return m.toString(16).toUpperCase().padStart(2, '0');
}
