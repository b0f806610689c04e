/**
 * The HEIC/HEIF/AVIF carver. The file's end is where its last top-level box
 * ends; the evidence that it is whole is that every item's data (grid tiles,
 * thumbnails, Exif, depth and gain-map images) lies inside those bytes and
 * looks like what the item claims to be.
 */
import {
  BoxBudget, checkNalUnits, contiguous, distinctBytes, readBoxHeader, sectorFloor, u32be,
  type BoxHeader, type Carver, type CarveContext, type CarveResult, type DescribeOptions, type ExpectedBytes, type Metadata, type Reader, type SeamProof,
} from '@rawcarve/core';
import { describeTiff } from '../jpeg/exif.js';
import { isStuffedEntropy } from '../jpeg/index.js';
import { verifyDecode } from './decode.js';
import { PAYLOAD_BUDGET, checkItems, exifTiff, hevcItems } from './items.js';
import { proveSeams } from './seams.js';
import { itemProperties, parseMeta, type HeifMeta, type MetaParse } from './meta.js';

/** Major brands of HEIF still images (ISO/IEC 23008-12 Annex B, MIAF, AVIF). */
const IMAGE_BRANDS = ['heic', 'heix', 'hevc', 'hevx', 'heim', 'heis', 'hevm', 'hevs', 'mif1', 'msf1', 'avif', 'avis'];
/** Major brands of HEIF image sequences (a track in moov, ISO/IEC 23008-12 Annex B; AVIF). */
const SEQUENCE_BRANDS = new Set(['msf1', 'hevs', 'heis', 'avis']);
/** Top-level boxes a HEIF file may hold. */
const TOP_LEVEL = new Set(['meta', 'mdat', 'free', 'skip', 'wide', 'uuid', 'moov', 'sefd', 'mpvd', 'idat']);
/** Boxes that may follow once every item is in place: padding and vendor trailers (Samsung sefd, motion-photo mpvd). */
const TRAILERS = new Set(['free', 'skip', 'uuid', 'sefd', 'mpvd']);
const MAX_FTYP = 1024;
/** The box walk's budget per candidate (boxes read in all, deepest nesting): one constant, so report.json lists what carve() uses. */
export const BOX_BUDGET = { boxes: 200_000, maxDepth: 16 } as const;

export const heicCarver: Carver = {
  name: 'heic',
  version: '1.0.0',
  description: 'HEIC/HEIF/AVIF photos: meta/iloc walk, every item extent inside the file, HEVC NAL units checked against hvcC, grids, Exif',
  extensions: ['heic', 'heif', 'hif', 'avif'],
  signatures: IMAGE_BRANDS.map((b) => ({ bytes: [...'ftyp' + b].map((c) => c.charCodeAt(0)), offset: 4, description: `ftyp ${b}` })),
  maxFileSize: 512 * 1024 * 1024,
  // Fixed work bounds per candidate, listed in report.json (options.limits.carvers.heic).
  limits: { maxBoxes: BOX_BUDGET.boxes, maxBoxDepth: BOX_BUDGET.maxDepth, maxPayloadBytes: PAYLOAD_BUDGET },

  /** Compressed image data uses most byte values in any sector, and is not a JPEG's stuffed entropy data. */
  couldContinue(block: Uint8Array): boolean {
    return distinctBytes(block) >= Math.min(64, block.length >> 3) && !isStuffedEntropy(block);
  },

  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
    const limit = Math.min(reader.size, offset + ctx.maxFileSize);
    const ftyp = readBoxHeader(reader, offset, limit);
    if (!ftyp || ftyp.type !== 'ftyp' || ftyp.size < 16 || ftyp.size > MAX_FTYP || ftyp.end > limit) return null;
    const brands = ftypBrands(reader, ftyp);
    const budget = new BoxBudget(BOX_BUDGET.boxes, BOX_BUDGET.maxDepth);
    const boxes: BoxHeader[] = [ftyp];
    let meta: HeifMeta | null = null;
    let metaProblem: string | null = null;
    let metaEnd = 0;
    let at = ftyp.end;
    let cut: string | null = null;
    while (at < limit) {
      const box = readBoxHeader(reader, at, reader.size);
      if (!box || !TOP_LEVEL.has(box.type)) break;
      if (box.toEnd && box.type !== 'mdat') break; // only media data may run "to the end of the file"
      if (meta && !TRAILERS.has(box.type) && itemsEnd(meta, offset) <= at) break; // the next file's box
      if (box.toEnd && meta) {
        // mdat "to the end of the file": the items say where it really ends.
        boxes.push(box);
        at = Math.max(at, Math.min(itemsEnd(meta, offset), reader.size));
        break;
      }
      if (box.end > limit) {
        cut = box.end > reader.size ? `'${box.type}' box at image offset ${at} runs past the image end` : `'${box.type}' box at image offset ${at} exceeds the size limit`;
        boxes.push(box);
        at = limit;
        break;
      }
      if (box.type === 'meta') {
        if (meta || metaProblem) break; // a second meta is another file's
        const parsed = parseMeta(reader, box, budget);
        metaEnd = box.end;
        if (parsed.ok) meta = parsed.meta;
        else metaProblem = parsed.problem;
      }
      boxes.push(box);
      at = box.end;
    }
    const end = at;
    const layout = boxes.map((b) => b.type).join(',');
    if (!meta) {
      const mdat = boxes.find((b) => b.type === 'mdat');
      if (!metaProblem && !cut && mdat) {
        // Samsung writes mdat before meta: the head of such a file, cut after its mdat (fragmented).
        const note = `no meta after the mdat ending at image offset ${mdat.end}: the file continues elsewhere or was cut`;
        return { status: 'truncated', byteRuns: contiguous(offset, end - offset), validFraction: 0, verifiedLength: mdat.start + mdat.headerSize - offset, notes: [note], metadata: { brand: brands[0]!, boxes: layout } };
      }
      if (!metaProblem && !cut) return null; // no metadata box at all: nothing says this is an image
      const why = metaProblem ?? `no meta box before the cut: ${cut}`;
      return { status: cut ? 'truncated' : 'damaged', byteRuns: contiguous(offset, end - offset), validFraction: 0, verifiedLength: ftyp.size, notes: [why], metadata: { brand: brands[0]!, boxes: layout } };
    }
    if (meta.handler !== 'pict') return null;
    // An image sequence brand as the major brand promises a track (moov), which decoders then insist on.
    if (SEQUENCE_BRANDS.has(brands[0]!) && !boxes.some((b) => b.type === 'moov')) {
      return { status: 'damaged', byteRuns: contiguous(offset, end - offset), validFraction: 0, verifiedLength: metaEnd - offset, notes: [`major brand '${brands[0]}' is an image sequence, but the file holds no moov`], metadata: { brand: brands[0]!, boxes: layout } };
    }
    const check = checkItems(reader, meta, offset, end);
    const metadata = heifMetadata(reader, meta, brands, layout, check.types);
    if (check.problem) {
      const notes = [check.problem, ...(cut ? [cut] : [])];
      const validFraction = meta.items.size > 0 ? check.checked / meta.items.size : 0;
      // Item data goes bad past all metadata: the tail was cut or overwritten. Keep the good part.
      const keepTo = Number.isFinite(check.badFrom) ? goodPartEnd(offset, check.goodUntil, metaEnd) : null;
      if (keepTo !== null) {
        notes.push(`item data goes bad by image offset ${check.badFrom}, checked good up to ${check.goodUntil}; kept up to ${keepTo}`);
        return { status: 'truncated', byteRuns: contiguous(offset, keepTo - offset), validFraction, notes, metadata };
      }
      const status = check.pastImageEnd || cut ? 'truncated' : 'damaged';
      const verifiedLength = Math.max(metaEnd, check.goodUntil) - offset;
      return { status, byteRuns: contiguous(offset, end - offset), validFraction, verifiedLength, notes, metadata };
    }
    if (cut) return { status: 'truncated', byteRuns: contiguous(offset, end - offset), validFraction: 0, verifiedLength: metaEnd - offset, notes: [cut], metadata };
    return {
      status: 'complete',
      byteRuns: contiguous(offset, end - offset),
      extension: brands.some((b) => b === 'avif' || b === 'avis') && !brands.some((b) => b.startsWith('he')) ? 'avif' : 'heic',
      validFraction: 1,
      notes: [`${check.checked} items checked (${Object.entries(check.types).map(([t, n]) => `${n} ${t}`).join(', ')}), top-level boxes ${layout}`],
      metadata,
    };
  },

  /**
   * Reassembly hint: the first tile whose data is not where iloc says must
   * start there with its NAL length (tiles are single slices: extent length
   * − 4) and the NAL header the other tiles of the file carry.
   */
  expectedAt(reader: Reader): ExpectedBytes | null {
    const top = scanTopLevel(reader, 0, reader.size);
    if (top.meta && !top.meta.ok) return null;
    if (!top.meta) {
      // mdat first (Samsung): the meta box must start where the mdat ends.
      return top.mdatEnd !== null ? { fileOffset: top.mdatEnd + 4, bytes: Uint8Array.from([0x6d, 0x65, 0x74, 0x61]) } : null;
    }
    const meta = top.meta.meta;
    const check = checkItems(reader, meta, 0, reader.size, 0);
    if (!check.nalHeader) return null;
    // The first NAL unit (in file order) whose length and header are not where iloc and the NAL
    // units before it put them: it lies past the break (a tile that straddles the break keeps its
    // header in this fragment, so the next NAL unit is the one).
    let singleNal = true;
    for (const tile of nalTiles(reader, meta)) {
      const chain = checkNalUnits(reader, [tile], 4, 'hevc');
      if (tile.offset + 6 <= reader.size && chain.ok) {
        singleNal &&= chain.nals === 1;
        continue;
      }
      const at = chain.badAt ?? tile.offset;
      if (at === tile.offset && singleNal) {
        // Tiles of one NAL unit each (as every tile before this one): its length and header are known bytes.
        const bytes = new Uint8Array(6);
        new DataView(bytes.buffer).setUint32(0, tile.length - 4);
        bytes.set(check.nalHeader, 4);
        return { fileOffset: tile.offset, bytes };
      }
      // Several NAL units per item (cameras write slices): no bytes are known, but the NAL units
      // from there on must end exactly where the item does, which random data all but never does.
      const rest = tile.offset + tile.length - at;
      return { fileOffset: at, bytes: new Uint8Array(0), matches: (image, p) => checkNalUnits(image, [{ offset: p, length: rest }], 4, 'hevc').ok };
    }
    return null;
  },

  /**
   * Reassembly: a seam inside an HEVC tile is proven when the tiles on both
   * sides parse, slice data included, to their exact ends (seams.ts).
   */
  proveSeams(reader: Reader, seams: readonly number[]): readonly SeamProof[] {
    const top = scanTopLevel(reader, 0, reader.size);
    if (!top.meta?.ok) return seams.map(() => ({ verdict: 'unknown' as const }));
    return proveSeams(reader, top.meta.meta, seams);
  },

  async describe(reader: Reader, result: CarveResult, options?: DescribeOptions): Promise<Metadata> {
    const start = result.byteRuns[0]!.imgOffset;
    const end = start + result.byteRuns.reduce((n, r) => n + r.length, 0);
    const decoded = options?.verifyDecode && result.status === 'complete' ? await verifyDecode(reader, start, end - start) : {};
    return { ...(await exifMetadata(reader, start, end)), ...decoded };
  },
};

/** EXIF of the file's Exif item, via exifr on the TIFF bytes the carver located. */
async function exifMetadata(reader: Reader, start: number, end: number): Promise<Metadata> {
  const meta = scanTopLevel(reader, start, end).meta;
  const tiff = meta?.ok ? exifTiff(reader, meta.meta, start, end) : null;
  return tiff ? describeTiff(tiff) : {};
}

/**
 * The hvc1 items stored as one extent with 4-byte NAL lengths (grid tiles, of
 * one slice NAL unit each in phones; whole images of several in cameras), in
 * file order: the anchors reassembly looks for.
 */
function nalTiles(reader: Reader, meta: HeifMeta): { offset: number; length: number }[] {
  const out: { offset: number; length: number }[] = [];
  for (const { itemId, extents } of hevcItems(meta)) {
    const hvcC = itemProperties(meta, itemId).find((p) => p.type === 'hvcC');
    const conf = hvcC ? reader.bytes(hvcC.box.start + hvcC.box.headerSize, 22) : null;
    if (!conf || conf.length < 22 || (conf[21]! & 3) !== 3) continue;
    if (extents.length !== 1 || extents[0]!.length < 8) continue;
    out.push(extents[0]!);
  }
  return out.sort((a, b) => a.offset - b.offset);
}

/** Top-level boxes looked at after a carve, at most (a device writes a handful). */
const MAX_TOP_LEVEL = 4096;

/**
 * A carved file's top-level boxes from `start`: its meta box, parsed, and
 * where its last mdat ends (for mdat-first files whose meta is elsewhere).
 */
function scanTopLevel(reader: Reader, start: number, end: number): { meta: MetaParse | null; mdatEnd: number | null } {
  const budget = new BoxBudget(BOX_BUDGET.boxes, BOX_BUDGET.maxDepth);
  let mdatEnd: number | null = null;
  for (let at = start, n = 0; at < end && n < MAX_TOP_LEVEL; n++) {
    const box = readBoxHeader(reader, at, end);
    if (!box || (n > 0 && !TOP_LEVEL.has(box.type))) break;
    if (box.type === 'meta') return { meta: parseMeta(reader, box, budget), mdatEnd };
    if (box.type === 'mdat' && !box.toEnd) mdatEnd = box.end;
    at = box.end;
  }
  return { meta: null, mdatEnd };
}

/**
 * Where to cut a file whose item data is known good up to `goodUntil`: at
 * the sector boundary before it (a file system overwrites whole sectors, so
 * foreign data starts on one) when the file starts on a sector, else there.
 * Null when that is not past all metadata: then nothing is cut.
 */
function goodPartEnd(offset: number, goodUntil: number, metaEnd: number): number | null {
  const cut = sectorFloor(offset, goodUntil);
  return cut >= metaEnd && cut > offset ? cut : null;
}

function ftypBrands(reader: Reader, ftyp: BoxHeader): string[] {
  const b = reader.bytes(ftyp.start + 8, ftyp.size - 8);
  const out = [String.fromCharCode(...b.subarray(0, 4))];
  for (let i = 8; i + 4 <= b.length; i += 4) out.push(String.fromCharCode(...b.subarray(i, i + 4)));
  return out;
}

/** Image offset just past the last byte any file-offset item uses. */
function itemsEnd(meta: HeifMeta, fileStart: number): number {
  let end = fileStart;
  for (const loc of meta.locations.values()) {
    if (loc.constructionMethod !== 0 || loc.dataReferenceIndex !== 0) continue;
    for (const e of loc.extents) end = Math.max(end, fileStart + e.offset + e.length);
  }
  return end;
}

function heifMetadata(reader: Reader, meta: HeifMeta, brands: string[], layout: string, types: Record<string, number>): Metadata {
  const out: Metadata = { brand: brands[0]!, compatibleBrands: brands.slice(1).join(','), boxes: layout, items: meta.items.size };
  const primary = meta.primaryItemId;
  if (primary !== null) {
    out['primaryItemType'] = meta.items.get(primary)?.itemType ?? '';
    const ispe = itemProperties(meta, primary).find((p) => p.type === 'ispe');
    if (ispe) {
      const b = reader.bytes(ispe.box.start + ispe.box.headerSize + 4, 8);
      if (b.length === 8) {
        out['width'] = u32be(b, 0);
        out['height'] = u32be(b, 4);
      }
    }
    out['tiles'] = meta.references.filter((r) => r.type === 'dimg' && r.from === primary).reduce((n, r) => n + r.to.length, 0);
  }
  const count = (type: string): number => meta.references.filter((r) => r.type === type).length;
  out['thumbnails'] = count('thmb');
  out['auxiliaryImages'] = count('auxl');
  out['derivedImages'] = count('dimg');
  out['itemTypes'] = Object.entries(types).map(([t, n]) => `${t}:${n}`).join(',');
  return out;
}
