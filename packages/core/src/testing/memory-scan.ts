/**
 * The engine's scanning path without files or workers: signature search,
 * carving, overlap resolution and (optionally) fragment reassembly over an
 * image held in memory. Tests and plugin authors see what `rawcarve scan`
 * would keep, deterministically and in one thread.
 */
import type { Carver, CarveContext } from '../carver.js';
import { reassembleAll, type ReassemblyStats } from '../reassemble/index.js';
import { BufferReader } from '../reader/source-reader.js';
import { OverlapResolver } from '../resolve/overlaps.js';
import { carvePage, type Candidate, type ScanIssue } from '../scan/carve-page.js';
import { findCandidates, type Hit } from '../scan/find-candidates.js';
import { SignatureIndex } from '../scan/signature-index.js';

/** Options of {@link scanBuffer}. */
export interface MemoryScanOptions {
  /** Test signatures every `align` bytes (default 512, as `rawcarve scan`). */
  readonly align?: number;
  /** Run the reassembly pass on incomplete files (default true, as `rawcarve scan`). */
  readonly reassemble?: boolean;
  /** Cluster size for reassembly (default: inferred from where files start). */
  readonly blockSize?: number;
  /** Per carver name: the size limit passed in ctx.maxFileSize (default: the carver's own maxFileSize). */
  readonly maxFileSize?: Readonly<Record<string, number>>;
}

/** What {@link scanBuffer} kept. */
export interface MemoryScanResult {
  /** Files the engine would write, in image order (rebuilt files replace their first fragment). */
  readonly files: Candidate[];
  /** Carver failures and invalid results, with image offsets. */
  readonly issues: ScanIssue[];
  /** Signature hits and how many of them carvers rejected. */
  readonly hits: number;
  /** Hits whose carver returned null. */
  readonly rejected: number;
  /** The reassembly pass's totals, when it ran. */
  readonly reassembly?: ReassemblyStats;
}

/**
 * Scans `image` with `carvers` the way `rawcarve scan` does (one page holding
 * the whole image) and returns the files it would keep.
 *
 * @example
 * ```ts
 * const { files } = scanBuffer(image, [myCarver]);
 * expect(files.map((f) => f.offset)).toEqual([4096]);
 * ```
 */
export function scanBuffer(image: Uint8Array, carvers: readonly Carver[], opts: MemoryScanOptions = {}): MemoryScanResult {
  const align = opts.align ?? 512;
  const contexts: CarveContext[] = carvers.map((c) => ({ maxFileSize: opts.maxFileSize?.[c.name] ?? c.maxFileSize, align }));
  // Word-aligned storage, as the scanner's page buffers are.
  const win = image.byteOffset % 4 === 0 ? image : Uint8Array.from(image);
  const reader = new BufferReader(win);
  const hits: Hit[] = [];
  findCandidates(win, 0, 0, win.length, align, new SignatureIndex(carvers), hits);
  const page = carvePage(reader, hits, carvers, contexts);
  const resolver = new OverlapResolver();
  for (const c of [...page.candidates].sort((a, b) => a.offset - b.offset)) resolver.add(c);
  let files = resolver.ready(Infinity).map((k) => k.candidate);
  const base = { issues: page.issues, hits: hits.length, rejected: page.rejected };
  if (opts.reassemble === false || files.every((f) => f.status === 'complete')) return { files, ...base };
  const byName = new Map(carvers.map((c, i) => [c.name, contexts[i]!]));
  const { rebuilt, notes, stats } = reassembleAll(reader, files, carvers, byName, opts.blockSize ? { blockSize: opts.blockSize } : {});
  files = files.map((c): Candidate => {
    const r = rebuilt.get(c.offset);
    if (r) return { ...r, carver: c.carver, offset: c.offset };
    const note = notes.get(c.offset);
    return note ? { ...c, notes: [...c.notes, note] } : c;
  });
  return { files, ...base, reassembly: stats };
}
