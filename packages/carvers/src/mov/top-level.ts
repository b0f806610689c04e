/**
 * The top-level box walk of a QuickTime / ISO BMFF movie (ISO/IEC 14496-12
 * §4.2, QuickTime File Format "atoms"). A movie has no end marker: the file
 * ends with its last top-level box, so the walk goes box by box from the
 * candidate and stops at the first thing that cannot belong to the file.
 */
import { readBoxHeader, type BoxHeader, type Reader } from '@rawcarve/core';

/** Top-level types a camera, phone or muxer writes. Anything else ends the file. */
const TOP_LEVEL = new Set([
  'ftyp', 'wide', 'free', 'skip', 'mdat', 'moov', 'moof', 'mfra', 'sidx', 'ssix', 'styp', 'prft', 'emsg', 'pdin',
  // Trailers: Samsung's sefd, XMP/vendor uuid boxes, QuickTime meta/udta at top level, Apple pnot previews.
  'uuid', 'meta', 'udta', 'sefd', 'pnot', 'junk',
]);

/** More top-level boxes than this is not a movie a device wrote (a 10 h DASH file has ~40k fragments). */
const MAX_TOP_LEVEL = 200_000;

export interface TopLevelWalk {
  /** Boxes in file order. A box cut by the image end keeps its stated end. */
  boxes: BoxHeader[];
  /** Image offset where the file's boxes end (never past the image or the size limit). */
  end: number;
  /** The image (or the size limit) ends inside the last box: the file was cut. */
  cut: boolean;
  /** Why the walk stopped before reaching the image end, for notes. */
  stop: string;
}

/**
 * Walks top-level boxes from `offset`. Stops at the first non-box, at an
 * unknown type, at a second ftyp or moov (another file follows), after mfra
 * (always the last box of a fragmented file), or at a size-0 box (it runs to
 * the file's end, which only the sample tables can tell: see index.ts).
 */
export function walkTopLevel(reader: Reader, offset: number, limit: number): TopLevelWalk {
  const boxes: BoxHeader[] = [];
  const hardEnd = Math.min(reader.size, limit);
  let at = offset;
  let stop = 'image end';
  while (at < hardEnd) {
    if (boxes.length >= MAX_TOP_LEVEL) {
      stop = `more than ${MAX_TOP_LEVEL} top-level boxes`;
      break;
    }
    // Headers are read against the image, not the limit: a box past the limit is cut, not garbage.
    const box = readBoxHeader(reader, at, Math.max(reader.size, at + 8));
    if (!box) {
      stop = `no box header at image offset ${at}`;
      break;
    }
    if (!TOP_LEVEL.has(box.type)) {
      stop = `'${printable(box.type)}' at image offset ${at} is not a top-level movie box`;
      break;
    }
    if (boxes.length > 0 && (box.type === 'ftyp' || (box.type === 'moov' && boxes.some((b) => b.type === 'moov')))) {
      stop = `second '${box.type}' at image offset ${at}: another file starts`;
      break;
    }
    if (box.toEnd && box.type !== 'mdat') {
      // Only media data may run "to the end of the file"; a size-0 moov or ftyp is damage.
      stop = `size-0 '${printable(box.type)}' at image offset ${at}`;
      break;
    }
    if (boxes.length === 0 && box.type !== 'ftyp' && box.toEnd) {
      // A file without ftyp that starts with a size-0 box is not something we can delimit.
      stop = `size-0 '${box.type}' at image offset ${at}`;
      break;
    }
    boxes.push(box);
    if (box.toEnd) {
      stop = `size-0 '${box.type}' at image offset ${at} runs to the end of the file`;
      break;
    }
    if (box.end > hardEnd) return { boxes, end: hardEnd, cut: true, stop: box.end > limit && limit < reader.size ? 'size limit' : 'image end' };
    at = box.end;
    if (box.type === 'mfra') {
      stop = `'mfra' at image offset ${box.start} ends a fragmented file`;
      break;
    }
  }
  const last = boxes[boxes.length - 1];
  const end = last ? (last.toEnd ? last.start + last.headerSize : last.end) : offset;
  return { boxes, end, cut: false, stop };
}

function printable(type: string): string {
  return type.replace(/[^\x20-\x7e©]/g, '?');
}
