/**
 * The hot loop of JPEG validation: Huffman-decodes the blocks of a
 * sequential (baseline/extended) scan with the bit state held in local
 * variables, so V8 keeps it in registers. Plain data bytes are loaded here;
 * FF bytes (stuffing, markers), window ends and the end of data go through
 * BitReader.fill, which owns those rules. Only code lengths and magnitude
 * sizes matter for validation, so coefficient values are never built.
 */
import type { BitReader } from './bitreader.js';
import { FAST_BITS, LOOKAHEAD, type HuffmanTable } from './huffman.js';

const FAST_MASK = (1 << FAST_BITS) - 1;
const LOOKAHEAD_MASK = (1 << LOOKAHEAD) - 1;

export type SequentialStop = 'ok' | 'bad-huffman-code' | 'coefficient-overflow' | 'scan-ended-early';

export interface SequentialRun {
  /** MCUs decoded whole (and within the real data). */
  mcus: number;
  stop: SequentialStop;
}

/**
 * Decoder checkpoints for fragment reassembly: every `every` MCUs, where the
 * next bit lies (raw byte offset and bits already used of that byte, or −1
 * for the byte after a restart marker) and how many MCUs are done. Only positions below `limit` are kept (bytes that will
 * be the same in the next trial).
 */
export interface Checkpoints {
  readonly every: number;
  limit: number;
  readonly offsets: number[];
  readonly bits: number[];
  readonly mcus: number[];
}

/**
 * Decodes up to `count` MCUs; `dcs[b]`/`acs[b]` are the tables of the b-th
 * block of an MCU. Stops at the first bad code or coefficient overflow, or
 * after the MCU that used bits past the end of the data (BitReader.overrun).
 */
export function decodeSequentialMcus(
  br: BitReader,
  dcs: readonly HuffmanTable[],
  acs: readonly HuffmanTable[],
  count: number,
  out: SequentialRun,
  /** Checkpoints to record, with the absolute MCU index of this run's first MCU. */
  rec: Checkpoints | null = null,
  mcuBase = 0,
): void {
  let data = br.chunk;
  let i = br.off - br.chunkBase;
  let acc = br.acc;
  let n = br.n;
  let fake = br.fake;
  const blocks = dcs.length;
  let stop: SequentialStop = 'ok';
  let mcu = 0;

  mcus: for (; mcu < count; mcu++) {
    for (let b = 0; b < blocks; b++) {
      let t = dcs[b]!;
      let k = 0; // coefficient index: 0 is DC, 1..63 AC
      while (k < 64) {
        if (n < 16) {
          // Plain bytes straight from the window; anything else via fill().
          if (br.marker === -1) {
            while (n <= 24 && i < data.length) {
              const x = data[i]!;
              if (x === 0xff) break;
              acc = (acc << 8) | x;
              n += 8;
              i++;
            }
          }
          if (n < 16) {
            br.off = br.chunkBase + i;
            br.acc = acc & 0xffffff;
            br.n = n;
            br.fill();
            data = br.chunk;
            i = br.off - br.chunkBase;
            acc = br.acc;
            n = br.n;
            fake = br.fake;
          }
        }
        let sym: number;
        const e = t.fast[(acc >>> (n - FAST_BITS)) & FAST_MASK]!;
        if (e !== 0) {
          n -= e >> 8; // code and magnitude bits together
          sym = e & 0xff;
        } else {
          // Long code or long magnitude: canonical search (T.81 F.16).
          const le = t.lookup[(acc >>> (n - LOOKAHEAD)) & LOOKAHEAD_MASK]!;
          if (le !== 0) {
            n -= le >> 8;
            sym = le & 0xff;
          } else {
            const code16 = (acc >>> (n - 16)) & 0xffff;
            let len = LOOKAHEAD + 1;
            while (len <= 16 && code16 >>> (16 - len) > t.maxcode[len]!) len++;
            if (len > 16) {
              stop = 'bad-huffman-code';
              break mcus;
            }
            n -= len;
            sym = t.values[(code16 >>> (16 - len)) + t.valoffset[len]!]!;
          }
          const extra = k === 0 ? sym : sym & 15;
          if (extra > 16) {
            stop = 'bad-huffman-code';
            break mcus;
          }
          if (n < extra) {
            br.off = br.chunkBase + i;
            br.acc = acc & ((1 << n) - 1);
            br.n = n;
            br.fill();
            data = br.chunk;
            i = br.off - br.chunkBase;
            acc = br.acc;
            n = br.n;
            fake = br.fake;
          }
          n -= extra;
        }
        if (k === 0) {
          t = acs[b]!;
          k = 1;
          continue;
        }
        const r = sym >> 4;
        if ((sym & 15) === 0) {
          if (r !== 15) break; // EOB
          k += 16; // ZRL
          if (k > 64) {
            stop = 'coefficient-overflow';
            break mcus;
          }
          continue;
        }
        k += r;
        if (k > 63) {
          stop = 'coefficient-overflow';
          break mcus;
        }
        k++;
      }
    }
    if (n < fake) {
      // This MCU used zero bits fed after the data ended.
      stop = 'scan-ended-early';
      break;
    }
    if (rec !== null && (mcuBase + mcu + 1) % rec.every === 0 && fake === 0 && br.marker === -1) {
      // The unused n bits are the last ceil(n/8) data bytes loaded; walk back over them (FF 00 is one data byte).
      let j = i;
      for (let k = (n + 7) >> 3; k > 0 && j > 0; k--) j -= j >= 2 && data[j - 1] === 0 && data[j - 2] === 0xff ? 2 : 1;
      const at = br.chunkBase + j;
      if (j > 0 && at + 1 <= rec.limit && at > (rec.offsets[rec.offsets.length - 1] ?? -1)) {
        rec.offsets.push(at);
        rec.bits.push((8 - (n & 7)) & 7);
        rec.mcus.push(mcuBase + mcu + 1);
      }
    }
  }
  br.off = br.chunkBase + i;
  br.acc = n >= 24 ? acc : acc & ((1 << n) - 1);
  br.n = n;
  if (n < fake) br.overrun = true;
  out.mcus = mcu;
  out.stop = stop;
}
