/**
 * rawcarve-png-carver: an example third-party carver plugin for PNG images,
 * written only against @rawcarve/core's public API.
 *
 * A PNG is proven chunk by chunk: each chunk's CRC-32 covers its type and
 * data, IHDR comes first (13 bytes), IEND last (empty). The file is
 * 'complete' only when the walk reaches IEND with every CRC valid; a cut or
 * overwritten file is 'truncated' at the end of its last valid chunk.
 *
 * Load it with `rawcarve scan IMAGE -o OUT --plugin ./examples/png-carver`.
 */
import {
  contiguous, distinctBytes, u32be,
  type Carver, type CarveContext, type CarveResult, type Metadata, type Reader, type ResumeMemo,
} from '@rawcarve/core';
import { MAX_CHUNKS, startState, walkChunks, type WalkState } from './chunks.js';
import { ihdrMetadata, parseIhdr } from './ihdr.js';
import { readTextChunks } from './text.js';

/** The 8-byte PNG signature (§5.2). */
export const PNG_SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a] as const;

/** Checkpoints kept per reassembly memo, and the file bytes between two of them. */
const MAX_CHECKPOINTS = 256;
const CHECKPOINT_EVERY = 64 * 1024;

/** The PNG carver: the object `--plugin` loads (also the module's default export). */
export const pngCarver: Carver = {
  name: 'png',
  version: '1.0.0',
  description: 'PNG images (example plugin): chunk walk with CRC-32 of every chunk, IHDR first, IEND last',
  extensions: ['png'],
  signatures: [{ bytes: PNG_SIGNATURE, description: 'PNG signature' }],
  maxFileSize: 1024 * 1024 * 1024,
  // Every byte after the signature is under a CRC: a wrong join never validates.
  checksEveryByte: true,

  carve(reader: Reader, offset: number, ctx: CarveContext): CarveResult | null {
    const sig = reader.bytes(offset, 8);
    if (sig.length < 8 || PNG_SIGNATURE.some((b, i) => sig[i] !== b)) return null;
    const limit = Math.min(reader.size - offset, ctx.maxFileSize);
    const state = resumeFrom(ctx.resume) ?? startState();
    const end = walkChunks(reader, offset, limit, state, (s) => remember(ctx.resume, s));
    if (end === null || state.ihdr === null) return null;
    const metadata: Metadata = { ...ihdrMetadata(state.ihdr), chunks: state.chunks, ...(state.animated ? { animated: true } : {}) };
    const dataStart = state.idatStart >= 0 ? { dataStart: state.idatStart } : {};
    const byteRuns = contiguous(offset, end.end);
    if (end.status === 'complete') return { status: 'complete', byteRuns, validFraction: 1, notes: state.notes, metadata, ...dataStart };
    return {
      status: end.status,
      byteRuns,
      // Damaged files were walked to IEND (every chunk but the bad ones proven); truncated ones to their last valid chunk.
      verifiedLength: end.verified,
      validFraction: end.status === 'damaged' ? 1 - state.badCrcs / Math.max(1, state.chunks) : end.verified / end.end,
      notes: state.notes,
      metadata,
      ...dataStart,
    };
  },

  /** Deflate-compressed image data uses most byte values in any 512 bytes; text, tables and padding do not. */
  couldContinue(block: Uint8Array): boolean {
    return distinctBytes(block) >= Math.min(64, block.length >> 3);
  },

  /** Picture facts from IHDR, plus the text (tEXt, iTXt) and time (tIME) chunks before the image data. */
  async describe(reader: Reader, result: CarveResult): Promise<Metadata> {
    const first = result.byteRuns[0]!;
    const ihdr = reader.bytes(first.imgOffset + 8, 25);
    const h = ihdr.length === 25 && u32be(ihdr, 0) === 13 ? parseIhdr(ihdr.subarray(8, 21)) : null;
    return { ...(h ? ihdrMetadata(h) : {}), ...readTextChunks(reader, first.imgOffset, first.length, MAX_CHUNKS) };
  },
};

/**
 * Reassembly validates many assemblies sharing a beginning: the state saved
 * at a chunk boundary before `stableUntil` is still right, so the walk
 * resumes there instead of checking the shared chunks' CRCs again.
 */
function resumeFrom(memo: ResumeMemo | undefined): WalkState | null {
  const saved = memo?.state as Map<number, WalkState> | undefined;
  if (!memo || !saved) return null;
  let best: WalkState | null = null;
  for (const [at, s] of saved) if (at <= memo.stableUntil && (best === null || at > best.at)) best = s;
  return best ? clone(best) : null;
}

function remember(memo: ResumeMemo | undefined, s: WalkState): void {
  if (!memo) return;
  const saved = (memo.state ??= new Map<number, WalkState>()) as Map<number, WalkState>;
  let last = 0;
  for (const at of saved.keys()) if (at <= s.at) last = Math.max(last, at);
  if (s.at - last < CHECKPOINT_EVERY || saved.size >= MAX_CHECKPOINTS || s.at > memo.stableUntil) return;
  saved.set(s.at, clone(s));
}

const clone = (s: WalkState): WalkState => ({ ...s, notes: [...s.notes] });

/** The carvers this module offers (the engine reads `carvers`, or `default`). */
export const carvers: readonly Carver[] = [pngCarver];
/** The PNG carver, for loaders that take a module's default export. */
export default pngCarver;
