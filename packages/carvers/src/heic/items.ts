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

/** Items checked at most per file: an 817-tile Samsung 200 MP photo fits with room. */
const MAX_ITEMS_CHECKED = 4096;

/** Image extents of an item's data, or a problem. */
export function itemExtents(meta: HeifMeta, loc: ItemLocation, fileStart: number, fileEnd: number): Extent[] | string {
  const out: Extent[] = [];
  for (const e of loc.extents) {
    if (loc.constructionMethod === 0) {
      const length = e.length === 0 && loc.extents.length === 1 ? fileEnd - fileStart - e.offset : e.length;
      out.push({ offset: fileStart + e.offset, length });
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

export function checkItems(reader: Reader, meta: HeifMeta, fileStart: number, fileEnd: number): ItemsCheck {
  const res: ItemsCheck = { checked: 0, pastImageEnd: false, badFrom: Infinity, goodUntil: fileStart, types: {} };
  const verified: { start: number; until: number }[] = [];
  for (const info of meta.items.values()) res.types[info.itemType] = (res.types[info.itemType] ?? 0) + 1;
  if (meta.primaryItemId === null || !meta.items.has(meta.primaryItemId)) {
    res.problem = `primary item ${meta.primaryItemId ?? '(none)'} is not in iinf`;
    return res;
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
      // Derived items (grid, iovl, iden) may live in idat or carry no data; others must have a location.
      if (info.itemType === 'grid' || info.itemType === 'iovl' || info.itemType === 'iden') continue;
      res.problem = `item ${info.itemId} ('${info.itemType}') has no iloc entry`;
      res.badFrom = Infinity;
      return res;
    }
    if (loc.dataReferenceIndex !== 0) continue; // data in another file: nothing here to check
    if (loc.constructionMethod === 2) continue;
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
      fail(Math.max(fileStart, Math.min(outside.offset, reader.size)), `item ${info.itemId} ('${info.itemType}') at image offset ${outside.offset} (${outside.length} bytes) lies ${where}`);
      continue;
    }
    const problem = checkItemData(reader, meta, info.itemId, info.itemType, extents);
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

function checkItemData(reader: Reader, meta: HeifMeta, itemId: number, type: string, extents: Extent[]): DataCheck {
  const problem = itemDataProblem(reader, meta, itemId, type, extents);
  if (problem === null) return {};
  return typeof problem === 'string' ? { message: problem } : problem;
}

function itemDataProblem(reader: Reader, meta: HeifMeta, itemId: number, type: string, extents: Extent[]): string | DataCheck | null {
  const total = extents.reduce((n, e) => n + e.length, 0);
  const first = extents[0] ? reader.bytes(extents[0].offset, Math.min(32, extents[0].length)) : new Uint8Array(0);
  switch (type) {
    case 'hvc1': {
      const hvcC = itemProperties(meta, itemId).find((p) => p.type === 'hvcC');
      if (!hvcC) return 'no hvcC property';
      const conf = reader.bytes(hvcC.box.start + hvcC.box.headerSize, 23);
      if (conf.length < 23 || conf[0] !== 1) return 'hvcC is not configurationVersion 1';
      const lengthSize = (conf[21]! & 3) + 1;
      const nal = checkNalUnits(reader, extents, lengthSize, 'hevc');
      if (!nal.ok) return { message: `${nal.problem} at image offset ${nal.badAt}`, at: nal.badAt ?? extents[0]!.offset };
      if (nal.vcl === 0) return 'no coded slice among its NAL units';
      return { verifiedUntil: nal.verifiedUntil };
    }
    case 'av01': {
      if (!itemProperties(meta, itemId).some((p) => p.type === 'av1C')) return 'no av1C property';
      const b = first[0];
      if (b === undefined || b & 0x80) return 'does not start with an AV1 OBU header';
      const obuType = (b >> 3) & 15;
      return (obuType >= 1 && obuType <= 8) || obuType === 15 ? null : `AV1 OBU type ${obuType} is reserved`;
    }
    case 'grid': {
      if (total < 8 || first[0] !== 0) return 'ImageGrid header is missing or not version 0';
      const large = (first[1]! & 1) !== 0;
      if (total !== (large ? 12 : 8)) return `ImageGrid of ${total} bytes`;
      const tiles = (first[2]! + 1) * (first[3]! + 1);
      const dimg = meta.references.filter((r) => r.type === 'dimg' && r.from === itemId).reduce((n, r) => n + r.to.length, 0);
      if (dimg !== tiles) return `grid of ${tiles} tiles but ${dimg} dimg references`;
      const w = large ? u32be(first, 4) : u16be(first, 4);
      return w === 0 ? 'grid output width 0' : null;
    }
    case 'Exif': {
      if (total < 12) return 'too short for an Exif block';
      const off = u32be(first, 0);
      if (4 + off + 4 > Math.min(total, first.length)) return null; // header further in: positions already checked
      const t = first.subarray(4 + off, 8 + off);
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
