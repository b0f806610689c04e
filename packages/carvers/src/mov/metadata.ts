/**
 * Movie metadata from the parsed moov: mvhd times, the first video track,
 * QuickTime user data (udta ©mak/©mod/©xyz: QuickTime File Format "user data
 * text", a 16-bit length and language then the text) and the Apple metadata
 * item list (moov/meta with keys + ilst: key names like
 * com.apple.quicktime.make, values in 'data' boxes).
 */
import { BoxBudget, childBoxes, findBox, fourcc, payload, u32be, type BoxHeader, type Metadata, type Reader } from '@rawcarve/core';
import type { Movie } from './moov.js';

/** Seconds from 1904-01-01 (QuickTime / ISO BMFF epoch) to 1970-01-01. */
const EPOCH_1904 = 2_082_844_800;
const MAX_TEXT = 4096;

const KEY_NAMES: Record<string, string> = {
  'com.apple.quicktime.make': 'make',
  'com.apple.quicktime.model': 'model',
  'com.apple.quicktime.location.ISO6709': 'gps',
  'com.apple.quicktime.creationdate': 'creationDate',
  'com.apple.quicktime.content.identifier': 'contentIdentifier',
  'com.apple.quicktime.software': 'software',
};
const UDTA_NAMES: Record<string, string> = { '©mak': 'make', '©mod': 'model', '©xyz': 'gps', '©swr': 'software' };

export function movieMetadata(reader: Reader, movie: Movie, budget: BoxBudget): Metadata {
  const md: Metadata = {};
  if (movie.timescale > 0) md['duration'] = Math.round((movie.duration / movie.timescale) * 1000) / 1000;
  if (movie.creationTime > 0) {
    const ms = (movie.creationTime - EPOCH_1904) * 1000;
    if (ms > -8.64e15 && ms < 8.64e15) md['creationTime'] = new Date(ms).toISOString();
  }
  const video = movie.tracks.find((t) => t.handler === 'vide' && t.entries.length > 0);
  if (video) {
    const e = video.entries[0]!;
    md['codec'] = e.format;
    md['width'] = e.width || video.width;
    md['height'] = e.height || video.height;
  }
  md['tracks'] = movie.tracks.length;
  md['fragmented'] = movie.fragmented;
  const udta = findBox(movie.children, 'udta');
  if (udta) Object.assign(md, udtaText(reader, udta, budget));
  const meta = findBox(movie.children, 'meta');
  if (meta) Object.assign(md, metaItems(reader, meta, budget));
  const gps = typeof md['gps'] === 'string' ? parseIso6709(md['gps']) : null;
  if (gps) {
    md['latitude'] = gps.lat;
    md['longitude'] = gps.lon;
  }
  return md;
}

function udtaText(reader: Reader, udta: BoxHeader, budget: BoxBudget): Metadata {
  const md: Metadata = {};
  for (const b of childBoxes(reader, payload(udta), udta.end, budget).boxes) {
    // ffmpeg (use_metadata_tags) writes the keys/ilst meta inside udta; Apple puts it in moov.
    if (b.type === 'meta') Object.assign(md, metaItems(reader, b, budget));
    const name = UDTA_NAMES[b.type];
    if (!name) continue;
    const p = reader.bytes(payload(b), Math.min(b.end - payload(b), MAX_TEXT));
    if (p.length < 4) continue;
    const len = (p[0]! << 8) | p[1]!;
    const text = utf8(p.subarray(4, 4 + len));
    if (text) md[name] = text;
  }
  return md;
}

/** QuickTime 'meta' has no version/flags; ISO 'meta' is a full box. Tell them apart by where 'hdlr' sits. */
function metaChildren(reader: Reader, meta: BoxHeader, budget: BoxBudget): BoxHeader[] {
  const head = reader.bytes(payload(meta), 12);
  const full = head.length >= 12 && fourcc(head, 8) === 'hdlr';
  return childBoxes(reader, payload(meta) + (full ? 4 : 0), meta.end, budget).boxes;
}

function metaItems(reader: Reader, meta: BoxHeader, budget: BoxBudget): Metadata {
  const kids = metaChildren(reader, meta, budget);
  const keysBox = findBox(kids, 'keys');
  const ilst = findBox(kids, 'ilst');
  if (!keysBox || !ilst) return {};
  // keys: full box, entry_count, then [u32 size][u32 namespace][name].
  const keys: string[] = [];
  for (const k of childBoxes(reader, payload(keysBox) + 8, keysBox.end, budget).boxes) {
    keys.push(utf8(reader.bytes(payload(k), Math.min(k.end - payload(k), 256))));
  }
  const md: Metadata = {};
  // ilst items are typed by the 1-based index of their key: binary types that readBoxHeader (printable types only) refuses.
  const list = reader.bytes(payload(ilst), Math.min(ilst.end - payload(ilst), 1 << 20));
  for (let at = 0, n = 0; at + 8 <= list.length && n < 1000; n++) {
    const size = u32be(list, at);
    if (size < 8 || at + size > list.length) break;
    const name = KEY_NAMES[keys[u32be(list, at + 4) - 1] ?? ''];
    const text = name ? dataText(list.subarray(at + 8, at + size)) : '';
    if (name && text) md[name] = text;
    at += size;
  }
  return md;
}

/** The UTF-8 value of an item's first 'data' box: [size]['data'][u32 type indicator (1 = UTF-8)][u32 locale][value]. */
function dataText(item: Uint8Array): string {
  if (item.length < 16 || fourcc(item, 4) !== 'data' || u32be(item, 8) !== 1) return '';
  const size = Math.min(u32be(item, 0), item.length, MAX_TEXT);
  return size > 16 ? utf8(item.subarray(16, size)) : '';
}

function utf8(b: Uint8Array): string {
  return Buffer.from(b).toString('utf8').replace(/\0+$/, '').trim();
}

/** "+37.7858-122.4064+000.000/" → decimal degrees (the ±DD.DDDD±DDD.DDDD form devices write). */
export function parseIso6709(s: string): { lat: number; lon: number } | null {
  const m = /^([+-]\d{2}(?:\.\d+)?)([+-]\d{3}(?:\.\d+)?)/.exec(s);
  if (!m) return null;
  const lat = Number(m[1]);
  const lon = Number(m[2]);
  return Math.abs(lat) <= 90 && Math.abs(lon) <= 180 ? { lat, lon } : null;
}
