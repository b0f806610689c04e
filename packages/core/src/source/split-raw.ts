import { closeSync, existsSync, fstatSync, openSync, readSync, constants } from 'node:fs';
import { ImageReadError, type ImageSource } from './image-source.js';

/**
 * The parts of a split raw image, when `path` names its first part:
 * `image.001` (or `.000`), `image.002`, … (any width, `image.raw.001` too),
 * or `image.aa`, `image.ab`, … (GNU split). Null when the name is not a first
 * part or no second part sits beside it: then it is an ordinary raw file.
 */
export function splitRawParts(path: string): string[] | null {
  const m = /\.(\d{3,}|[a-z]{2,}|[A-Z]{2,})$/.exec(path);
  if (!m) return null;
  const ext = m[1]!;
  const base = path.slice(0, m.index + 1);
  if (!/^0*[01]$/.test(ext) && !/^a+$/i.test(ext)) return null;
  const parts = [path];
  for (let name = nextName(ext); name !== null; name = nextName(name)) {
    if (!existsSync(base + name)) break;
    parts.push(base + name);
  }
  return parts.length > 1 ? parts : null;
}

/** The next extension of the same width: 001 → 002, aa → ab, az → ba; null past 999 / zz. */
function nextName(ext: string): string | null {
  if (/^\d+$/.test(ext)) {
    const n = String(Number(ext) + 1).padStart(ext.length, '0');
    return n.length === ext.length ? n : null;
  }
  const lower = ext === ext.toLowerCase();
  const digits = [...ext.toLowerCase()].map((c) => c.charCodeAt(0) - 97);
  let i = digits.length - 1;
  while (i >= 0 && digits[i] === 25) digits[i--] = 0;
  if (i < 0) return null;
  digits[i]!++;
  const s = digits.map((d) => String.fromCharCode(97 + d)).join('');
  return lower ? s : s.toUpperCase();
}

/**
 * A raw image split into parts, read as their concatenation. Every part is
 * opened read-only; reads that cross a part boundary continue in the next one.
 */
export class SplitRawSource implements ImageSource {
  /** Always "split-raw". */
  readonly kind = 'split-raw';
  /** Total size of all parts in bytes. */
  readonly size: number;
  private readonly fds: number[] = [];
  /** starts[i]: image offset of part i's first byte; starts[parts] = size. */
  private readonly starts: number[] = [0];

  constructor(
    readonly path: string,
    readonly parts: readonly string[],
  ) {
    try {
      for (const p of parts) {
        const fd = openSync(p, constants.O_RDONLY);
        this.fds.push(fd);
        const st = fstatSync(fd);
        if (!st.isFile()) throw new Error(`${p}, a part of split image ${path}, is not a regular file`);
        this.starts.push(this.starts[this.starts.length - 1]! + st.size);
      }
    } catch (err) {
      this.close();
      throw err;
    }
    this.size = this.starts[this.starts.length - 1]!;
  }

  /** See {@link ImageSource.readInto}. */
  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number): number {
    const want = Math.max(0, Math.min(length, this.size - offset));
    let done = 0;
    let part = this.partAt(offset);
    try {
      while (done < want && part < this.fds.length) {
        const at = offset + done - this.starts[part]!;
        const inPart = this.starts[part + 1]! - this.starts[part]! - at;
        if (inPart <= 0) {
          part++;
          continue;
        }
        const n = readSync(this.fds[part]!, into, intoOffset + done, Math.min(want - done, inPart), at);
        if (n === 0) break; // the part shrank under us: a short read
        done += n;
      }
    } catch (err) {
      throw new ImageReadError(this.path, offset + done, want - done, err);
    }
    return done;
  }

  /** See {@link ImageSource.close}. */
  close(): void {
    for (const fd of this.fds.splice(0)) closeSync(fd);
  }

  /** The part holding image offset `offset` (binary search over the part starts). */
  private partAt(offset: number): number {
    let lo = 0;
    let hi = this.fds.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid]! <= offset) lo = mid;
      else hi = mid - 1;
    }
    return lo;
  }
}
