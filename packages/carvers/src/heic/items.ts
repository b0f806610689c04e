/**
 * Evidence that a HEIF file is whole: every item's bytes lie inside the
 * carved file and look like what the item claims to be (HEVC NAL units that
 * agree with its hvcC, an AV1 OBU, a grid whose tiles are all referenced,
 * a TIFF header in the Exif item, a JPEG SOI).
 */
import { checkNalUnits, u16be, u32be, type Extent, type Reader } from '@rawcarve/core';
import { itemProperties, type HeifMeta, type ItemLocation } from './meta.js';

export interface ItemsCheck {
  /** Items whose data was checked and found good. */
  checked: number;
  /** First problem found, if any. */
  problem?: string;
  /**
   * Lowest image offset where some item's data failed its check (or lies past
   * the image end): the file's bytes are good up to here at most. Infinity
   * when the problem is not in item data (metadata inconsistent).
   */
  badFrom: number;
  /**
   * How far the file is known good when badFrom is finite: just past the last
   * bytes a passing item's check read before badFrom (only NAL headers are
   * read, so a break inside the item before the bad one cannot be ruled out
   * past that point).
   */
  goodUntil: number;
  /** Some item's data lies past the image end (the file was cut there). */
  pastImageEnd: boolean;
  /** The item whose data failed at badFrom, with its extents (image offsets). */
  badItem?: { itemId: number; itemType: string; extents: Extent[] };
  /** A passing hvc1 item's first NAL header (its 2 bytes), to recognise the same encoder's tiles. */
  nalHeader?: Uint8Array;
  /** Counts by item type, for the report. */
  types: Record<string, number>;
}

/** Item types that are images (coded or derived), as HEIF, MIAF and AVIF define them. */
const IMAGE_ITEM_TYPES = new Set(['hvc1', 'hev1', 'av01', 'avc1', 'jpeg', 'j2k1', 'vvc1', 'unci', 'grid', 'iovl', 'iden', 'tmap']);
/** The decoder configuration property of each coded image item type. */
const CONFIG_PROPERTY: Record<string, string> = { hvc1: 'hvcC', hev1: 'hvcC', av01: 'av1C', avc1: 'avcC' };
/** Box types that belong to the file's structure and can never be item properties in ipco. */
const NOT_PROPERTIES = new Set(['ftyp', 'meta', 'hdlr', 'pitm', 'iloc', 'iinf', 'infe', 'iref', 'iprp', 'ipco', 'ipma', 'idat', 'mdat', 'moov', 'trak', 'moof', 'dinf', 'dref']);

/** Items checked at most per file: an 817-tile Samsung 200 MP photo fits with room. */
const MAX_ITEMS_CHECKED = 4096;
/**
 * Item bytes read at most per file to check coded NAL payloads (a zeroed
 * sector inside a tile): items may share or overlap extents, so without a cap
 * a hostile file could make the check read the same bytes thousands of times.
 */
export const PAYLOAD_BUDGET = 256 * 1024 * 1024;

/** Image extents of an item's data, or a problem. */
export function itemExtents(meta: HeifMeta, loc: ItemLocation, fileStart: number, fileEnd: number): Extent[] | string {
  const out: Extent[] = [];
  for (const e of loc.extents) {
    if (loc.constructionMethod === 0) {
      // Length 0 means "to the end of the file" (§8.11.3.3); no device writes it and libheif reads it as no data.
      if (e.length === 0) return `item ${loc.itemId} has an extent of length 0 ("to the end of the file"), which decoders do not read`;
      out.push({ offset: fileStart + e.offset, length: e.length });
    } else if (loc.constructionMethod === 1) {
      if (!meta.idat) return `item ${loc.itemId} is in idat, but there is no idat`;
      if (e.offset + e.length > meta.idat.length) return `item ${loc.itemId} runs past idat`;
      out.push({ offset: meta.idat.start + e.offset, length: e.length });
    } else {
      return `item ${loc.itemId} uses construction method ${loc.constructionMethod}`;
    }
  }
  return out;
}

/** An item's id and the extents holding its data. */
export interface ItemSpan {
  readonly itemId: number;
  readonly extents: readonly Extent[];
}

/**
 * The hvc1 items whose data lies in this file (construction method 0, data
 * reference 0), with their extents in file offsets (they may run past what a
 * fragment holds: that is where the file goes on).
 */
export function hevcItems(meta: HeifMeta): ItemSpan[] {
  const out: ItemSpan[] = [];
  for (const info of meta.items.values()) {
    if (info.itemType !== 'hvc1') continue;
    const loc = meta.locations.get(info.itemId);
    if (!loc || loc.constructionMethod !== 0 || loc.dataReferenceIndex !== 0) continue;
    const extents = itemExtents(meta, loc, 0, Number.MAX_SAFE_INTEGER);
    if (typeof extents !== 'string' && extents.length > 0) out.push({ itemId: info.itemId, extents });
  }
  return out;
}

export function checkItems(reader: Reader, meta: HeifMeta, fileStart: number, fileEnd: number, payloadBudget = PAYLOAD_BUDGET): ItemsCheck {
  const res: ItemsCheck = { checked: 0, pastImageEnd: false, badFrom: Infinity, goodUntil: fileStart, types: {} };
  const verified: { start: number; until: number }[] = [];
  let payloadLeft = payloadBudget;
  for (const info of meta.items.values()) res.types[info.itemType] = (res.types[info.itemType] ?? 0) + 1;
  if (meta.primaryItemId === null || !meta.items.has(meta.primaryItemId)) {
    res.problem = `primary item ${meta.primaryItemId ?? '(none)'} is not in iinf`;
    return res;
  }
  const primary = meta.items.get(meta.primaryItemId)!;
  if (!IMAGE_ITEM_TYPES.has(primary.itemType)) {
    res.problem = `primary item ${primary.itemId} is of type '${primary.itemType}', not an image`;
    return res;
  }
  // The primary item is a master image: not hidden (a grid tile), not a thumbnail or auxiliary image of another.
  if (primary.hidden || meta.references.some((r) => (r.type === 'thmb' || r.type === 'auxl') && r.from === primary.itemId)) {
    res.problem = `primary item ${primary.itemId} is hidden, a thumbnail or an auxiliary image`;
    return res;
  }
  const structural = meta.properties.find((p) => NOT_PROPERTIES.has(p.type));
  if (structural) {
    res.problem = `ipco holds a '${structural.type}' box at image offset ${structural.box.start}, which is no item property`;
    return res;
  }
  for (const prop of meta.properties) {
    const why = propertyProblem(reader, prop.type, prop.box.start + prop.box.headerSize, prop.box.end);
    if (why !== null) {
      res.problem = `'${prop.type}' property at image offset ${prop.box.start}: ${why}`;
      return res;
    }
  }
  // Grid and overlay inputs, thumbnails and auxiliary images are images themselves.
  for (const r of meta.references) {
    const images = r.type === 'dimg' ? [r.from, ...r.to] : r.type === 'thmb' || r.type === 'auxl' ? [r.from, ...r.to] : r.type === 'cdsc' ? r.to : [];
    const odd = images.find((id) => !IMAGE_ITEM_TYPES.has(meta.items.get(id)?.itemType ?? ''));
    if (odd !== undefined) {
      res.problem = `iref '${r.type}' of item ${r.from} involves item ${odd} of type '${meta.items.get(odd)?.itemType}', not an image`;
      return res;
    }
  }
  const empty = meta.references.find((r) => r.to.length === 0);
  if (empty) {
    res.problem = `iref '${empty.type}' from item ${empty.from} references no item`;
    return res;
  }
  for (const [itemId, indices] of meta.associations) {
    const bad = indices.find((i) => i > meta.properties.length);
    if (bad !== undefined) {
      res.problem = `ipma gives item ${itemId} property ${bad}, but ipco holds ${meta.properties.length}`;
      return res;
    }
  }
  for (const info of meta.items.values()) {
    // A coded image's decoder configuration is an essential property (HEIF §6.5.3, AVIF): a decoder
    // may ignore non-essential ones, and libheif then cannot decode the image.
    const conf = CONFIG_PROPERTY[info.itemType];
    const confAt = conf ? (meta.associations.get(info.itemId) ?? []).find((i) => meta.properties[i - 1]?.type === conf) : undefined;
    if (meta.essential && confAt !== undefined && !meta.essential.has(`${info.itemId}:${confAt}`)) {
      res.problem = `item ${info.itemId}'s '${conf}' is not marked essential`;
      return res;
    }
    // Every image item, coded or derived, carries its size (ISO/IEC 23008-12 §6.5.3).
    if (IMAGE_ITEM_TYPES.has(info.itemType) && !itemProperties(meta, info.itemId).some((p) => p.type === 'ispe')) {
      res.problem = `image item ${info.itemId} ('${info.itemType}') has no ispe property`;
      return res;
    }
  }
  for (const r of meta.references) {
    for (const id of [r.from, ...r.to]) {
      if (!meta.items.has(id)) {
        res.problem = `iref '${r.type}' names item ${id}, which iinf does not list`;
        return res;
      }
    }
  }
  // Data problems: keep checking, to know the lowest offset where the file goes bad.
  let failing: ItemsCheck['badItem'];
  const fail = (at: number, message: string, item?: ItemsCheck['badItem']): void => {
    if (at < res.badFrom) {
      res.badFrom = at;
      res.problem = message;
      failing = item;
    }
  };
  let seen = 0;
  for (const info of meta.items.values()) {
    if (seen++ >= MAX_ITEMS_CHECKED) break;
    const loc = meta.locations.get(info.itemId);
    if (!loc) {
      // An identity-derived item (iden) has no body; every other item has data (grid and iovl: their layout).
      if (info.itemType === 'iden') continue;
      res.problem = `item ${info.itemId} ('${info.itemType}') has no iloc entry`;
      res.badFrom = Infinity;
      return res;
    }
    if (loc.dataReferenceIndex !== 0) {
      // Data in another file: a photo a device wrote never does that, and nothing here proves it.
      res.problem = `item ${info.itemId} ('${info.itemType}') names data reference ${loc.dataReferenceIndex}: its data is not in this file`;
      res.badFrom = Infinity;
      return res;
    }
    const extents = itemExtents(meta, loc, fileStart, fileEnd);
    if (typeof extents === 'string') {
      res.problem = extents;
      res.badFrom = Infinity;
      return res;
    }
    const outside = extents.find((e) => e.offset < fileStart || e.offset + e.length > Math.min(fileEnd, reader.size));
    if (outside) {
      if (outside.offset + outside.length > reader.size) res.pastImageEnd = true;
      const where = outside.offset + outside.length > reader.size ? 'past the image end' : "outside the file's boxes";
      // Past the image end: the file goes on in a fragment elsewhere (before it, when out of order), which the item's data finds.
      const item = outside.offset + outside.length > reader.size ? { itemId: info.itemId, itemType: info.itemType, extents } : undefined;
      fail(Math.max(fileStart, Math.min(outside.offset, reader.size)), `item ${info.itemId} ('${info.itemType}') at image offset ${outside.offset} (${outside.length} bytes) lies ${where}`, item);
      continue;
    }
    const bytes = extents.reduce((n, e) => n + e.length, 0);
    const payload = bytes <= payloadLeft;
    if (payload) payloadLeft -= bytes;
    const problem = checkItemData(reader, meta, info.itemId, info.itemType, extents, payload);
    if (problem.message !== undefined) {
      fail(problem.at ?? extents[0]?.offset ?? fileStart, `item ${info.itemId} ('${info.itemType}'): ${problem.message}`, { itemId: info.itemId, itemType: info.itemType, extents });
      continue;
    }
    if (info.itemType === 'hvc1' && !res.nalHeader && extents[0] && extents[0].length >= 6) res.nalHeader = Uint8Array.from(reader.bytes(extents[0].offset + 4, 2));
    if (extents[0]) verified.push({ start: extents[0].offset, until: problem.verifiedUntil ?? extents[0].offset + Math.min(8, extents[0].length) });
    res.checked++;
  }
  for (const v of verified) if (v.start < res.badFrom) res.goodUntil = Math.max(res.goodUntil, Math.min(v.until, res.badFrom));
  if (failing) res.badItem = failing;
  return res;
}

/** A failed check (message, and where when known), or how far a passing check read. */
interface DataCheck {
  message?: string;
  at?: number;
  verifiedUntil?: number;
}

function checkItemData(reader: Reader, meta: HeifMeta, itemId: number, type: string, extents: Extent[], payload: boolean): DataCheck {
  const problem = itemDataProblem(reader, meta, itemId, type, extents, payload);
  if (problem === null) return {};
  return typeof problem === 'string' ? { message: problem } : problem;
}

function itemDataProblem(reader: Reader, meta: HeifMeta, itemId: number, type: string, extents: Extent[], payload: boolean): string | DataCheck | null {
  const total = extents.reduce((n, e) => n + e.length, 0);
  if (total === 0 && IMAGE_ITEM_TYPES.has(type)) return 'the image item has no data';
  const first = extents[0] ? reader.bytes(extents[0].offset, Math.min(32, extents[0].length)) : new Uint8Array(0);
  switch (type) {
    case 'hvc1': {
      const hvcC = itemProperties(meta, itemId).find((p) => p.type === 'hvcC');
      if (!hvcC) return 'no hvcC property';
      const conf = reader.bytes(hvcC.box.start + hvcC.box.headerSize, 23);
      if (conf.length < 23 || conf[0] !== 1) return 'hvcC is not configurationVersion 1';
      const lengthSize = (conf[21]! & 3) + 1;
      const nal = checkNalUnits(reader, extents, lengthSize, 'hevc', { payload });
      if (!nal.ok) return { message: `${nal.problem} at image offset ${nal.badAt}`, at: nal.badAt ?? extents[0]!.offset };
      if (nal.vcl === 0) return 'no coded slice among its NAL units';
      return { verifiedUntil: nal.verifiedUntil };
    }
    case 'avc1': {
      const avcC = itemProperties(meta, itemId).find((p) => p.type === 'avcC');
      if (!avcC) return 'no avcC property';
      const conf = reader.bytes(avcC.box.start + avcC.box.headerSize, 5);
      if (conf.length < 5 || conf[0] !== 1) return 'avcC is not configurationVersion 1';
      const nal = checkNalUnits(reader, extents, (conf[4]! & 3) + 1, 'avc', { payload });
      if (!nal.ok) return { message: `${nal.problem} at image offset ${nal.badAt}`, at: nal.badAt ?? extents[0]!.offset };
      return nal.vcl === 0 ? 'no coded slice among its NAL units' : { verifiedUntil: nal.verifiedUntil };
    }
    case 'av01': {
      if (!itemProperties(meta, itemId).some((p) => p.type === 'av1C')) return 'no av1C property';
      // AVIF makes pixi mandatory for image items (and libheif takes the bit depth from it).
      if (!itemProperties(meta, itemId).some((p) => p.type === 'pixi')) return 'no pixi property';
      return checkObus(reader, extents);
    }
    case 'grid': {
      if (total < 8 || first[0] !== 0) return 'ImageGrid header is missing or not version 0';
      const large = (first[1]! & 1) !== 0;
      if (total !== (large ? 12 : 8)) return `ImageGrid of ${total} bytes`;
      const tiles = (first[2]! + 1) * (first[3]! + 1);
      const dimg = meta.references.filter((r) => r.type === 'dimg' && r.from === itemId).reduce((n, r) => n + r.to.length, 0);
      if (dimg !== tiles) return `grid of ${tiles} tiles but ${dimg} dimg references`;
      const w = large ? u32be(first, 4) : u16be(first, 4);
      const h = large ? u32be(first, 8) : u16be(first, 6);
      if (w === 0 || h === 0) return 'grid output width or height 0';
      // The grid's ispe is its output size (ISO/IEC 23008-12 §6.6.2.3.1).
      const ispe = itemProperties(meta, itemId).find((p) => p.type === 'ispe');
      const size = ispe ? reader.bytes(ispe.box.start + ispe.box.headerSize + 4, 8) : null;
      return size && size.length === 8 && (u32be(size, 0) !== w || u32be(size, 4) !== h) ? `grid output ${w}×${h} but ispe ${u32be(size, 0)}×${u32be(size, 4)}` : null;
    }
    case 'Exif': {
      if (total < 12) return 'too short for an Exif block';
      const off = u32be(first, 0);
      if (4 + off + 4 > total) return `exif_tiff_header_offset ${off} points past the item's ${total} bytes`;
      const e0 = extents[0]!;
      // The TIFF header where the offset says (in the first extent; items split further are only located).
      if (4 + off + 4 > e0.length) return null;
      const t = 4 + off + 4 <= first.length ? first.subarray(4 + off, 8 + off) : reader.bytes(e0.offset + 4 + off, 4);
      const ok = (t[0] === 0x49 && t[1] === 0x49 && t[2] === 0x2a && t[3] === 0) || (t[0] === 0x4d && t[1] === 0x4d && t[2] === 0 && t[3] === 0x2a);
      return ok ? null : 'no TIFF header where exif_tiff_header_offset points';
    }
    case 'jpeg':
      return first[0] === 0xff && first[1] === 0xd8 ? null : 'does not start with a JPEG SOI';
    default:
      return null;
  }
}

/** The TIFF bytes of the first Exif item (exifr cannot resolve base_offset itself). */
export function exifTiff(reader: Reader, meta: HeifMeta, fileStart: number, fileEnd: number): Uint8Array | null {
  for (const info of meta.items.values()) {
    if (info.itemType !== 'Exif') continue;
    const loc = meta.locations.get(info.itemId);
    if (!loc || loc.extents.length !== 1) continue;
    const ext = itemExtents(meta, loc, fileStart, fileEnd);
    if (typeof ext === 'string' || ext[0]!.length < 12 || ext[0]!.length > 4 * 1024 * 1024) continue;
    const b = reader.bytes(ext[0]!.offset, ext[0]!.length);
    const off = u32be(b, 0);
    if (4 + off >= b.length) continue;
    return b.subarray(4 + off);
  }
  return null;
}

/** OBUs checked per item at most (an AVIF still holds a handful). */
const MAX_OBUS = 4096;

/**
 * AV1 item data (AV1-ISOBMFF §2.4, AV1 §5.3): a sequence of OBUs, each with
 * a valid header and a LEB128 size (obu_has_size_field; only the last may
 * omit it) that tiles the item exactly. Null when it does.
 */
function checkObus(reader: Reader, extents: Extent[]): string | DataCheck | null {
  if (extents.length !== 1) return null; // AVIF stills are one extent; split data is only located, as before
  const e = extents[0]!;
  let pos = 0;
  // An AV1 image item is a sync sample: a sequence header and a frame (or a frame header and tile groups).
  const seen = new Set<number>();
  const complete = (): string | null => (seen.has(1) && (seen.has(6) || seen.has(4)) ? null : 'no sequence header or no frame among its OBUs');
  for (let n = 0; pos < e.length; n++) {
    if (n >= MAX_OBUS) return `more than ${MAX_OBUS} OBUs`;
    const h = reader.bytes(e.offset + pos, 10);
    const b = h[0];
    if (b === undefined) return { message: 'item data lies outside the image', at: e.offset + pos };
    const type = (b >> 3) & 15;
    if (b & 0x80 || b & 1 || !((type >= 1 && type <= 8) || type === 15)) return { message: `invalid AV1 OBU header ${b} at image offset ${e.offset + pos}`, at: e.offset + pos };
    seen.add(type);
    let at = 1 + ((b >> 2) & 1); // extension byte
    if (!(b & 2)) return pos + at > e.length ? 'OBU header runs past the item' : (complete() ?? { verifiedUntil: e.offset + pos + at }); // no size: runs to the end
    let size = 0;
    for (let i = 0; ; i++) {
      if (i >= 8 || at >= h.length) return { message: `OBU size field too long at image offset ${e.offset + pos}`, at: e.offset + pos };
      const x = h[at++]!;
      size += (x & 0x7f) * 2 ** (7 * i);
      if (!(x & 0x80)) break;
    }
    pos += at + size;
  }
  if (pos !== e.length) return { message: 'OBU sizes do not tile the item', at: e.offset };
  return complete() ?? { verifiedUntil: e.offset + e.length };
}

/**
 * The item properties a decoder cannot do without, checked for their
 * structure (ISO/IEC 23008-12 §6.5, ISO/IEC 14496-15 §8.3.3, AV1-ISOBMFF
 * §2.3): a malformed one makes libheif refuse the whole file. Null when fine
 * or not a property we know.
 */
function propertyProblem(reader: Reader, type: string, start: number, end: number): string | null {
  const len = end - start;
  const known: Record<string, number> = { ispe: 12, irot: 1, imir: 1, clap: 32, pixi: 5, auxC: 5, colr: 4, hvcC: 23, av1C: 4 };
  if (!(type in known)) return null;
  if (len < known[type]!) return `${len} bytes, too short`;
  const b = reader.bytes(start, Math.min(len, 4096));
  if (b.length < Math.min(len, 4096)) return 'runs past the image end';
  switch (type) {
    case 'ispe': return len !== 12 ? `${len} bytes, not 12` : u32be(b, 4) === 0 || u32be(b, 8) === 0 ? 'zero width or height' : null;
    case 'pixi': return b[0] !== 0 || b[4] === 0 || len !== 5 + b[4]! ? 'channel count does not match its size' : null;
    case 'colr': {
      const kind = String.fromCharCode(b[0]!, b[1]!, b[2]!, b[3]!);
      if (kind === 'nclx') return len === 11 ? null : `nclx colour of ${len} bytes, not 11`;
      return kind === 'prof' || kind === 'rICC' || kind === 'nclc' ? null : `colour type '${kind}' is unknown`;
    }
    case 'av1C': return (b[0]! & 0x80) === 0 || (b[0]! & 0x7f) !== 1 ? 'not an AV1CodecConfigurationRecord version 1' : null;
    case 'hvcC': {
      if (b[0] !== 1) return 'not configurationVersion 1';
      if (len > b.length) return null; // very large: its arrays are not walked
      // numOfArrays arrays of NAL units (VPS, SPS, PPS, SEI) must tile the record.
      let at = 23;
      for (let a = 0; a < b[22]!; a++) {
        if (at + 3 > len) return 'parameter set arrays run past the box';
        const n = u16be(b, at + 1);
        at += 3;
        for (let k = 0; k < n; k++) {
          if (at + 2 > len) return 'parameter set arrays run past the box';
          at += 2 + u16be(b, at);
        }
      }
      return at === len ? null : `parameter set arrays end at byte ${at} of ${len}`;
    }
    default: return null;
  }
}
