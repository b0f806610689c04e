/**
 * Test and benchmark helpers: the hvc1 items of HEIF files (data and
 * parameter sets, through the carver's own meta parser), real camera files
 * from ../shared/media/heic, and HEIC files generated with heif-enc.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BoxBudget, BufferReader, readBoxHeader } from '@rawcarve/core';
import { MEDIA } from '../../jpeg/test-helpers.js';
import { itemExtents } from '../../heic/items.js';
import { itemProperties, parseMeta } from '../../heic/meta.js';
import { parseHvcC, type HevcResult, type ParameterSets } from './index.js';

export const HEIC_DIR = join(MEDIA, 'heic');
export const mediaFiles: string[] = existsSync(HEIC_DIR) ? readdirSync(HEIC_DIR).sort() : [];

/** One hvc1 item: its data (length-prefixed NAL units) and the parse of its hvcC. */
export interface HvcItem {
  readonly file: string;
  readonly itemId: number;
  /** File offset of the item's first extent. */
  readonly offset: number;
  readonly data: Uint8Array;
  readonly params: HevcResult<{ params: ParameterSets }>;
}

/** Every hvc1 item of a HEIF file held in memory. */
export function hvcItems(name: string, file: Uint8Array): HvcItem[] {
  const r = new BufferReader(file);
  for (let at = 0; at < file.length;) {
    const box = readBoxHeader(r, at, file.length);
    if (!box) break;
    if (box.type !== 'meta') {
      at = box.end;
      continue;
    }
    const parsed = parseMeta(r, box, new BoxBudget());
    if (!parsed.ok) throw new Error(`${name}: ${parsed.problem}`);
    const meta = parsed.meta;
    const out: HvcItem[] = [];
    for (const info of meta.items.values()) {
      if (info.itemType !== 'hvc1') continue;
      const loc = meta.locations.get(info.itemId);
      if (!loc) continue;
      const ext = itemExtents(meta, loc, 0, file.length);
      if (typeof ext === 'string' || ext.length === 0) continue;
      const data = new Uint8Array(ext.reduce((n, e) => n + e.length, 0));
      let o = 0;
      for (const e of ext) {
        data.set(file.subarray(e.offset, e.offset + e.length), o);
        o += e.length;
      }
      const hv = itemProperties(meta, info.itemId).find((p) => p.type === 'hvcC');
      const params: HevcResult<{ params: ParameterSets }> = hv
        ? parseHvcC(file.subarray(hv.box.start + hv.box.headerSize, hv.box.end))
        : { ok: false, reason: 'no hvcC', ctu: 0, bytePos: 0 };
      out.push({ file: name, itemId: info.itemId, offset: ext[0]!.offset, data, params });
    }
    return out;
  }
  throw new Error(`${name}: no meta box`);
}

export const hasHeifEnc = spawnSync('which', ['heif-enc']).status === 0 && spawnSync('which', ['convert']).status === 0;

/** heif-enc settings that reach different HEVC tools (x265 underneath). */
export const HEIF_ENC_VARIANTS: string[][] = [
  ['-q', '50'],
  ['-q', '10'],
  ['-q', '95'],
  ['-q', '70', '-p', 'chroma=444'],
  ['-q', '70', '-p', 'chroma=422'],
  ['-L', '-p', 'chroma=444', '--matrix_coefficients=0'], // cu_transquant_bypass
  ['-q', '60', '-p', 'x265:ctu=16'],
  ['-q', '60', '-p', 'x265:signhide=1', '-p', 'x265:tskip=1', '-p', 'x265:tu-intra-depth=4', '-p', 'x265:max-tu-size=8'],
  ['-q', '80', '-p', 'x265:slices=4'], // several slice segments per picture
  ['-q', '80', '-p', 'x265:wpp=0', '-p', 'x265:sao=0'],
  ['-q', '75', '-p', 'chroma=444', '-p', 'x265:tskip=1', '-p', 'x265:tu-intra-depth=3'],
];

/** HEIC files encoded by heif-enc from generated pictures (odd and even sizes), one per variant. */
export function generateHeics(): { name: string; bytes: Uint8Array }[] {
  const dir = mkdtempSync(join(tmpdir(), 'rawcarve-hevc-'));
  try {
    const pngs = [['333x257', 'plasma:fractal'], ['640x480', 'plasma:red-blue']].map(([size, src], i) => {
      const png = join(dir, `in${i}.png`);
      const r = spawnSync('convert', ['-size', size!, '-seed', String(i + 3), src!, ...(i === 1 ? ['+noise', 'Gaussian'] : []), png]);
      if (r.status !== 0) throw new Error(`convert failed: ${r.stderr}`);
      return png;
    });
    return HEIF_ENC_VARIANTS.map((args, i) => {
      const out = join(dir, `g${i}.heic`);
      const r = spawnSync('heif-enc', [...args, '-o', out, pngs[i % 2]!]);
      if (r.status !== 0) throw new Error(`heif-enc ${args.join(' ')} failed: ${r.stderr}`);
      return { name: `heif-enc ${args.join(' ')}`, bytes: readFileSync(out) };
    });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
