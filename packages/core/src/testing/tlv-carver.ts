/**
 * A toy carver for the engine's own tests (and a minimal example of the API):
 * files are "RCTLV1" + u32be payload length + payload + "END!".
 */
import { contiguous, type Carver, type CarveResult } from '../carver.js';
import { u32be, type Reader } from '../reader/reader.js';

/** "RCTLV1": the toy format's signature. */
export const TLV_MAGIC = [0x52, 0x43, 0x54, 0x4c, 0x56, 0x31]; // "RCTLV1"
const TRAILER = [0x45, 0x4e, 0x44, 0x21]; // "END!"
const HEADER = 10;

/** The toy carver: complete when the trailer follows the payload its length field announces, else truncated. */
export const tlvCarver: Carver = {
  name: 'tlv',
  version: '1.0.0',
  description: 'test format: magic, length, payload, trailer',
  extensions: ['tlv'],
  signatures: [{ bytes: TLV_MAGIC, description: 'RCTLV1' }],
  maxFileSize: 64 * 1024 * 1024,
  carve(reader: Reader, offset: number, ctx): CarveResult | null {
    const head = reader.bytes(offset, HEADER);
    if (head.length < HEADER) return null;
    const payload = u32be(head, 6);
    const total = HEADER + payload + TRAILER.length;
    if (total > ctx.maxFileSize) return null; // a lying length field is not a file
    const tail = reader.bytes(offset + HEADER + payload, TRAILER.length);
    if (tail.length === TRAILER.length && TRAILER.every((b, i) => tail[i] === b)) {
      return { status: 'complete', byteRuns: contiguous(offset, total), notes: [], metadata: { payload } };
    }
    const available = Math.min(total, reader.size - offset);
    return {
      status: 'truncated',
      byteRuns: contiguous(offset, available),
      notes: [`no trailer at image offset ${offset + HEADER + payload}`],
      validFraction: 0,
    };
  },
};

/** Builds a valid TLV file around `payload`. */
export function makeTlv(payload: Uint8Array): Uint8Array {
  const out = new Uint8Array(HEADER + payload.length + TRAILER.length);
  out.set(TLV_MAGIC, 0);
  new DataView(out.buffer).setUint32(6, payload.length);
  out.set(payload, HEADER);
  out.set(TRAILER, HEADER + payload.length);
  return out;
}

export default tlvCarver;
