/**
 * Where a format does not check its bytes: per-format "unchecked ranges" of
 * a known-good original, computed from an independent parse of it. A
 * mutation that only overwrote bytes in these ranges may legitimately come
 * back `complete`; any other mutation must not, unless an independent
 * decoder says the result is still a valid file (see oracle.ts).
 *
 * What counts as unchecked, exactly (it mirrors what the carvers validate):
 *
 * JPEG — APPn payloads (EXIF, ICC, XMP, maker notes, vendor data), COM
 *   payloads, other segments skipped by length (DNL, DAC), the 64/128
 *   values of each DQT table (the validator decodes Huffman codes, it does
 *   no IDCT, so quantisation values cannot be wrong). Exception: when the
 *   file continues past the primary image's EOI (MPF images, maker-note
 *   previews, Samsung trailers), the APP1 Exif and APP2 MPF payloads say
 *   where that tail is and are checked.
 * HEIC — ftyp minor version and compatible brands; payloads of free/skip/
 *   wide/uuid boxes; hdlr fields other than handler_type; infe flags,
 *   item_protection_index and item_name; property payloads in ipco (colr,
 *   ispe, pixi, irot, ...) except hvcC's configurationVersion and
 *   lengthSizeMinusOne; other meta children's payloads (dinf, grpl, ...);
 *   item data except what is checked (hvc1: every NAL length field — the
 *   NAL headers are checked for validity, but one turned into another valid
 *   header is undetectable without decoding; grid: all of it; Exif: the offset and TIFF header; jpeg: SOI;
 *   av01: every OBU header and size; avc1: every NAL length field); mdat
 *   bytes no item uses.
 * MOV/MP4 — payloads of top-level boxes other than ftyp, moov, moof and
 *   mdat; in moov: mvhd, tkhd (but version and track_ID), mdhd, hdlr (but
 *   handler_type), media headers, dinf, edts, udta, meta, stts, ctts, sdtp,
 *   sgpd, sbgp, cslg, stps, subs, saiz, saio, mehd, mfhd, tfdt payloads (and
 *   type: renamed, such an optional box is just dropped); stss entries;
 *   sample entries' fields and child boxes except avcC/hvcC's version and
 *   NAL length size; audio and other non-video sample entries; mdat bytes
 *   other than the NAL length fields of every sample of an H.264/HEVC track
 *   (NAL headers as for HEIC; MJPEG: SOI; H.263: the picture start code);
 *   the entries (not the counts) of stsz, stsc and stco/co64 of tracks whose
 *   samples have no content check (audio, timed metadata): they are checked
 *   only for placing every sample inside an mdat payload (and their stsz
 *   sample_size); the size of the last sample of each chunk of an H.263
 *   track (its end is proven by no next start code; MJPEG frames end with
 *   an EOI that is checked).
 */
import { allBoxes, boxTree, payloadOf, readUint, type BoxNode, type Range } from '@rawcarve/core/fuzz';
import { appId, jpegLayout } from './jpeg-layout.js';

export type Format = 'jpeg' | 'heic' | 'mov';

export interface Regions {
  /** Sorted, disjoint ranges of the original that the format does not check. */
  readonly unchecked: readonly Range[];
  /**
   * Offsets where a shorter file would end just as validly: the end of each
   * top-level box (ISO BMFF: a movie's fragments, an HEIF trailer) or of each
   * image (JPEG: the primary image, MPF images).
   */
  readonly boundaries: ReadonlySet<number>;
  /** What structure holds an offset (for the report). */
  labelAt(pos: number): string;
}

/** Sorted, merged copy. */
export function normalize(ranges: readonly Range[]): Range[] {
  const s = ranges.filter((r) => r.end > r.start).sort((a, b) => a.start - b.start);
  const out: Range[] = [];
  for (const r of s) {
    const last = out[out.length - 1];
    if (last && r.start <= last.end) out[out.length - 1] = { start: last.start, end: Math.max(last.end, r.end) };
    else out.push(r);
  }
  return out;
}

/** `a` minus `b` (both normalized). */
export function subtract(a: readonly Range[], b: readonly Range[]): Range[] {
  const out: Range[] = [];
  let j = 0;
  for (const r of a) {
    let start = r.start;
    while (j < b.length && b[j]!.end <= start) j++;
    let k = j;
    while (k < b.length && b[k]!.start < r.end) {
      if (b[k]!.start > start) out.push({ start, end: b[k]!.start });
      start = Math.max(start, b[k]!.end);
      k++;
    }
    if (start < r.end) out.push({ start, end: r.end });
  }
  return out;
}

/** Is [start, end) inside one of the sorted disjoint ranges? */
export function covered(ranges: readonly Range[], r: Range): boolean {
  let lo = 0;
  let hi = ranges.length - 1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    const x = ranges[mid]!;
    if (x.end <= r.start) lo = mid + 1;
    else if (x.start > r.start) hi = mid - 1;
    else return r.end <= x.end;
  }
  return false;
}

export function regionsOf(format: Format, file: Uint8Array, length: number): Regions {
  if (format === 'jpeg') return jpegRegions(file, length);
  return bmffRegions(format, file.subarray(0, length));
}

const JPEG_NAMES: Record<number, string> = { 0xc4: 'dht', 0xdb: 'dqt', 0xdd: 'dri', 0xda: 'sos', 0xfe: 'com' };

function jpegName(m: number): string {
  if (m >= 0xe0 && m <= 0xef) return `app${m - 0xe0}`;
  if (m >= 0xc0 && m <= 0xcf && m !== 0xc4 && m !== 0xc8 && m !== 0xcc) return 'sof';
  return JPEG_NAMES[m] ?? `ff${m.toString(16)}`;
}

function jpegRegions(file: Uint8Array, length: number): Regions {
  const lay = jpegLayout(file);
  if (!lay) return { unchecked: [], boundaries: new Set(), labelAt: () => 'unparsed' };
  const boundaries = new Set<number>([lay.end]);
  for (let at = lay.end; at < length; ) {
    let next = -1;
    for (let i = at; i + 2 < length; i++) {
      if (file[i] === 0xff && file[i + 1] === 0xd8 && file[i + 2] === 0xff) {
        next = i;
        break;
      }
    }
    const inner = next >= 0 ? jpegLayout(file.subarray(0, length), next) : null;
    if (!inner) break;
    boundaries.add(inner.end);
    at = inner.end;
  }
  const tail = length > lay.end;
  const un: Range[] = [];
  for (const s of lay.segments) {
    const m = s.marker;
    const id = m === 0xe1 || m === 0xe2 ? appId(file, s) : '';
    if ((m >= 0xe0 && m <= 0xef) || m === 0xfe || m === 0xdc || m === 0xcc) {
      if (tail && ((m === 0xe1 && id === 'Exif') || (m === 0xe2 && id === 'MPF'))) continue;
      un.push({ start: s.payload, end: s.end });
    } else if (m === 0xdb) {
      for (let i = s.payload; i < s.end; ) {
        const n = file[i]! >> 4 === 0 ? 64 : 128;
        un.push({ start: i + 1, end: Math.min(s.end, i + 1 + n) });
        i += 1 + n;
      }
    }
  }
  const labels = [...lay.segments.map((s) => ({ start: s.start, end: s.end, label: jpegName(s.marker) })), ...lay.scans.map((s) => ({ start: s.dataStart, end: s.dataEnd, label: 'entropy' }))].sort((a, b) => a.start - b.start);
  return {
    unchecked: normalize(un),
    boundaries,
    labelAt(pos) {
      if (pos < 2) return 'soi';
      if (pos >= length) return 'outside';
      if (pos >= lay.end) return 'after-eoi';
      for (const l of labels) if (pos >= l.start && pos < l.end) return l.label;
      return pos >= lay.end - 2 ? 'eoi' : 'marker';
    },
  };
}

/** Box payloads the carvers never look into (see the header comment). */
const MOV_OPAQUE = new Set(['mdhd', 'vmhd', 'smhd', 'gmhd', 'hmhd', 'nmhd', 'sthd', 'dinf', 'edts', 'udta', 'meta', 'stts', 'ctts', 'sdtp', 'sgpd', 'sbgp', 'cslg', 'stps', 'subs', 'saiz', 'saio', 'mehd', 'mfhd', 'tfdt', 'tref', 'iods', 'load', 'senc', 'pssh', 'uuid', 'free', 'skip', 'wide', 'junk', 'pnot', 'sefd', 'sidx', 'ssix', 'prft', 'emsg', 'styp', 'pdin', 'mfra', 'tapt', 'clip', 'matt', 'kmat', 'ctab', 'cslg', 'elst', 'gmin', 'text', 'tmcd', 'tcmi', 'chan', 'sv3d', 'st3d']);
const HEIC_OPAQUE_TOP = new Set(['free', 'skip', 'wide', 'uuid', 'sefd', 'mpvd', 'moov']);
const NAL_ENTRIES: Record<string, 'avc' | 'hevc'> = { avc1: 'avc', avc2: 'avc', avc3: 'avc', avc4: 'avc', hvc1: 'hevc', hev1: 'hevc', dvh1: 'hevc', dvhe: 'hevc' };
/** NAL units walked at most when computing the checked bytes of a movie (beyond: the samples count as checked). */
const MAX_NALS = 3_000_000;

const child = (n: BoxNode, type: string): BoxNode | undefined => n.children.find((c) => c.type === type);
const kids = (n: BoxNode, type: string): BoxNode[] => n.children.filter((c) => c.type === type);

/** NAL length fields and headers of one sample/item: checked bytes, or null when the chain does not parse. */
function nalHoles(b: Uint8Array, extents: readonly Range[], lengthSize: number, codec: 'avc' | 'hevc', out: Range[], budget: { n: number }): boolean {
  // Logical walk over the extents.
  const total = extents.reduce((n, e) => n + e.end - e.start, 0);
  const at = (pos: number): number => {
    let base = 0;
    for (const e of extents) {
      if (pos < base + e.end - e.start) return e.start + pos - base;
      base += e.end - e.start;
    }
    return -1;
  };
  const head = lengthSize + (codec === 'hevc' ? 2 : 1);
  let pos = 0;
  while (pos < total) {
    if (budget.n-- <= 0) return false;
    if (total - pos < head) return false;
    let len = 0;
    for (let i = 0; i < lengthSize; i++) len = len * 256 + b[at(pos + i)]!;
    // Only the length field: a NAL header changed into another valid one is undetectable without decoding.
    const x = at(pos);
    if (at(pos + lengthSize - 1) === x + lengthSize - 1) out.push({ start: x, end: x + lengthSize });
    else for (let i = 0; i < lengthSize; i++) out.push({ start: at(pos + i), end: at(pos + i) + 1 });
    pos += lengthSize + len;
  }
  return pos === total;
}

function bmffRegions(format: 'heic' | 'mov', b: Uint8Array): Regions {
  const tree = boxTree(b);
  const all = allBoxes(tree);
  const un: Range[] = [];
  const holes: Range[] = [];
  const pay = (n: BoxNode): Range => ({ start: payloadOf(n), end: n.end });
  if (format === 'heic') heicRegions(b, tree, all, un, holes, pay);
  else movRegions(b, tree, all, un, holes, pay);
  const unchecked = subtract(normalize(un), normalize(holes));
  return {
    unchecked,
    boundaries: new Set(tree.map((n) => n.end)),
    labelAt(pos) {
      if (pos >= b.length) return 'outside';
      let path = '';
      let list: readonly BoxNode[] = tree;
      for (;;) {
        const n = list.find((x) => pos >= x.start && pos < x.end);
        if (!n) return path || 'unparsed';
        path = n.type;
        if (pos < payloadOf(n)) return `${n.type}-header`;
        if (n.children.length === 0) return n.type === 'mdat' || n.type === 'idat' ? `${n.type}-${covered(unchecked, { start: pos, end: pos + 1 }) ? 'payload' : 'structure'}` : n.type;
        list = n.children;
      }
    },
  };
}

function heicRegions(b: Uint8Array, tree: BoxNode[], all: BoxNode[], un: Range[], holes: Range[], pay: (n: BoxNode) => Range): void {
  const ftyp = tree.find((n) => n.type === 'ftyp');
  if (ftyp) un.push({ start: ftyp.start + 12, end: ftyp.end });
  for (const n of tree) if (HEIC_OPAQUE_TOP.has(n.type) || n.type === 'mdat') un.push(pay(n));
  const meta = tree.find((n) => n.type === 'meta');
  if (!meta) return;
  for (const c of meta.children) {
    const p = payloadOf(c);
    switch (c.type) {
      case 'hdlr': un.push({ start: p, end: p + 8 }, { start: p + 12, end: c.end }); break;
      case 'pitm': case 'iloc': case 'iref': break;
      case 'iinf':
        un.push({ start: p + 1, end: p + 4 });
        for (const e of kids(c, 'infe')) {
          const q = payloadOf(e);
          const v = b[q]!;
          const idEnd = q + 4 + (v === 2 ? 2 : 4);
          un.push({ start: q + 1, end: q + 4 }, { start: idEnd, end: idEnd + 2 }, { start: idEnd + 6, end: e.end });
        }
        break;
      case 'iprp': {
        const ipco = child(c, 'ipco');
        for (const prop of ipco?.children ?? []) {
          un.push(pay(prop));
          if (prop.type === 'hvcC') holes.push({ start: payloadOf(prop), end: payloadOf(prop) + 1 }, { start: payloadOf(prop) + 21, end: payloadOf(prop) + 22 });
        }
        break;
      }
      default: un.push(pay(c)); // idat (items add their checked bytes below), dinf, grpl, ...
    }
  }
  // Items: types, locations, hvcC length sizes.
  const types = new Map<number, string>();
  const iinf = child(meta, 'iinf');
  for (const e of iinf ? kids(iinf, 'infe') : []) {
    const q = payloadOf(e);
    const v = b[q]!;
    if (v < 2) continue;
    const id = v === 2 ? readUint(b, q + 4, 2) : readUint(b, q + 4, 4);
    const t = q + 4 + (v === 2 ? 2 : 4) + 2;
    types.set(id, String.fromCharCode(b[t]!, b[t + 1]!, b[t + 2]!, b[t + 3]!));
  }
  const lengthSizeOf = propertyLengthSizes(b, meta);
  const idat = child(meta, 'idat');
  const iloc = child(meta, 'iloc');
  if (!iloc) return;
  const budget = { n: MAX_NALS };
  for (const loc of parseIloc(b, iloc)) {
    const type = types.get(loc.id);
    const base = loc.method === 0 ? 0 : loc.method === 1 && idat ? payloadOf(idat) : -1;
    if (base < 0 || loc.dri !== 0) continue;
    const ext: Range[] = loc.extents.map((e) => ({ start: base + e.offset, end: base + e.offset + (e.length === 0 && loc.method === 0 ? b.length - e.offset : e.length) }));
    if (ext.some((e) => e.end > b.length)) continue;
    const first = ext[0];
    if (!first) continue;
    if (type === 'hvc1') {
      const ls = lengthSizeOf.get(loc.id);
      if (ls === undefined || !nalHoles(b, ext, ls, 'hevc', holes, budget)) holes.push(...ext);
    } else if (type === 'grid') holes.push(...ext);
    else if (type === 'Exif') holes.push({ start: first.start, end: Math.min(first.end, first.start + 8 + readUint(b, first.start, 4)) });
    else if (type === 'jpeg') holes.push({ start: first.start, end: first.start + 2 });
    else if (type === 'av01') obuHoles(b, ext, holes);
    else if (type === 'avc1') {
      const ls = lengthSizeOf.get(loc.id);
      if (ls === undefined || !nalHoles(b, ext, ls, 'avc', holes, budget)) holes.push(...ext);
    }
  }
}

/** AV1 item data: every OBU header and size field is checked (one extent; others count as checked whole). */
function obuHoles(b: Uint8Array, ext: readonly Range[], holes: Range[]): void {
  if (ext.length !== 1) {
    holes.push(...ext);
    return;
  }
  const { start, end } = ext[0]!;
  for (let pos = start, n = 0; pos < end && n < 4096; n++) {
    const h = b[pos]!;
    let at = pos + 1 + ((h >> 2) & 1);
    if (!(h & 2)) {
      holes.push({ start: pos, end: Math.min(end, at) });
      return;
    }
    let size = 0;
    for (let i = 0; at < end && i < 8; i++) {
      const x = b[at++]!;
      size += (x & 0x7f) * 2 ** (7 * i);
      if (!(x & 0x80)) break;
    }
    holes.push({ start: pos, end: at });
    pos = at + size;
  }
}

/** item → NAL length size from its hvcC or avcC (via ipma). */
function propertyLengthSizes(b: Uint8Array, meta: BoxNode): Map<number, number> {
  const out = new Map<number, number>();
  const iprp = child(meta, 'iprp');
  const ipco = iprp ? child(iprp, 'ipco') : undefined;
  if (!iprp || !ipco) return out;
  for (const ipma of kids(iprp, 'ipma')) {
    let at = payloadOf(ipma);
    const version = b[at]!;
    const flags = readUint(b, at + 1, 3);
    const count = readUint(b, at + 4, 4);
    at += 8;
    for (let i = 0; i < count && at < ipma.end; i++) {
      const id = version < 1 ? readUint(b, at, 2) : readUint(b, at, 4);
      at += version < 1 ? 2 : 4;
      const n = b[at++]!;
      for (let k = 0; k < n; k++) {
        const index = flags & 1 ? readUint(b, at, 2) & 0x7fff : b[at]! & 0x7f;
        at += flags & 1 ? 2 : 1;
        const prop = ipco.children[index - 1];
        if (prop?.type === 'hvcC') out.set(id, (b[payloadOf(prop) + 21]! & 3) + 1);
        if (prop?.type === 'avcC') out.set(id, (b[payloadOf(prop) + 4]! & 3) + 1);
      }
    }
  }
  return out;
}

interface Loc {
  id: number;
  method: number;
  dri: number;
  extents: { offset: number; length: number }[];
}

function parseIloc(b: Uint8Array, iloc: BoxNode): Loc[] {
  let at = payloadOf(iloc);
  const version = b[at]!;
  at += 4;
  const sizes = readUint(b, at, 2);
  at += 2;
  const os = sizes >> 12;
  const ls = (sizes >> 8) & 15;
  const bs = (sizes >> 4) & 15;
  const is = version === 0 ? 0 : sizes & 15;
  const idSize = version < 2 ? 2 : 4;
  const count = readUint(b, at, idSize);
  at += idSize;
  const out: Loc[] = [];
  for (let i = 0; i < count && at < iloc.end; i++) {
    const id = readUint(b, at, idSize);
    at += idSize;
    const method = version === 0 ? 0 : readUint(b, at, 2) & 15;
    if (version > 0) at += 2;
    const dri = readUint(b, at, 2);
    at += 2;
    const base = readUint(b, at, bs);
    at += bs;
    const ec = readUint(b, at, 2);
    at += 2;
    const extents: Loc['extents'] = [];
    for (let e = 0; e < ec; e++) {
      at += is;
      const offset = base + readUint(b, at, os);
      at += os;
      const length = readUint(b, at, ls);
      at += ls;
      extents.push({ offset, length });
    }
    out.push({ id, method, dri, extents });
  }
  return out;
}

function movRegions(b: Uint8Array, tree: BoxNode[], all: BoxNode[], un: Range[], holes: Range[], pay: (n: BoxNode) => Range): void {
  for (const n of tree) if (n.type !== 'ftyp' && n.type !== 'moov' && n.type !== 'moof') un.push(pay(n));
  for (const n of all) {
    if (n.depth === 0) continue;
    const p = payloadOf(n);
    // Opaque boxes: their payload, and their type (renamed, an optional box is just dropped: timing is not checked).
    if (MOV_OPAQUE.has(n.type)) un.push(pay(n), { start: n.start + 4, end: n.start + 8 });
    // stss: which samples are sync is not checked (only that its entries fit the box).
    else if (n.type === 'stss') un.push({ start: p + 8, end: n.end });
    else if (n.type === 'mvhd') un.push({ start: p + 1, end: n.end });
    else if (n.type === 'tkhd') {
      const idAt = p + (b[p] === 1 ? 20 : 12);
      un.push({ start: p + 1, end: idAt }, { start: idAt + 4, end: n.end });
    } else if (n.type === 'hdlr') un.push({ start: p, end: p + 8 }, { start: p + 12, end: n.end });
    else if (n.parent?.type === 'stsd') {
      const codec = NAL_ENTRIES[n.type];
      const visual = codec !== undefined || ['jpeg', 'mjpa', 's263', 'h263'].includes(n.type);
      un.push(visual ? { start: p, end: Math.min(n.end, p + 78) } : pay(n));
      if (!visual) continue;
      for (const c of n.children) {
        un.push(pay(c));
        const q = payloadOf(c);
        if (c.type === 'avcC') holes.push({ start: q, end: q + 1 }, { start: q + 4, end: q + 5 });
        if (c.type === 'hvcC') holes.push({ start: q, end: q + 1 }, { start: q + 21, end: q + 22 });
      }
    }
  }
  sampleHoles(b, tree, holes, un);
}

interface TrackInfo {
  id: number;
  checks: ({ kind: 'nal'; codec: 'avc' | 'hevc'; lengthSize: number } | { kind: 'start'; bytes: number } | null)[];
  trexSize: number;
  trexSdi: number;
}

/** The checked bytes of every sample: NAL length fields and headers (H.264/HEVC), SOI (MJPEG), start code (H.263). */
function sampleHoles(b: Uint8Array, tree: BoxNode[], holes: Range[], un: Range[]): void {
  const moov = tree.find((n) => n.type === 'moov');
  if (!moov) return;
  const budget = { n: MAX_NALS };
  const tracks = new Map<number, TrackInfo>();
  const mark = (check: TrackInfo['checks'][number], start: number, size: number): void => {
    if (!check || size <= 0 || start + size > b.length) return;
    if (check.kind === 'start') {
      holes.push({ start, end: start + Math.min(size, check.bytes) });
      if (check.bytes === 2) {
        // A Motion-JPEG frame's end is checked too: EOI, then 00/FF padding.
        let i = start + size;
        while (i > start + 2 && i > start + size - 65536 && (b[i - 1] === 0 || b[i - 1] === 0xff)) i--;
        holes.push({ start: Math.max(start, i - 2), end: start + size });
      }
    } else if (!nalHoles(b, [{ start, end: start + size }], check.lengthSize, check.codec, holes, budget)) holes.push({ start, end: start + size });
  };
  for (const trak of kids(moov, 'trak')) {
    const tkhd = child(trak, 'tkhd');
    const stbl = child(child(child(trak, 'mdia') ?? trak, 'minf') ?? trak, 'stbl');
    if (!tkhd || !stbl) continue;
    const tp = payloadOf(tkhd);
    const id = readUint(b, tp + (b[tp] === 1 ? 20 : 12), 4);
    const stsd = child(stbl, 'stsd');
    const checks: TrackInfo['checks'] = (stsd?.children ?? []).map((e) => {
      const codec = NAL_ENTRIES[e.type];
      if (codec) {
        const conf = child(e, codec === 'avc' ? 'avcC' : 'hvcC');
        if (!conf) return null;
        const q = payloadOf(conf);
        return { kind: 'nal', codec, lengthSize: ((codec === 'avc' ? b[q + 4]! : b[q + 21]!) & 3) + 1 };
      }
      if (e.type === 'jpeg' || e.type === 'mjpa') return { kind: 'start', bytes: 2 };
      if (e.type === 's263' || e.type === 'h263') return { kind: 'start', bytes: 3 };
      return null;
    });
    tracks.set(id, { id, checks, trexSize: 0, trexSdi: 1 });
    const stsz = child(stbl, 'stsz');
    const stsc = child(stbl, 'stsc');
    const stco = child(stbl, 'stco') ?? child(stbl, 'co64');
    if (checks.every((c) => c === null)) {
      // Samples nothing can parse (audio, timed metadata): table values are checked for placement only.
      if (stsz) un.push({ start: payloadOf(stsz) + 4, end: payloadOf(stsz) + 8 }, { start: payloadOf(stsz) + 12, end: stsz.end });
      if (stsc) un.push({ start: payloadOf(stsc) + 8, end: stsc.end });
      if (stco) un.push({ start: payloadOf(stco) + 8, end: stco.end });
      continue;
    }
    if (!stsz || !stsc || !stco) continue;
    // H.263 samples are checked by their start code: the size of the last sample of a chunk is proven by nothing.
    const h263 = checks.some((c) => c?.kind === 'start' && c.bytes === 3) && readUint(b, payloadOf(stsz) + 4, 4) === 0;
    const zp = payloadOf(stsz);
    const constant = readUint(b, zp + 4, 4);
    const count = readUint(b, zp + 8, 4);
    const cp = payloadOf(stsc);
    const entries = readUint(b, cp + 4, 4);
    const op = payloadOf(stco);
    const chunks = readUint(b, op + 4, 4);
    const wide = stco.type === 'co64' ? 8 : 4;
    let sample = 0;
    for (let e = 0; e < entries && sample < count; e++) {
      const first = readUint(b, cp + 8 + 12 * e, 4);
      const spc = readUint(b, cp + 12 + 12 * e, 4);
      const sdi = readUint(b, cp + 16 + 12 * e, 4);
      const next = e + 1 < entries ? readUint(b, cp + 8 + 12 * (e + 1), 4) : chunks + 1;
      for (let c = first; c < next && sample < count; c++) {
        let pos = readUint(b, op + 8 + wide * (c - 1), wide);
        for (let k = 0; k < spc && sample < count; k++, sample++) {
          const size = constant || readUint(b, zp + 12 + 4 * sample, 4);
          if (h263 && (k === spc - 1 || sample === count - 1)) un.push({ start: zp + 12 + 4 * sample, end: zp + 16 + 4 * sample });
          mark(checks[sdi - 1] ?? null, pos, size);
          pos += size;
        }
      }
    }
  }
  const mvex = child(moov, 'mvex');
  for (const trex of mvex ? kids(mvex, 'trex') : []) {
    const p = payloadOf(trex);
    const t = tracks.get(readUint(b, p + 4, 4));
    if (t) {
      t.trexSdi = readUint(b, p + 8, 4);
      t.trexSize = readUint(b, p + 16, 4);
    }
  }
  for (const moof of tree.filter((n) => n.type === 'moof')) {
    let dataEnd = moof.start;
    let firstTraf = true;
    for (const traf of kids(moof, 'traf')) {
      const tfhd = child(traf, 'tfhd');
      if (!tfhd) continue;
      let at = payloadOf(tfhd);
      const flags = readUint(b, at + 1, 3);
      const track = tracks.get(readUint(b, at + 4, 4));
      at += 8;
      let base: number | undefined;
      if (flags & 1) {
        base = readUint(b, at, 8);
        at += 8;
      }
      let sdi = track?.trexSdi ?? 1;
      if (flags & 2) {
        sdi = readUint(b, at, 4);
        at += 4;
      }
      if (flags & 8) at += 4;
      const defaultSize = flags & 0x10 ? readUint(b, at, 4) : track?.trexSize ?? 0;
      const origin = base ?? (flags & 0x20000 || firstTraf ? moof.start : dataEnd);
      firstTraf = false;
      const check = track?.checks[sdi - 1] ?? null;
      let next = origin;
      for (const trun of kids(traf, 'trun')) {
        let q = payloadOf(trun);
        const tf = readUint(b, q + 1, 3);
        const n = readUint(b, q + 4, 4);
        q += 8;
        let pos = next;
        if (tf & 1) {
          pos = origin + (readUint(b, q, 4) | 0);
          q += 4;
        }
        if (tf & 4) q += 4;
        const fields = [0x100, 0x200, 0x400, 0x800].filter((bit) => tf & bit);
        for (let k = 0; k < n; k++) {
          let size = defaultSize;
          for (const bit of fields) {
            if (bit === 0x200) size = readUint(b, q, 4);
            q += 4;
          }
          mark(check, pos, size);
          pos += size;
        }
        next = pos;
      }
      dataEnd = next;
    }
  }
}
