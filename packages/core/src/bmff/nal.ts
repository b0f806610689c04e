/**
 * Length-prefixed NAL units (ISO/IEC 14496-15: the sample format of avc1/
 * hvc1 tracks and HEIF hvc1 items). A sample is valid when its NAL units
 * tile it exactly and every NAL header is one the codec defines. Only the
 * length fields and the 1–2 header bytes are read, so checking a video costs
 * a few reads per frame, not its size.
 */
import type { Reader } from '../reader/reader.js';

/** Which NAL header format to check: H.264/AVC (1 byte) or H.265/HEVC (2 bytes). */
export type NalCodec = 'avc' | 'hevc';

/** The result of {@link checkNalUnits}. */
export interface NalCheck {
  /** The NAL units tile the extents exactly and every header is valid. */
  ok: boolean;
  /** NAL units read. */
  nals: number;
  /** NAL units carrying picture data (AVC 1–5, HEVC 0–31). */
  vcl: number;
  /** Image offset of the first length field that failed, when !ok. */
  badAt?: number;
  /** Image offset just past the last NAL header that was read and found valid. */
  verifiedUntil: number;
  /** What broke the chain, naming an image offset, when !ok. */
  problem?: string;
}

/** A piece of a sample or item in the image. */
export interface Extent {
  /** Image offset of the piece's first byte. */
  readonly offset: number;
  /** Bytes in the piece. */
  readonly length: number;
}

/** Options of {@link checkNalUnits}. */
export interface NalCheckOptions {
  /**
   * Also read every payload byte and reject start-code emulation (see
   * {@link findStartCodeEmulation}): catches zeroed sectors inside pictures,
   * which lengths and headers alone let through. Costs one read of the bytes.
   */
  readonly payload?: boolean;
}

/** NAL units checked per call at most: enough for any real frame or item. */
const MAX_NALS = 4096;

function avcTypeOk(t: number): boolean {
  return (t >= 1 && t <= 15) || (t >= 19 && t <= 21);
}
function hevcTypeOk(t: number): boolean {
  // VCL 0–9 and 16–21; parameter sets, AUD, EOS, EOB, FD, SEI 32–40; unspecified 48–63 (Dolby Vision RPU uses 62).
  return t <= 9 || (t >= 16 && t <= 21) || (t >= 32 && t <= 40) || t >= 48;
}

/**
 * Walks the NAL units of one sample or item stored in `extents` (in order),
 * each preceded by a big-endian length of `lengthSize` bytes (1, 2 or 4).
 */
export function checkNalUnits(reader: Reader, extents: readonly Extent[], lengthSize: number, codec: NalCodec, options: NalCheckOptions = {}): NalCheck {
  const total = extents.reduce((n, e) => n + e.length, 0);
  const headerBytes = codec === 'hevc' ? 2 : 1;
  let pos = 0; // logical position inside the sample
  let nals = 0;
  let vcl = 0;
  const need = lengthSize + headerBytes;
  const head = new Uint8Array(need);
  let verified = 0; // logical position past the last good NAL header
  const fail = (problem: string): NalCheck => ({ ok: false, nals, vcl, badAt: imageOffset(extents, pos), problem, verifiedUntil: imageOffset(extents, verified) });
  if (lengthSize !== 1 && lengthSize !== 2 && lengthSize !== 4) return fail(`NAL length size ${lengthSize} is not 1, 2 or 4`);
  while (pos < total) {
    if (nals >= MAX_NALS) return fail(`more than ${MAX_NALS} NAL units`);
    if (total - pos < need) return fail('sample ends inside a NAL length field');
    if (!gather(reader, extents, pos, head)) return fail('sample lies outside the image');
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + head[i]!;
    if (len < headerBytes) return fail(`NAL unit of ${len} bytes`);
    if (pos + lengthSize + len > total) return fail(`NAL unit of ${len} bytes runs past the sample end`);
    const h0 = head[lengthSize]!;
    if (h0 & 0x80) return fail('forbidden_zero_bit set in a NAL header');
    if (codec === 'avc') {
      const t = h0 & 0x1f;
      if (!avcTypeOk(t)) return fail(`H.264 NAL type ${t} is reserved`);
      if (t >= 1 && t <= 5) vcl++;
    } else {
      const t = (h0 >> 1) & 0x3f;
      const tid = head[lengthSize + 1]! & 7;
      if (!hevcTypeOk(t)) return fail(`HEVC NAL type ${t} is reserved`);
      if (tid === 0) return fail('HEVC nuh_temporal_id_plus1 is 0');
      if (t < 32) vcl++;
    }
    if (options.payload) {
      const bad = payloadEmulation(reader, extents, pos + lengthSize, len);
      if (bad >= 0) {
        pos = bad;
        return fail('the bytes 00 00 0x (x < 3), which a NAL unit never holds, inside a NAL unit: zeroed or foreign data');
      }
    }
    nals++;
    verified = pos + need;
    pos += lengthSize + len;
  }
  return { ok: true, nals, vcl, verifiedUntil: imageOffset(extents, verified) };
}

/** Bytes read at a time when scanning payloads. */
const PAYLOAD_CHUNK = 1024 * 1024;

/**
 * Logical position of the first start-code emulation in the NAL unit at
 * logical `from` (length `len`) of the extents, or -1. Reads in chunks that
 * overlap by two bytes, so a sequence across chunks or extents is seen.
 */
function payloadEmulation(reader: Reader, extents: readonly Extent[], from: number, len: number): number {
  const buf = new Uint8Array(Math.min(len, PAYLOAD_CHUNK));
  for (let done = 0; done < len; ) {
    const n = Math.min(buf.length, len - done);
    const view = n === buf.length ? buf : buf.subarray(0, n);
    if (!gather(reader, extents, from + done, view)) return from + done;
    const at = findStartCodeEmulation(view, done + n === len);
    if (at >= 0) return from + done + at;
    if (done + n === len) break;
    done += n - 2;
  }
  return -1;
}

/**
 * Index of the first forbidden three-byte sequence in NAL unit bytes, or -1.
 * H.264 7.4.1 and H.265 7.4.2: 00 00 00, 00 00 01 and 00 00 02 never occur
 * inside a NAL unit (encoders insert 03 to prevent them). Random data holds
 * them about once in 5 MB; a zeroed sector always. A short run of zeros that
 * ends the unit (`isEnd`, at most {@link MAX_TRAILING_ZEROS} bytes) is
 * accepted: some muxers count the byte stream's trailing_zero_8bits into the
 * NAL unit (ffmpeg strips them for that reason). A longer run is a zeroed tail.
 */
export function findStartCodeEmulation(bytes: Uint8Array, isEnd: boolean): number {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.length);
  for (let i = buf.indexOf(ZERO_PAIR); i >= 0 && i + 2 < buf.length; i = buf.indexOf(ZERO_PAIR, i + 1)) {
    if (buf[i + 2]! > 2) continue;
    if (isEnd && buf.length - i <= MAX_TRAILING_ZEROS && trailingZerosFrom(buf, i)) return -1;
    return i;
  }
  return -1;
}

const ZERO_PAIR = Buffer.from([0, 0]);
/** Longest run of zeros accepted at the end of a NAL unit (trailing_zero_8bits a muxer kept). */
export const MAX_TRAILING_ZEROS = 32;

function trailingZerosFrom(buf: Uint8Array, i: number): boolean {
  for (let k = i; k < buf.length; k++) if (buf[k] !== 0) return false;
  return true;
}

/** Copies into `out` the bytes at logical position `pos` of the extents; false if the image ends first. */
function gather(reader: Reader, extents: readonly Extent[], pos: number, out: Uint8Array): boolean {
  let filled = 0;
  let base = 0;
  for (const e of extents) {
    if (filled === out.length) break;
    const from = pos + filled;
    if (from < base + e.length) {
      const inExtent = from - base;
      const want = Math.min(out.length - filled, e.length - inExtent);
      const b = reader.bytes(e.offset + inExtent, want);
      if (b.length < want) return false;
      out.set(b, filled);
      filled += want;
    }
    base += e.length;
  }
  return filled === out.length;
}

function imageOffset(extents: readonly Extent[], pos: number): number {
  let base = 0;
  for (const e of extents) {
    if (pos < base + e.length) return e.offset + (pos - base);
    base += e.length;
  }
  const last = extents[extents.length - 1];
  return last ? last.offset + last.length : 0;
}
