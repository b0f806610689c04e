/**
 * ISO BMFF box walking (one core): readBoxHeader and childBoxes from
 * @rawcarve/core descending into every container box, over a generated
 * movie header (400 tracks, ~7 200 boxes) and, when ../shared/media is there,
 * the MOV/MP4 and HEIC camera files. Reports ns per box and M boxes/s.
 *   npx tsx bench/micro/box-walk.bench.ts
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { Bench } from 'tinybench';
import { BoxBudget, BufferReader, childBoxes, payload, readBoxHeader, type Reader } from '@rawcarve/core';
import { printTable } from './tinybench-table.js';

/** Boxes whose payload is a list of boxes; 'meta' is a full box (4 bytes of version and flags first). */
const CONTAINERS = new Set(['moov', 'trak', 'mdia', 'minf', 'dinf', 'stbl', 'edts', 'udta', 'mvex', 'moof', 'traf', 'iprp', 'ipco']);
const FULL_CONTAINERS = new Set(['meta']);

function box(type: string, ...children: Uint8Array[]): Uint8Array {
  const size = 8 + children.reduce((n, c) => n + c.length, 0);
  const out = new Uint8Array(size);
  new DataView(out.buffer).setUint32(0, size);
  out.set(Buffer.from(type, 'latin1'), 4);
  let at = 8;
  for (const c of children) {
    out.set(c, at);
    at += c.length;
  }
  return out;
}
const leaf = (type: string, payloadBytes: number): Uint8Array => box(type, new Uint8Array(payloadBytes));

function generatedMovie(tracks: number): Uint8Array {
  const trak = (): Uint8Array =>
    box('trak', leaf('tkhd', 84), box('edts', leaf('elst', 28)), box('mdia', leaf('mdhd', 24), leaf('hdlr', 33),
      box('minf', leaf('vmhd', 12), box('dinf', leaf('dref', 20)),
        box('stbl', leaf('stsd', 150), leaf('stts', 16), leaf('stss', 40), leaf('stsc', 28), leaf('stsz', 2000), leaf('stco', 400)))));
  return box('file', leaf('ftyp', 16), box('moov', leaf('mvhd', 100), ...Array.from({ length: tracks }, trak)), leaf('mdat', 4096)).subarray(8);
}

/** Walks every box of [start, end), descending into containers; returns the number of boxes read. */
function walk(reader: Reader, start: number, end: number, budget: BoxBudget): number {
  const list = childBoxes(reader, start, end, budget);
  let n = list.boxes.length;
  for (const b of list.boxes) {
    if (CONTAINERS.has(b.type)) n += walk(reader, payload(b), b.end, budget);
    else if (FULL_CONTAINERS.has(b.type)) n += walk(reader, payload(b) + 4, b.end, budget);
  }
  return n;
}

/** Top-level headers only, with readBoxHeader (as the carvers' first pass does). */
function topLevel(reader: Reader): number {
  let n = 0;
  for (let at = 0; at < reader.size; n++) {
    const h = readBoxHeader(reader, at, reader.size);
    if (!h) break;
    at = h.end;
  }
  return n;
}

const inputs: Record<string, Uint8Array[]> = { 'generated moov, 400 tracks': [generatedMovie(400)] };
const media = resolve(import.meta.dirname, '../../../shared/media');
for (const type of ['mov', 'mp4', 'heic']) {
  const dir = join(media, type);
  if (existsSync(dir)) inputs[`${type} camera files (../shared/media)`] = readdirSync(dir).sort().map((f) => readFileSync(join(dir, f)));
}

const bench = new Bench({ time: 400, warmupTime: 100 });
const boxesPerRun = new Map<string, number>();
for (const [name, files] of Object.entries(inputs)) {
  const readers = files.map((f) => new BufferReader(f));
  const count = (): number => readers.reduce((n, r) => n + walk(r, 0, r.size, new BoxBudget()), 0);
  boxesPerRun.set(`${name}: full tree`, count());
  bench.add(`${name}: full tree`, count);
  boxesPerRun.set(`${name}: top level`, readers.reduce((n, r) => n + topLevel(r), 0));
  bench.add(`${name}: top level`, () => readers.reduce((n, r) => n + topLevel(r), 0));
}
await bench.run();
printTable(bench, (name, ms) => {
  const boxes = boxesPerRun.get(name) ?? NaN;
  return { boxes: String(boxes), 'ns per box': ((ms * 1e6) / boxes).toFixed(0), 'M boxes/s': (boxes / (ms * 1000)).toFixed(2) };
});
