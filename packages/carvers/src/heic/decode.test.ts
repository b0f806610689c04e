import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { BufferReader } from '@rawcarve/core';
import { MAX_DECODE_PIXELS, verifyDecode } from './decode.js';
import { REPO } from '../jpeg/test-helpers.js';

const canGenerate = spawnSync('which', ['heif-enc']).status === 0 && existsSync('/usr/bin/convert-im6.q16');
const work = mkdtempSync(join(tmpdir(), 'rawcarve-heic-decode-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Every 'ispe' box (image spatial extents) set to claim `w` x `h`. */
function claimSize(file: Uint8Array, w: number, h: number): Uint8Array {
  const out = Uint8Array.from(file);
  const view = new DataView(out.buffer);
  let found = 0;
  for (let i = 4; i + 16 <= out.length; i++) {
    if (out[i] === 0x69 && out[i + 1] === 0x73 && out[i + 2] === 0x70 && out[i + 3] === 0x65 && view.getUint32(i - 4) === 20) {
      view.setUint32(i + 8, w);
      view.setUint32(i + 12, h);
      found++;
    }
  }
  expect(found).toBeGreaterThan(0);
  return out;
}

describe.skipIf(!canGenerate)('--verify decode: decompression bombs (needs heif-enc and ImageMagick)', () => {
  const small = join(work, 'small.png');
  execFileSync('/usr/bin/convert-im6.q16', [join(REPO, 'test-images/samples/IMG_0001.JPG'), '-resize', '128x96', small]);
  execFileSync('heif-enc', ['-q', '40', '-o', join(work, 'a.heic'), small], { stdio: 'pipe' });
  const file = new Uint8Array(readFileSync(join(work, 'a.heic')));

  it('decodes a real file', async () => {
    const m = await verifyDecode(new BufferReader(file), 0, file.length);
    expect(m).toMatchObject({ decoded: true, decodedWidth: 128, decodedHeight: 96 });
  });

  it('refuses, before decoding, a file whose ispe claims 65535 x 65535', async () => {
    const bomb = claimSize(file, 65535, 65535);
    expect(65535 * 65535).toBeGreaterThan(MAX_DECODE_PIXELS);
    const m = await verifyDecode(new BufferReader(bomb), 0, bomb.length);
    // Refused from the box sizes, before a 17 GB picture buffer is asked for.
    expect(m['decoded']).toBe(false);
    expect(String(m['decodeError'])).toMatch(/65535x65535 is above the 256 MP limit/);
  });
});
