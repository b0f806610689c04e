/**
 * A Reader over a candidate assembly of fragments: file offset 0 is the first
 * fragment's first byte, and the last fragment runs on to the image end, so a
 * carver validates the assembly exactly as it validates a contiguous file.
 */
import type { ByteRun } from '../carver.js';
import type { Reader } from '../reader/reader.js';

/** One fragment of a trial assembly. */
export interface Piece {
  /** Image offset of the piece's first byte. */
  readonly img: number;
  /** Bytes; the last piece's length is ignored (it runs to the image end). */
  readonly length: number;
}

/** Reads a trial assembly of fragments as one file (file offset 0 = the first piece's first byte). */
export class FragmentReader implements Reader {
  /** Bytes of the assembly (the last piece runs to the image end). */
  readonly size: number;
  /** File offset where each piece starts. */
  private readonly starts: number[] = [];
  private readonly lengths: number[] = [];

  constructor(
    private readonly image: Reader,
    private readonly pieces: readonly Piece[],
  ) {
    let at = 0;
    pieces.forEach((p, i) => {
      const len = Math.max(0, i === pieces.length - 1 ? image.size - p.img : Math.min(p.length, image.size - p.img));
      this.starts.push(at);
      this.lengths.push(len);
      at += len;
    });
    this.size = at;
  }

  private pieceAt(offset: number): number {
    for (let i = this.starts.length - 1; i >= 0; i--) if (offset >= this.starts[i]!) return i;
    return 0;
  }

  /** The assembly's bytes [offset, offset + length), copied when they span pieces. */
  bytes(offset: number, length: number): Uint8Array {
    if (offset >= this.size || length <= 0) return new Uint8Array(0);
    const want = Math.min(length, this.size - offset);
    const i = this.pieceAt(offset);
    const inPiece = offset - this.starts[i]!;
    if (inPiece + want <= this.lengths[i]!) return this.image.bytes(this.pieces[i]!.img + inPiece, want);
    const out = new Uint8Array(want);
    let done = 0;
    for (let k = i; k < this.pieces.length && done < want; k++) {
      const from = k === i ? inPiece : 0;
      const n = Math.min(want - done, this.lengths[k]! - from);
      out.set(this.image.bytes(this.pieces[k]!.img + from, n), done);
      done += n;
    }
    return out;
  }

  /** A zero-copy view from `offset` to the end of its piece at most. */
  chunk(offset: number, maxLength: number): Uint8Array {
    if (offset >= this.size) return new Uint8Array(0);
    const i = this.pieceAt(offset);
    const inPiece = offset - this.starts[i]!;
    return this.image.chunk(this.pieces[i]!.img + inPiece, Math.min(maxLength, this.lengths[i]! - inPiece));
  }

  /** The image runs holding file bytes [0, length), in file order. */
  runs(length: number): ByteRun[] {
    const out: ByteRun[] = [];
    for (let i = 0; i < this.pieces.length; i++) {
      const from = this.starts[i]!;
      if (from >= length) break;
      const n = Math.min(this.lengths[i]!, length - from);
      if (n > 0) out.push({ imgOffset: this.pieces[i]!.img, fileOffset: from, length: n });
    }
    return out;
  }
}
