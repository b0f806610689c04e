import type { Carver, Signature } from '../carver.js';

/** One signature of one carver, ready for matching. */
export interface IndexedSignature {
  readonly carver: number; // index into the carver list
  readonly offset: number;
  readonly bytes: Uint8Array;
  readonly mask: Uint8Array | null;
}

/**
 * PhotoRec's idea: bucket signatures by the byte they start with, so testing
 * a position is an array index and (rarely) a compare. Signatures sitting at
 * different offsets from the file start (ISO BMFF "ftyp" at 4) get a table each.
 */
export class SignatureIndex {
  /** Distinct signature offsets, each with a 256-way table. */
  readonly groups: { offset: number; table: (IndexedSignature[] | undefined)[] }[] = [];
  /** Bytes a signature test may look at past a candidate position (offset + length): the scanner's minimum margin. */
  readonly span: number;

  constructor(carvers: readonly Carver[]) {
    let span = 1;
    for (let c = 0; c < carvers.length; c++) {
      for (const sig of carvers[c]!.signatures) {
        const s = indexed(c, sig, carvers[c]!.name);
        let group = this.groups.find((g) => g.offset === s.offset);
        if (!group) {
          group = { offset: s.offset, table: new Array<IndexedSignature[] | undefined>(256).fill(undefined) };
          this.groups.push(group);
        }
        (group.table[s.bytes[0]!] ??= []).push(s);
        span = Math.max(span, s.offset + s.bytes.length);
      }
    }
    this.span = span;
  }

  /**
   * Carvers (indices) whose signatures match at buf[pos]. `buf` must hold at
   * least `span` bytes past pos or the test fails safe (no match). Calls
   * `onMatch` at most once per carver and position.
   */
  match(buf: Uint8Array, pos: number, onMatch: (carver: number) => void): void {
    let lastCarver = -1;
    for (const group of this.groups) {
      const at = pos + group.offset;
      if (at >= buf.length) continue;
      const list = group.table[buf[at]!];
      if (list === undefined) continue;
      for (const s of list) {
        if (s.carver !== lastCarver && matchesAt(buf, at, s)) {
          lastCarver = s.carver;
          onMatch(s.carver);
        }
      }
    }
  }

  /** Every distinct (offset, first byte) pair: what a byte-level search looks for with indexOf. */
  firstBytes(): { offset: number; byte: number }[] {
    const out: { offset: number; byte: number }[] = [];
    for (const g of this.groups) g.table.forEach((list, byte) => list && out.push({ offset: g.offset, byte }));
    return out;
  }

  /** True when a run of byte `v` could contain a whole signature (then uniform blocks can't be skipped). */
  uniformCanMatch(v: number): boolean {
    return this.groups.some((g) => (g.table[v] ?? []).some((s) => s.bytes.every((b, i) => (v & (s.mask?.[i] ?? 0xff)) === b)));
  }
}

function indexed(carver: number, sig: Signature, name: string): IndexedSignature {
  const offset = sig.offset ?? 0;
  if (sig.bytes.length < 1 || offset < 0 || !Number.isInteger(offset)) {
    throw new Error(`carver ${name}: a signature needs at least one byte and a non-negative integer offset`);
  }
  if (sig.mask && sig.mask.length !== sig.bytes.length) {
    throw new Error(`carver ${name}: signature mask and bytes differ in length`);
  }
  return {
    carver,
    offset,
    bytes: Uint8Array.from(sig.bytes),
    mask: sig.mask ? Uint8Array.from(sig.mask, (m, i) => (i === 0 ? 0xff : m)) : null,
  };
}

function matchesAt(buf: Uint8Array, at: number, s: IndexedSignature): boolean {
  const n = s.bytes.length;
  if (at + n > buf.length) return false;
  const mask = s.mask;
  for (let i = 1; i < n; i++) {
    const b = mask === null ? buf[at + i]! : buf[at + i]! & mask[i]!;
    if (b !== s.bytes[i]) return false;
  }
  return true;
}
