/**
 * The HEIF `meta` box (ISO/IEC 23008-12 §9, ISO/IEC 14496-12 §8.11): which
 * items the file holds, where their bytes are (iloc), how they relate (iref)
 * and their properties (iprp). One function per box, named as in the spec.
 */
import {
  BoxBudget, BoxFieldError, childBoxes, Fields, findBox, payload,
  type BoxHeader, type Reader,
} from '@rawcarve/core';

export interface ItemExtent {
  /** Offset relative to the file start (method 0), the idat payload (1) or the referenced item (2). */
  readonly offset: number;
  /** 0 means "to the end of the file / source" (only legal as the only extent). */
  readonly length: number;
}

export interface ItemLocation {
  readonly itemId: number;
  /** 0 file offset, 1 idat, 2 item (iloc v1/v2). */
  readonly constructionMethod: number;
  readonly dataReferenceIndex: number;
  readonly extents: readonly ItemExtent[];
}

export interface ItemInfo {
  readonly itemId: number;
  /** 'hvc1', 'grid', 'Exif', 'mime', 'av01', 'jpeg', 'iden', 'iovl', ... */
  readonly itemType: string;
  readonly name: string;
  readonly hidden: boolean;
}

export interface ItemProperty {
  readonly type: string;
  readonly box: BoxHeader;
}

export interface HeifMeta {
  readonly handler: string;
  readonly primaryItemId: number | null;
  readonly items: Map<number, ItemInfo>;
  readonly locations: Map<number, ItemLocation>;
  /** iref: reference type → from item → to items. */
  readonly references: { type: string; from: number; to: number[] }[];
  readonly properties: ItemProperty[];
  /** ipma: item → 1-based property indices. */
  readonly associations: Map<number, number[]>;
  /** ipma associations marked essential, as `${itemId}:${propertyIndex}`. */
  readonly essential?: ReadonlySet<string>;
  /** idat payload in the image, if any. */
  readonly idat: { start: number; length: number } | null;
}

/** Limits for hostile metadata. */
const MAX_ITEMS = 65_536;
const MAX_EXTENTS = 1 << 20;
const MAX_META_BOX = 16 * 1024 * 1024;

/** Reads a small box's payload (after the 4-byte full-box header when `full`). */
function fields(reader: Reader, box: BoxHeader): Fields {
  const len = box.size - box.headerSize;
  if (len > MAX_META_BOX) throw new BoxFieldError(box.start, `'${box.type}' box of ${len} bytes is larger than any real one`);
  const b = reader.bytes(payload(box), len);
  if (b.length < len) throw new BoxFieldError(box.start, `'${box.type}' box runs past the image end`);
  return new Fields(b, payload(box));
}

export type MetaParse = { ok: true; meta: HeifMeta } | { ok: false; problem: string };

export function parseMeta(reader: Reader, metaBox: BoxHeader, budget: BoxBudget): MetaParse {
  try {
    // meta is a full box: its children start after version/flags.
    const kids = childBoxes(reader, payload(metaBox) + 4, metaBox.end, budget);
    if (kids.problem) return { ok: false, problem: `meta: ${kids.problem}` };
    const hdlrBox = findBox(kids.boxes, 'hdlr');
    const ilocBox = findBox(kids.boxes, 'iloc');
    const iinfBox = findBox(kids.boxes, 'iinf');
    if (!hdlrBox || !ilocBox || !iinfBox) return { ok: false, problem: 'meta lacks hdlr, iinf or iloc' };
    const pitmBox = findBox(kids.boxes, 'pitm');
    const irefBox = findBox(kids.boxes, 'iref');
    const iprpBox = findBox(kids.boxes, 'iprp');
    const idatBox = findBox(kids.boxes, 'idat');
    const props = iprpBox ? iprp(reader, iprpBox, budget) : { properties: [], associations: new Map<number, number[]>(), essential: new Set<string>() };
    return {
      ok: true,
      meta: {
        handler: hdlr(reader, hdlrBox),
        primaryItemId: pitmBox ? pitm(reader, pitmBox) : null,
        items: iinf(reader, iinfBox, budget),
        locations: iloc(reader, ilocBox),
        references: irefBox ? iref(reader, irefBox, budget) : [],
        properties: props.properties,
        associations: props.associations,
        essential: props.essential,
        idat: idatBox ? { start: payload(idatBox), length: idatBox.end - payload(idatBox) } : null,
      },
    };
  } catch (err) {
    if (err instanceof BoxFieldError) return { ok: false, problem: err.message };
    throw err;
  }
}

/** hdlr (§8.4.3): pre_defined, handler_type ('pict' for images). */
function hdlr(reader: Reader, box: BoxHeader): string {
  const f = fields(reader, box);
  f.skip(4 + 4);
  return f.fourcc();
}

/** pitm (§8.11.4): the primary item. */
function pitm(reader: Reader, box: BoxHeader): number {
  const f = fields(reader, box);
  const version = f.u8();
  f.skip(3);
  return version === 0 ? f.u16() : f.u32();
}

/** iinf (§8.11.6) with infe entries v2/v3. */
function iinf(reader: Reader, box: BoxHeader, budget: BoxBudget): Map<number, ItemInfo> {
  const f = fields(reader, box);
  const version = f.u8();
  f.skip(3);
  const count = version === 0 ? f.u16() : f.u32();
  if (count > MAX_ITEMS) throw new BoxFieldError(box.start, `iinf claims ${count} items`);
  const start = payload(box) + f.pos;
  const kids = childBoxes(reader, start, box.end, budget);
  if (kids.problem) throw new BoxFieldError(start, `iinf: ${kids.problem}`);
  const items = new Map<number, ItemInfo>();
  for (const e of kids.boxes) {
    if (e.type !== 'infe') continue;
    const info = infe(reader, e);
    if (info) items.set(info.itemId, info);
  }
  if (items.size !== count) throw new BoxFieldError(box.start, `iinf claims ${count} items but holds ${items.size}`);
  return items;
}

function infe(reader: Reader, box: BoxHeader): ItemInfo | null {
  const f = fields(reader, box);
  const version = f.u8();
  const flags = f.u24();
  if (version < 2) return null; // v0/v1 describe files, not image items
  const itemId = version === 2 ? f.u16() : f.u32();
  f.skip(2); // item_protection_index
  const itemType = f.fourcc();
  const name = f.cstring();
  return { itemId, itemType, name, hidden: (flags & 1) !== 0 };
}

/** iloc (§8.11.3), versions 0–2: base_offset, construction_method and extent_index included. */
function iloc(reader: Reader, box: BoxHeader): Map<number, ItemLocation> {
  const f = fields(reader, box);
  const version = f.u8();
  f.skip(3);
  if (version > 2) throw new BoxFieldError(box.start, `iloc version ${version}`);
  const sizes = f.u16();
  const offsetSize = sizes >> 12;
  const lengthSize = (sizes >> 8) & 15;
  const baseOffsetSize = (sizes >> 4) & 15;
  const indexSize = version === 0 ? 0 : sizes & 15;
  const count = version < 2 ? f.u16() : f.u32();
  if (count > MAX_ITEMS) throw new BoxFieldError(box.start, `iloc claims ${count} items`);
  const out = new Map<number, ItemLocation>();
  let extentsTotal = 0;
  for (let i = 0; i < count; i++) {
    const itemId = version < 2 ? f.u16() : f.u32();
    const constructionMethod = version === 0 ? 0 : f.u16() & 15;
    const dataReferenceIndex = f.u16();
    const baseOffset = f.uN(baseOffsetSize);
    const extentCount = f.u16();
    extentsTotal += extentCount;
    if (extentsTotal > MAX_EXTENTS) throw new BoxFieldError(box.start, 'iloc holds too many extents');
    const extents: ItemExtent[] = [];
    for (let e = 0; e < extentCount; e++) {
      f.uN(indexSize); // extent_index: only meaningful for construction method 2
      const offset = baseOffset + f.uN(offsetSize);
      const length = f.uN(lengthSize);
      extents.push({ offset, length });
    }
    out.set(itemId, { itemId, constructionMethod, dataReferenceIndex, extents });
  }
  return out;
}

/** iref (§8.11.12): typed references, 16-bit ids (v0) or 32-bit (v1). */
function iref(reader: Reader, box: BoxHeader, budget: BoxBudget): HeifMeta['references'] {
  const head = fields(reader, box);
  const version = head.u8();
  const kids = childBoxes(reader, payload(box) + 4, box.end, budget);
  if (kids.problem) throw new BoxFieldError(box.start, `iref: ${kids.problem}`);
  const refs: HeifMeta['references'] = [];
  for (const r of kids.boxes) {
    const f = fields(reader, r);
    const id = (): number => (version === 0 ? f.u16() : f.u32());
    const from = id();
    const n = f.u16();
    const to: number[] = [];
    for (let i = 0; i < n; i++) to.push(id());
    refs.push({ type: r.type, from, to });
  }
  return refs;
}

/** iprp (§9.3 of 23008-12): ipco holds the properties, ipma associates them with items. */
function iprp(reader: Reader, box: BoxHeader, budget: BoxBudget): { properties: ItemProperty[]; associations: Map<number, number[]>; essential: Set<string> } {
  const kids = childBoxes(reader, payload(box), box.end, budget);
  if (kids.problem) throw new BoxFieldError(box.start, `iprp: ${kids.problem}`);
  const ipco = findBox(kids.boxes, 'ipco');
  if (!ipco) throw new BoxFieldError(box.start, 'iprp without ipco');
  const props = childBoxes(reader, payload(ipco), ipco.end, budget);
  if (props.problem) throw new BoxFieldError(ipco.start, `ipco: ${props.problem}`);
  const associations = new Map<number, number[]>();
  const essential = new Set<string>();
  for (const m of kids.boxes.filter((b) => b.type === 'ipma')) ipma(reader, m, associations, essential);
  return { properties: props.boxes.map((b) => ({ type: b.type, box: b })), associations, essential };
}

function ipma(reader: Reader, box: BoxHeader, into: Map<number, number[]>, essential: Set<string>): void {
  const f = fields(reader, box);
  const version = f.u8();
  const flags = f.u24();
  const count = f.u32();
  if (count > MAX_ITEMS) throw new BoxFieldError(box.start, `ipma claims ${count} items`);
  for (let i = 0; i < count; i++) {
    const itemId = version < 1 ? f.u16() : f.u32();
    const n = f.u8();
    const list = into.get(itemId) ?? [];
    for (let k = 0; k < n; k++) {
      const raw = flags & 1 ? f.u16() : f.u8();
      const index = flags & 1 ? raw & 0x7fff : raw & 0x7f;
      // Index 0 means "no property" (and then the essential bit must be 0, ISO/IEC 23008-12 §9.3.3). No writer
      // lists one, and libheif cannot decode an item that has one: a damaged index.
      if (index === 0) throw new BoxFieldError(box.start, `ipma associates "no property" (index 0) with item ${itemId}${raw !== 0 ? ', marked essential' : ''}`);
      if (raw !== index) essential.add(`${itemId}:${index}`);
      list.push(index);
    }
    into.set(itemId, list);
  }
}

/** The properties of an item, by type. */
export function itemProperties(meta: HeifMeta, itemId: number): ItemProperty[] {
  return (meta.associations.get(itemId) ?? []).map((i) => meta.properties[i - 1]).filter((p): p is ItemProperty => p !== undefined);
}
