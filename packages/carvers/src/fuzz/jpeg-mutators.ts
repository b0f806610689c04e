/**
 * JPEG-aware mutators: segment lengths of 0, 1, 2, 0xFFFF and off by one;
 * markers rewritten (SOI, EOI, SOS, lossless and arithmetic SOFs, RSTn);
 * SOF with 0 or 65535 dimensions, 0 or 255 components, impossible sampling
 * factors; DHT with impossible code counts; SOS with bad selectors and
 * spectral ranges; DRI of 0, 1, 65535; markers, stuffing and restart
 * markers inside entropy-coded data; MPF entries and EXIF IFD pointers
 * pointing at themselves or past 4 GiB; markers repeated a million times.
 */
import { concat, inPlace, readUint, writeUint, type Mutant, type Mutator, type Range, type Rng } from '@rawcarve/core/fuzz';
import { appId, jpegLayout, type JpegImage, type JpegSegment } from './jpeg-layout.js';

const LAYOUTS = new WeakMap<Uint8Array, JpegImage | null>();

export function layoutOf(input: Uint8Array): JpegImage | null {
  if (!LAYOUTS.has(input)) LAYOUTS.set(input, jpegLayout(input));
  return LAYOUTS.get(input)!;
}

function segmentsOf(input: Uint8Array, pred: (s: JpegSegment) => boolean): JpegSegment[] {
  return layoutOf(input)?.segments.filter(pred) ?? [];
}

const set = (kind: string, input: Uint8Array, at: number, size: number, v: number, detail: string): Mutant | null =>
  at < 0 || at + size > input.length ? null : inPlace(kind, input, [{ start: at, end: at + size }], detail, (b) => writeUint(b, at, size, v));

export const segmentLength: Mutator = (rng, input) => {
  const segs = segmentsOf(input, () => true);
  if (segs.length === 0) return null;
  const s = rng.pick(segs);
  const len = s.end - s.start - 2;
  const v = rng.pick([0, 1, 2, 3, 0xffff, 0xfffe, len - 1, len + 1, len + 2, len * 2]) & 0xffff;
  return set('jpeg-seg-length', input, s.start + 2, 2, v, `FF${s.marker.toString(16)}@${s.start} len=${v}`);
};

const MARKERS = [0xd8, 0xd9, 0xda, 0xc4, 0xdb, 0xc0, 0xc1, 0xc2, 0xc3, 0xc9, 0xcf, 0xdd, 0xfe, 0xe1, 0xe2, 0x01, 0x00, 0xff, 0xd0, 0xdc, 0xde, 0xf0];

export const markerRewrite: Mutator = (rng, input) => {
  const segs = segmentsOf(input, () => true);
  if (segs.length === 0) return null;
  const s = rng.pick(segs);
  const m = rng.pick(MARKERS);
  if (m === s.marker) return null;
  return set('jpeg-marker', input, s.start + 1, 1, m, `FF${s.marker.toString(16)}@${s.start}->FF${m.toString(16)}`);
};

export const sofField: Mutator = (rng, input) => {
  const sofs = segmentsOf(input, (s) => s.marker >= 0xc0 && s.marker <= 0xcf && s.marker !== 0xc4 && s.marker !== 0xc8 && s.marker !== 0xcc);
  if (sofs.length === 0) return null;
  const s = rng.pick(sofs);
  const p = s.payload;
  const nf = input[p + 5] ?? 0;
  switch (rng.int(6)) {
    case 0: return set('jpeg-sof-dim', input, p + 1, 2, rng.pick([0, 1, 0xffff, readUint(input, p + 1, 2) + 1, readUint(input, p + 1, 2) + 8]), 'height');
    case 1: return set('jpeg-sof-dim', input, p + 3, 2, rng.pick([0, 1, 0xffff, readUint(input, p + 3, 2) + 1, readUint(input, p + 3, 2) + 8]), 'width');
    case 2: return set('jpeg-sof-count', input, p + 5, 1, rng.pick([0, 2, 3, 4, 5, 255]), 'components');
    case 3: return set('jpeg-sof-precision', input, p, 1, rng.pick([0, 1, 12, 16, 255]), 'precision');
    case 4: {
      if (nf === 0) return null;
      const c = rng.int(nf);
      return set('jpeg-sof-sampling', input, p + 7 + 3 * c, 1, rng.pick([0x00, 0xff, 0x44, 0x11, 0x22, 0x14, 0x41, 0x50]), `component ${c} sampling`);
    }
    default: {
      if (nf === 0) return null;
      const c = rng.int(nf);
      return rng.bool()
        ? set('jpeg-sof-tq', input, p + 8 + 3 * c, 1, rng.pick([1, 2, 3, 4, 255]), `component ${c} tq`)
        : set('jpeg-sof-id', input, p + 6 + 3 * c, 1, rng.pick([0, 1, 2, 3, 255]), `component ${c} id`);
    }
  }
};

/** DHT tables with counts no prefix code can have, or class/id out of range. */
export const dhtField: Mutator = (rng, input) => {
  const dhts = segmentsOf(input, (s) => s.marker === 0xc4);
  if (dhts.length === 0) return null;
  const s = rng.pick(dhts);
  // Tables inside the segment.
  const tables: number[] = [];
  for (let i = s.payload; i + 17 <= s.end; ) {
    tables.push(i);
    let total = 0;
    for (let k = 1; k <= 16; k++) total += input[i + k]!;
    i += 17 + total;
  }
  if (tables.length === 0) return null;
  const t = rng.pick(tables);
  switch (rng.int(4)) {
    case 0: return set('jpeg-dht-class', input, t, 1, rng.pick([0x04, 0x20, 0xf0, 0xff, 0x13]), 'Tc/Th');
    case 1: {
      const k = rng.range(1, 16);
      return set('jpeg-dht-counts', input, t + k, 1, rng.pick([0, 255, 2 ** Math.min(k, 7), input[t + k]! + 1]), `L${k}`);
    }
    case 2: return inPlace('jpeg-dht-counts', input, [{ start: t + 1, end: t + 17 }], 'all counts 255', (b) => b.fill(255, t + 1, t + 17));
    default: return inPlace('jpeg-dht-counts', input, [{ start: t + 1, end: t + 17 }], 'all counts 0', (b) => b.fill(0, t + 1, t + 17));
  }
};

export const sosField: Mutator = (rng, input) => {
  const soss = segmentsOf(input, (s) => s.marker === 0xda);
  if (soss.length === 0) return null;
  const s = rng.pick(soss);
  const p = s.payload;
  const ns = input[p] ?? 0;
  switch (rng.int(4)) {
    case 0: return set('jpeg-sos-count', input, p, 1, rng.pick([0, 1, 2, 4, 5, 255]), 'Ns');
    case 1: return ns === 0 ? null : set('jpeg-sos-tables', input, p + 2 + 2 * rng.int(ns), 1, rng.pick([0x44, 0xff, 0x01, 0x10, 0x11, 0x33]), 'Td/Ta');
    case 2: return ns === 0 ? null : set('jpeg-sos-id', input, p + 1 + 2 * rng.int(ns), 1, rng.pick([0, 1, 2, 3, 4, 255]), 'Cs');
    default: return set('jpeg-sos-spectral', input, p + 1 + 2 * ns + rng.int(3), 1, rng.pick([0, 1, 63, 64, 0xff, 0x10, 0x01]), 'Ss/Se/AhAl');
  }
};

export const driField: Mutator = (rng, input) => {
  const dris = segmentsOf(input, (s) => s.marker === 0xdd);
  if (dris.length === 0) {
    // Add one that the scan does not follow.
    const first = layoutOf(input)?.segments[0];
    if (!first) return null;
    const dri = Uint8Array.of(0xff, 0xdd, 0, 4, 0, rng.pick([1, 2, 7]));
    return { kind: 'jpeg-dri-added', bytes: concat([input.subarray(0, first.start), dri, input.subarray(first.start)]), overwritten: null, from: first.start, detail: 'DRI inserted' };
  }
  const s = rng.pick(dris);
  return set('jpeg-dri', input, s.payload, 2, rng.pick([0, 1, 2, 0xffff, readUint(input, s.payload, 2) + 1]), 'Ri');
};

export const dqtField: Mutator = (rng, input) => {
  const dqts = segmentsOf(input, (s) => s.marker === 0xdb);
  if (dqts.length === 0) return null;
  const s = rng.pick(dqts);
  return set('jpeg-dqt-pq', input, s.payload, 1, rng.pick([0x10, 0x04, 0xf0, 0x1f, 0x20]), 'Pq/Tq');
};

/** Markers, stuffing and restart markers inside the entropy-coded data. */
export const entropyMarker: Mutator = (rng, input) => {
  const scans = layoutOf(input)?.scans.filter((s) => s.dataEnd - s.dataStart >= 4) ?? [];
  if (scans.length === 0) return null;
  const scan = rng.pick(scans);
  const at = scan.dataStart + rng.int(scan.dataEnd - scan.dataStart - 1);
  const marker = Uint8Array.of(0xff, rng.pick([0xd9, 0xd0, 0xd1, 0xd7, 0xd8, 0xc4, 0xda, 0xff, 0x00, 0x01, 0xe1]));
  switch (rng.int(4)) {
    case 0: return inPlace('jpeg-entropy-marker', input, [{ start: at, end: at + 2 }], `FF${marker[1]!.toString(16)}@${at}`, (b) => b.set(marker, at));
    case 1: return { kind: 'jpeg-entropy-marker-insert', bytes: concat([input.subarray(0, at), marker, input.subarray(at)]), overwritten: null, from: at, detail: `FF${marker[1]!.toString(16)}@${at}` };
    case 2: {
      // A stuffing byte removed: FF 00 becomes FF followed by data.
      for (let i = at; i + 1 < scan.dataEnd; i++) {
        if (input[i] === 0xff && input[i + 1] === 0) return { kind: 'jpeg-unstuff', bytes: concat([input.subarray(0, i + 1), input.subarray(i + 2)]), overwritten: null, from: i + 1, detail: `@${i}` };
      }
      return null;
    }
    default: {
      // A restart marker renumbered or dropped.
      for (let i = at; i + 1 < scan.dataEnd; i++) {
        const n = input[i + 1]!;
        if (input[i] !== 0xff || n < 0xd0 || n > 0xd7) continue;
        return rng.bool()
          ? set('jpeg-rst', input, i + 1, 1, 0xd0 + ((n - 0xd0 + rng.range(1, 7)) & 7), `RST@${i}`)
          : { kind: 'jpeg-rst-drop', bytes: concat([input.subarray(0, i), input.subarray(i + 2)]), overwritten: null, from: i, detail: `RST@${i}` };
      }
      return null;
    }
  }
};

/** Bit flips confined to entropy-coded data (the decoder's job). */
export const entropyFlip: Mutator = (rng, input) => {
  const scans = layoutOf(input)?.scans.filter((s) => s.dataEnd > s.dataStart) ?? [];
  if (scans.length === 0) return null;
  const scan = rng.pick(scans);
  const at = scan.dataStart + rng.int(scan.dataEnd - scan.dataStart);
  const bit = rng.int(8);
  return inPlace('jpeg-entropy-bitflip', input, [{ start: at, end: at + 1 }], `${at}.${bit}`, (b) => {
    b[at]! ^= 1 << bit;
  });
};

/** SOI, EOI or a whole segment dropped, or SOI/EOI doubled. */
export const structure: Mutator = (rng, input) => {
  const lay = layoutOf(input);
  if (!lay) return null;
  switch (rng.int(4)) {
    case 0: return { kind: 'jpeg-no-eoi', bytes: concat([input.subarray(0, lay.end - 2), input.subarray(lay.end)]), overwritten: null, from: lay.end - 2, detail: 'EOI removed' };
    case 1: {
      const s = rng.pick(lay.segments);
      return { kind: 'jpeg-drop-segment', bytes: concat([input.subarray(0, s.start), input.subarray(s.end)]), overwritten: null, from: s.start, detail: `FF${s.marker.toString(16)}@${s.start}` };
    }
    case 2: {
      const s = rng.pick(lay.segments);
      return { kind: 'jpeg-dup-segment', bytes: concat([input.subarray(0, s.end), input.subarray(s.start, s.end), input.subarray(s.end)]), overwritten: null, from: s.end, detail: `FF${s.marker.toString(16)}@${s.start}` };
    }
    default: return { kind: 'jpeg-double-soi', bytes: concat([input.subarray(0, 2), input.subarray(0, 2), input.subarray(2)]), overwritten: null, from: 2, detail: 'SOI SOI' };
  }
};

/** MPF entries and EXIF IFD offsets pointing at themselves, past 4 GiB, or counts of 65535. */
export const tiffPointers: Mutator = (rng, input) => {
  const apps = segmentsOf(input, (s) => (s.marker === 0xe1 || s.marker === 0xe2) && ['Exif', 'MPF'].includes(appId(input, s)));
  if (apps.length === 0) return null;
  const s = rng.pick(apps);
  const tiff = s.payload + (appId(input, s) === 'Exif' ? 6 : 4);
  if (tiff + 8 > s.end) return null;
  const le = input[tiff] === 0x49;
  const u16 = (at: number): number => (le ? input[at]! | (input[at + 1]! << 8) : readUint(input, at, 2));
  const u32 = (at: number): number => (le ? (input[at]! | (input[at + 1]! << 8) | (input[at + 2]! << 16) | (input[at + 3]! << 24)) >>> 0 : readUint(input, at, 4));
  const w = (kind: string, at: number, size: number, v: number, detail: string): Mutant | null =>
    at + size > s.end ? null : inPlace(kind, input, [{ start: at, end: at + size }], detail, (b) => writeUint(b, at, size, v, le));
  const ifd = tiff + u32(tiff + 4);
  if (rng.bool(0.3) || ifd + 2 > s.end) return w('jpeg-tiff-ifd0', tiff + 4, 4, rng.pick([0, 8, 0xffffffff, 0x7fffffff, 2]), 'IFD0 offset');
  const n = u16(ifd);
  if (rng.bool(0.3) || n === 0) return w('jpeg-tiff-count', ifd, 2, rng.pick([0, 0xffff, 0x8000, n + 1]), 'entry count');
  const e = ifd + 2 + 12 * rng.int(n);
  const selfOffset = e - tiff;
  return rng.bool()
    ? w('jpeg-tiff-entry', e + 4, 4, rng.pick([0xffffffff, 0x10000000, 0, 1]), 'entry count field')
    : w('jpeg-tiff-entry', e + 8, 4, rng.pick([0xffffffff, selfOffset, ifd - tiff, 0, u32(e + 8) + 1]), 'entry value/offset');
};

export const JPEG_MUTATORS: readonly (readonly [number, Mutator])[] = [
  [6, segmentLength],
  [4, markerRewrite],
  [5, sofField],
  [4, dhtField],
  [4, sosField],
  [2, driField],
  [1, dqtField],
  [6, entropyMarker],
  [10, entropyFlip],
  [3, structure],
  [4, tiffPointers],
];

/** Hostile JPEGs made from scratch or from an original: markers repeated a million times. */
export function markerFlood(rng: Rng, input: Uint8Array | null): Mutant {
  const kind = rng.int(5);
  const soi = Uint8Array.of(0xff, 0xd8);
  const rest = input ? input.subarray(2) : new Uint8Array(0);
  const range: Range = { start: 2, end: 2 };
  const flood = (unit: number[], times: number): Uint8Array => {
    const b = new Uint8Array(unit.length * times);
    for (let i = 0; i < b.length; i += unit.length) b.set(unit, i);
    return b;
  };
  switch (kind) {
    case 0: // 2 MB of empty APP1 segments: FF E1 00 02 ×500 000
      return { kind: 'jpeg-flood-app1', bytes: concat([soi, flood([0xff, 0xe1, 0x00, 0x02], 500_000), rest]), overwritten: null, from: range.start, detail: '500000 × FFE1 0002' };
    case 1: // a million fill bytes before the first marker
      return { kind: 'jpeg-flood-fill', bytes: concat([soi, new Uint8Array(1_000_000).fill(0xff), rest]), overwritten: null, from: 2, detail: '1e6 × FF' };
    case 2: { // a million restart markers in place of entropy data
      const lay = input ? layoutOf(input) : null;
      const scan = lay?.scans[0];
      if (!input || !scan) return { kind: 'jpeg-flood-rst', bytes: concat([soi, flood([0xff, 0xd0], 1_000_000)]), overwritten: null, from: 2, detail: 'SOI + 1e6 RST0' };
      const rsts = new Uint8Array(2_000_000);
      for (let i = 0; i < rsts.length; i += 2) {
        rsts[i] = 0xff;
        rsts[i + 1] = 0xd0 + ((i >> 1) & 7);
      }
      return { kind: 'jpeg-flood-rst', bytes: concat([input.subarray(0, scan.dataStart), rsts, input.subarray(scan.dataEnd)]), overwritten: null, from: scan.dataStart, detail: '1e6 RSTn in the scan' };
    }
    case 3: { // the first DHT repeated 100 000 times
      const dht = input ? segmentsOf(input, (s) => s.marker === 0xc4)[0] : undefined;
      if (!input || !dht) return { kind: 'jpeg-flood-com', bytes: concat([soi, flood([0xff, 0xfe, 0x00, 0x02], 500_000)]), overwritten: null, from: 2, detail: '500000 × COM' };
      const seg = Array.from(input.subarray(dht.start, dht.end));
      return { kind: 'jpeg-flood-dht', bytes: concat([input.subarray(0, dht.end), flood(seg, Math.min(100_000, Math.floor(4_000_000 / seg.length))), input.subarray(dht.end)]), overwritten: null, from: dht.end, detail: 'DHT repeated' };
    }
    default: // SOI SOI SOI ...
      return { kind: 'jpeg-flood-soi', bytes: concat([flood([0xff, 0xd8], 1_000_000), rest]), overwritten: null, from: 2, detail: '1e6 × SOI' };
  }
}
