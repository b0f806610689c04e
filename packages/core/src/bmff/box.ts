/**
 * ISO BMFF / QuickTime box headers (ISO/IEC 14496-12 §4.2). Shared by the
 * HEIC and MOV/MP4 carvers and by any plugin for a BMFF-based format.
 *
 * Every size field may lie: a header is only returned when its size is
 * possible (≥ its own header), and callers compare `end` with their limit
 * (a box that runs past the image means the file was cut). Nested walks take
 * a BoxBudget so a hostile tree (millions of tiny boxes, deep nesting) costs
 * bounded work.
 */
import { fourcc, u32be, u64be, type Reader } from '../reader/reader.js';

/** A box header as read from the image: where the box is and how big it says it is. */
export interface BoxHeader {
  /** Four-character code, e.g. 'moov' ('©xyz' style codes keep their 0xA9 as '©'). */
  readonly type: string;
  /** Image offset of the box's first byte. */
  readonly start: number;
  /** Header bytes: 8, 16 with a 64-bit largesize, +16 for a uuid usertype. */
  readonly headerSize: number;
  /** Total size in bytes (for size 0, up to the limit given to readBoxHeader). */
  readonly size: number;
  /** start + size. May exceed the limit: the caller decides what that means. */
  readonly end: number;
  /** The size field was 0: the box runs to the end of its container (file). */
  readonly toEnd: boolean;
  /** For 'uuid' boxes: the 16-byte extended type, as 32 hex digits. */
  readonly usertype?: string;
}

/** Payload start (first byte after the header). */
export const payload = (b: BoxHeader): number => b.start + b.headerSize;

/** A type code every byte of which is printable ASCII (or © as QuickTime uses). */
export function isPlausibleType(b: Uint8Array, i: number): boolean {
  for (let k = i; k < i + 4; k++) {
    const c = b[k]!;
    if (!((c >= 0x20 && c <= 0x7e) || c === 0xa9)) return false;
  }
  return true;
}

/**
 * Reads the box header at `at`. Returns null when it cannot be one: fewer
 * than 8 bytes before `limit`, an unprintable type, or a size smaller than
 * the header itself. Size 0 resolves to `limit`.
 */
export function readBoxHeader(reader: Reader, at: number, limit: number): BoxHeader | null {
  if (at < 0 || at + 8 > limit) return null;
  const h = reader.bytes(at, 32);
  if (h.length < 8 || !isPlausibleType(h, 4)) return null;
  const type = fourcc(h, 4);
  let size = u32be(h, 0);
  let headerSize = 8;
  let toEnd = false;
  if (size === 1) {
    if (h.length < 16 || at + 16 > limit) return null;
    size = u64be(h, 8);
    headerSize = 16;
    if (!Number.isFinite(size)) return null;
  } else if (size === 0) {
    toEnd = true;
    size = limit - at;
  }
  let usertype: string | undefined;
  if (type === 'uuid') {
    if (h.length < headerSize + 16) return null;
    usertype = Buffer.from(h.subarray(headerSize, headerSize + 16)).toString('hex');
    headerSize += 16;
  }
  if (size < headerSize) return null;
  return usertype === undefined
    ? { type, start: at, headerSize, size, end: at + size, toEnd }
    : { type, start: at, headerSize, size, end: at + size, toEnd, usertype };
}

/** What `new BoxBudget()` allows one candidate: boxes read in all, and the deepest nesting. */
export const BOX_BUDGET_DEFAULTS: { readonly boxes: number; readonly maxDepth: number } = { boxes: 100_000, maxDepth: 16 };

/** Work limits for one candidate's box tree. */
export class BoxBudget {
  constructor(
    /** Boxes that may still be read. */
    public boxes: number = BOX_BUDGET_DEFAULTS.boxes,
    /** Deepest nesting allowed. */
    readonly maxDepth: number = BOX_BUDGET_DEFAULTS.maxDepth,
  ) {}
  /** Takes one box from the budget; false once it is spent. */
  take(): boolean {
    if (this.boxes <= 0) return false;
    this.boxes--;
    return true;
  }
}

/** The result of {@link childBoxes}. */
export interface ChildList {
  /** The boxes found, in order (all of them up to where the walk stopped). */
  boxes: BoxHeader[];
  /** Why the list ended before `end`, or undefined when the children tile [start, end) exactly. */
  problem?: string;
}

/**
 * The boxes that tile [start, end) (a container's payload). Stops at the
 * first header that is not a box or that runs past `end`, and says so.
 */
export function childBoxes(reader: Reader, start: number, end: number, budget: BoxBudget): ChildList {
  const boxes: BoxHeader[] = [];
  let at = start;
  while (at < end) {
    if (end - at < 8) {
      // QuickTime allows a 4-byte zero terminator at the end of some containers (udta).
      const rest = reader.bytes(at, end - at);
      if (rest.length === 4 && rest.every((x) => x === 0)) return { boxes };
      return { boxes, problem: `${end - at} stray bytes at image offset ${at}` };
    }
    if (!budget.take()) return { boxes, problem: `box budget spent at image offset ${at}` };
    const box = readBoxHeader(reader, at, end);
    if (!box) return { boxes, problem: `no valid box header at image offset ${at}` };
    // Size 0 ("to the end of the file") is for the last top-level box only (§4.2): inside a container it is damage.
    if (box.toEnd) return { boxes, problem: `box '${box.type}' at image offset ${at} has size 0 inside a container` };
    if (box.end > end) return { boxes, problem: `box '${box.type}' at image offset ${at} runs ${box.end - end} bytes past its container` };
    boxes.push(box);
    at = box.end;
  }
  return { boxes };
}

/** The first child of a type, or undefined. */
export function findBox(list: readonly BoxHeader[], type: string): BoxHeader | undefined {
  return list.find((b) => b.type === type);
}

/** Version and flags of a full box (§4.2.2), read from its payload. */
export function fullBoxHeader(reader: Reader, box: BoxHeader): { version: number; flags: number } | null {
  if (box.size < box.headerSize + 4) return null;
  const b = reader.bytes(payload(box), 4);
  if (b.length < 4) return null;
  return { version: b[0]!, flags: (b[1]! << 16) | (b[2]! << 8) | b[3]! };
}
