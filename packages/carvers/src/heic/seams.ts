/**
 * Seam proofs for fragment reassembly (Carver.proveSeams): the HEVC tile
 * holding each side of a seam must parse, slice data included, to exactly
 * its end. Lengths and headers cannot tell where inside a tile one fragment
 * stops and random data or another photo's tile begins; the CABAC parse can,
 * because foreign bytes put the arithmetic decoder out of step and the slice
 * no longer ends where its NAL unit does.
 */
import type { Extent, Reader, SeamProof } from '@rawcarve/core';
import { parseHvcC, parseIntraItem } from '../codecs/hevc/index.js';
import { CABAC_READ_AHEAD, seamVerdict } from '../seam-sides.js';
import { hevcItems, type ItemSpan } from './items.js';
import { itemProperties, type HeifMeta } from './meta.js';

/** Largest item parsed for a proof: a 512×512 tile is 50–400 KB; a whole-picture item of a camera can be a few MB. */
const MAX_ITEM_BYTES = 32 * 1024 * 1024;

/**
 * One verdict per seam (file offsets where a fragment starts, in an assembly
 * read from offset 0): proven when the tiles on both sides parse to their
 * exact ends, broken (with the file offset where the parse failed) when one
 * does not, unknown when a side lies in no HEVC item or uses a feature the
 * parser does not implement.
 */
export function proveSeams(reader: Reader, meta: HeifMeta, seams: readonly number[]): SeamProof[] {
  const spans = hevcItems(meta);
  const cache = new Map<number, SeamProof>();
  const judge = (span: ItemSpan): SeamProof => {
    let v = cache.get(span.itemId);
    if (!v) cache.set(span.itemId, (v = parseItem(reader, meta, span)));
    return v;
  };
  return seams.map((s) => seamVerdict(holder(spans, s - 1), holder(spans, s), judge));
}

function holder(spans: readonly ItemSpan[], at: number): ItemSpan | null {
  return spans.find((s) => s.extents.some((e) => at >= e.offset && at < e.offset + e.length)) ?? null;
}

function parseItem(reader: Reader, meta: HeifMeta, span: ItemSpan): SeamProof {
  const total = span.extents.reduce((n, e) => n + e.length, 0);
  const hvcC = itemProperties(meta, span.itemId).find((p) => p.type === 'hvcC');
  if (!hvcC || total > MAX_ITEM_BYTES) return { verdict: 'unknown' };
  const config = reader.bytes(hvcC.box.start + hvcC.box.headerSize, hvcC.box.size - hvcC.box.headerSize);
  const data = new Uint8Array(total);
  let filled = 0;
  for (const e of span.extents) {
    const b = reader.bytes(e.offset, e.length);
    if (b.length < e.length) return { verdict: 'broken', failedAt: e.offset + b.length };
    data.set(b, filled);
    filled += b.length;
  }
  const params = parseHvcC(config);
  if (params.ok !== true) return { verdict: 'unknown' };
  const r = parseIntraItem(params.params, data);
  if (r.ok === true) return { verdict: 'proven' };
  if (r.ok === null) return { verdict: 'unknown' };
  return { verdict: 'broken', failedAt: fileOffsetOf(span.extents, Math.min(r.bytePos + CABAC_READ_AHEAD, total - 1)) };
}

/** File offset of position `pos` in the item's data (its extents in order). */
function fileOffsetOf(extents: readonly Extent[], pos: number): number {
  let base = 0;
  for (const e of extents) {
    if (pos < base + e.length) return e.offset + (pos - base);
    base += e.length;
  }
  const last = extents[extents.length - 1]!;
  return last.offset + last.length;
}
