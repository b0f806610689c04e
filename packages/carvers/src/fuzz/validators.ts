/**
 * Independent second opinions on a carved file the carver called complete:
 * real decoders, not our validators. djpeg -strict (libjpeg-turbo: any
 * warning is fatal) for JPEG, heif-convert (libheif, decodes the primary
 * image) for HEIC, ffmpeg -xerror (decodes every stream) for MOV/MP4. Files
 * over DECODE_LIMIT (real camera HEICs and movies) are only parsed by
 * libheif (heif-info) or demuxed by ffmpeg (-c copy): their decode takes
 * seconds. A mutant they accept is a valid file: "undetectable by design"
 * rather than a false complete. Results are cached by content hash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { closeSync, mkdtempSync, openSync, readSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { jpegLayout } from './jpeg-layout.js';
import type { Format } from './regions.js';

/** valid-video: every stream the carver parses (video of a known codec) decodes; only audio or an unknown codec fails. */
export type Opinion = 'valid' | 'valid-video' | 'invalid' | 'unavailable';

/**
 * Called around every external decoder run (the fuzz script pauses its hang
 * watchdog: a decoder's time is not the carver's).
 */
export const validatorHooks: { before?: () => void; after?: () => void } = {};

const has = (tool: string): boolean => spawnSync('which', [tool]).status === 0;
const TOOLS: Record<Format, string> = { jpeg: 'djpeg', heic: 'heif-convert', mov: 'ffmpeg' };
const available = new Map<string, boolean>();

export function validatorAvailable(format: Format): boolean {
  const t = TOOLS[format];
  if (!available.has(t)) available.set(t, has(t));
  return available.get(t)!;
}

let dir: string | null = null;
function workDir(): string {
  if (!dir) {
    dir = mkdtempSync(join(tmpdir(), 'rawcarve-fuzz-validate-'));
    process.once('exit', () => rmSync(dir!, { recursive: true, force: true }));
  }
  return dir;
}

const cache = new Map<string, { opinion: Opinion; why: string }>();
const AUDIO_DECODERS = /^\[(aac|mp3|mp3float|mp2|ac3|eac3|opus|vorbis|flac|alac|amrnb|amrwb|pcm_[a-z0-9]+|adpcm_[a-z0-9_]+|gsm|qdm2|qdmc|mace[36]) @/;
/** ffmpeg's words for a stream whose codec it does not know (so neither does the carver: nothing is parsed). */
const UNKNOWN_CODEC = /Decoder \(codec none\) not found|codec none|Unknown decoder/;
const TIMING_ONLY = /non monotonically increasing dts|Invalid timestamps|non monotonous DTS|Discarding ID3 tags/;
const TIMEOUT_MS = 120_000;
/** HEIC and movies larger than this are parsed or demuxed by the second opinion, not decoded. */
export const DECODE_LIMIT = 2 * 1024 * 1024;

/**
 * What a real decoder says about `bytes`. For JPEG, `starts` are the offsets
 * of every image in the carved file to decode (the primary at 0, MPF images).
 */
export function independentOpinion(format: Format, bytes: Uint8Array, starts: readonly number[] = [0]): { opinion: Opinion; why: string } {
  if (!validatorAvailable(format)) return { opinion: 'unavailable', why: `${TOOLS[format]} is not installed` };
  const key = format + createHash('sha1').update(bytes).update(starts.join(',')).digest('hex');
  const hit = cache.get(key);
  if (hit) return hit;
  validatorHooks.before?.();
  try {
    return decide(format, bytes, starts, key);
  } finally {
    validatorHooks.after?.();
  }
}

function decide(format: Format, bytes: Uint8Array, starts: readonly number[], key: string): { opinion: Opinion; why: string } {
  const file = join(workDir(), `v.${format === 'mov' ? 'mp4' : format}`);
  let result: { opinion: Opinion; why: string } = { opinion: 'valid', why: '' };
  let lastErrors: string[] = [];
  const run = (cmd: string, args: string[], ignore: RegExp = TIMING_ONLY): boolean => {
    const r = server().run(cmd, args);
    // Timestamps are not checked by the carvers (stts, ctts, tfdt are unchecked by design): ffmpeg's DTS complaints are not damage they claim to see.
    const err = (r.stderr ?? '').split('\n').filter((l) => l.trim() !== '' && !TIMING_ONLY.test(l) && !ignore.test(l)).join('\n').trim();
    lastErrors = err.split('\n');
    if (r.status === 0 && err === '') return true;
    result = { opinion: r.error ? 'unavailable' : 'invalid', why: r.error ? String(r.error) : `${cmd} exit ${r.status}: ${err.split('\n').slice(0, 3).join(' | ')}` };
    return false;
  };
  if (format === 'jpeg') {
    // -scale 1/8 still Huffman-decodes every coefficient (what -strict judges); it only spares most of the IDCT.
    for (const s of starts) {
      if (s >= bytes.length) continue;
      const image = bytes.subarray(s);
      writeFileSync(file, image);
      if (run('djpeg', ['-strict', '-scale', '1/8', '-outfile', '/dev/null', file])) continue;
      // This djpeg is built for 8-bit samples only. A 12-bit extended or progressive file
      // Huffman-decodes the same way: judge its entropy data as 8-bit.
      if (!result.why.includes('precision 12')) break;
      const sof = jpegLayout(image)?.segments.find((g) => g.marker === 0xc1 || g.marker === 0xc2);
      if (!sof) break;
      const copy = Uint8Array.from(image);
      copy[sof.payload] = 8;
      writeFileSync(file, copy);
      result = { opinion: 'valid', why: '' };
      if (!run('djpeg', ['-strict', '-scale', '1/8', '-outfile', '/dev/null', file])) break;
    }
  } else if (format === 'heic') {
    writeFileSync(file, bytes);
    const out = join(workDir(), 'v.png');
    // Decoding a 12 MP grid takes seconds: files over DECODE_LIMIT are parsed by libheif (heif-info), not decoded.
    if (bytes.length <= DECODE_LIMIT) run('heif-convert', ['-q', '1', file, out]);
    else run('heif-info', [file]);
    // heif-convert prints progress lines on stdout; errors on stderr.
  } else {
    writeFileSync(file, bytes);
    // Large movies are demuxed (every sample read where the tables say), not decoded: decoding takes seconds.
    const codec = bytes.length <= DECODE_LIMIT ? [] : ['-c', 'copy'];
    if (!run('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-map', '0', ...codec, '-f', 'null', '-']) && result.opinion === 'invalid') {
      // The carver parses video samples only: do the video streams alone decode?
      const all = result;
      // Only streams the carver does not parse failed: audio, or a codec ffmpeg (and the carver) does not know.
      const unparsedOnly = lastErrors.every((l) => AUDIO_DECODERS.test(l) || UNKNOWN_CODEC.test(l) || /^Error (while|opening) (opening|decoding|input|output)|^Conversion failed|^Error marking/.test(l));
      const someUnknown = lastErrors.some((l) => UNKNOWN_CODEC.test(l));
      // (ffmpeg still probes the audio streams: their decoders' complaints are not about video.)
      if (run('ffmpeg', ['-nostdin', '-v', 'error', '-xerror', '-i', file, '-map', '0:v', ...codec, '-f', 'null', '-'], AUDIO_DECODERS)) result = { opinion: 'valid-video', why: all.why };
      // No video stream at all and only audio decoders complained: nothing the carver can parse was wrong.
      else if (/matches no streams/.test(result.why) && all.why.replace(/^ffmpeg exit \d+: /, '').split(' | ').every((l) => AUDIO_DECODERS.test(l))) result = { opinion: 'valid-video', why: all.why };
      else if (someUnknown && unparsedOnly) result = { opinion: 'valid-video', why: all.why };
      else result = all;
    }
  }
  cache.set(key, result);
  return result;
}

interface RunResult {
  status: number | null;
  stderr: string;
  error?: Error;
}

/**
 * Runs the decoders through one long-lived shell reading requests from a
 * FIFO: forking this (large) process for every check costs tens of
 * milliseconds, the shell's fork almost nothing. Requests and answers are
 * synchronous reads and writes on named pipes. Falls back to spawnSync.
 */
class ToolServer {
  private req = -1;
  private resp = -1;
  private readonly buf = Buffer.alloc(1 << 16);

  constructor() {
    const d = workDir();
    const rq = join(d, 'req');
    const rs = join(d, 'resp');
    if (spawnSync('mkfifo', [rq, rs]).status !== 0) return;
    const script = [
      'exec 3<"$1"; exec 4>"$2"',
      'while IFS= read -r line <&3; do',
      '  eval "set -- $line"',
      `  timeout ${TIMEOUT_MS / 1000} "$@" >/dev/null 2>"$ERRF"; rc=$?`,
      '  cat "$ERRF" >&4; printf "\\n@@END %d\\n" "$rc" >&4',
      'done',
    ].join('\n');
    const child = spawn('bash', ['-c', script, 'fuzz-validators', rq, rs], { stdio: 'ignore', env: { ...process.env, ERRF: join(d, 'stderr') } });
    child.unref();
    process.once('exit', () => child.kill());
    this.req = openSync(rq, 'w');
    this.resp = openSync(rs, 'r');
  }

  run(cmd: string, args: string[]): RunResult {
    if (this.req < 0) {
      const r = spawnSync(cmd, args, { timeout: TIMEOUT_MS, encoding: 'utf8', maxBuffer: 1 << 20 });
      return { status: r.status, stderr: r.stderr ?? '', ...(r.error ? { error: r.error } : {}) };
    }
    const quote = (a: string): string => `'${a.replace(/'/g, "'\\''")}'`;
    writeSync(this.req, [cmd, ...args].map(quote).join(' ') + '\n');
    let text = '';
    for (;;) {
      const n = readSync(this.resp, this.buf, 0, this.buf.length, null);
      if (n === 0) return { status: null, stderr: text, error: new Error('validator shell ended') };
      text += this.buf.toString('utf8', 0, n);
      const m = /\n@@END (\d+)\n$/.exec(text);
      if (m) return { status: Number(m[1]), stderr: text.slice(0, m.index) };
    }
  }

  close(): void {
    if (this.req >= 0) closeSync(this.req);
    if (this.resp >= 0) closeSync(this.resp);
  }
}

let tools: ToolServer | null = null;
function server(): ToolServer {
  return (tools ??= new ToolServer());
}
