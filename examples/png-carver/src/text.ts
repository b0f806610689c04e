/**
 * Text and time chunks for describe(): tEXt (Latin-1 keyword and text),
 * iTXt (UTF-8, uncompressed only) and tIME, read from the chunks before the
 * image data. Bounded: a few entries, short values.
 */
import { u16be, u32be, type Metadata, type MetadataValue, type Reader } from '@rawcarve/core';

const MAX_TEXTS = 16;
const MAX_TEXT = 512;

/** Metadata from the text and time chunks of the PNG at image offset `start` whose first `length` bytes are readable in place. */
export function readTextChunks(reader: Reader, start: number, length: number, maxChunks: number): Metadata {
  const text: { [key: string]: MetadataValue } = {};
  let modified: string | undefined;
  let entries = 0;
  for (let at = 8, n = 0; at + 12 <= length && n < maxChunks; n++) {
    const h = reader.bytes(start + at, 8);
    if (h.length < 8) break;
    const len = u32be(h, 0);
    const type = String.fromCharCode(h[4]!, h[5]!, h[6]!, h[7]!);
    if (type === 'IDAT' || type === 'IEND' || at + 12 + len > length) break;
    if ((type === 'tEXt' || type === 'iTXt') && entries < MAX_TEXTS && len <= 64 * 1024) {
      const entry = parseText(type, reader.bytes(start + at + 8, len));
      if (entry) {
        text[entry[0]] = entry[1];
        entries++;
      }
    } else if (type === 'tIME' && len === 7) {
      const t = reader.bytes(start + at + 8, 7);
      const iso = Date.UTC(u16be(t, 0), t[2]! - 1, t[3], t[4], t[5], t[6]);
      if (Number.isFinite(iso)) modified = new Date(iso).toISOString();
    }
    at += 12 + len;
  }
  return { ...(entries > 0 ? { text } : {}), ...(modified ? { modified } : {}) };
}

function parseText(type: string, d: Uint8Array): [string, string] | null {
  const nul = d.indexOf(0);
  if (nul < 1 || nul > 79) return null;
  const key = latin1(d.subarray(0, nul));
  if (type === 'tEXt') return [key, latin1(d.subarray(nul + 1)).slice(0, MAX_TEXT)];
  // iTXt: keyword, 0, compression flag, method, language tag, 0, translated keyword, 0, text.
  if (d[nul + 1] !== 0) return null; // compressed iTXt: not inflated here
  const lang = d.indexOf(0, nul + 3);
  const translated = lang < 0 ? -1 : d.indexOf(0, lang + 1);
  if (translated < 0) return null;
  return [key, new TextDecoder('utf-8', { fatal: false }).decode(d.subarray(translated + 1)).slice(0, MAX_TEXT)];
}

const latin1 = (b: Uint8Array): string => String.fromCharCode(...b.subarray(0, MAX_TEXT));
