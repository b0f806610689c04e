/**
 * Checks of what a carver declares, before any carving: the shape the engine
 * loads (assertCarver), and the rules the scanner relies on.
 */
import type { Carver, Signature } from '../carver.js';
import { assertCarver } from '../registry.js';
import { SignatureIndex } from '../scan/signature-index.js';
import { ConformanceError, ensure } from './guard.js';

const SEMVER = /^\d+\.\d+\.\d+(?:-[0-9A-Za-z.-]+)?(?:\+[0-9A-Za-z.-]+)?$/;
const HOOKS = ['describe', 'couldContinue', 'expectedAt', 'seamsPlausible', 'suspectBreaks', 'proveSeams'] as const;

/**
 * Throws a ConformanceError naming every problem with the carver's
 * declaration: the loader's checks, a semver version, a description,
 * extensions that are lower-case, unique and without a dot, signatures of at
 * least two bytes at integer offsets whose masks fit and which cannot match
 * inside zero-filled or erased (0xFF) space, a safe-integer maxFileSize, and
 * optional hooks that are functions.
 */
export function checkDeclaration(carver: Carver): void {
  try {
    assertCarver(carver, 'carver');
  } catch (err) {
    throw new ConformanceError(err instanceof Error ? err.message : String(err));
  }
  const problems: string[] = [];
  if (!SEMVER.test(carver.version)) problems.push(`version "${carver.version}" is not semver (MAJOR.MINOR.PATCH)`);
  if (typeof carver.description !== 'string' || carver.description.trim() === '') problems.push('description is empty');
  for (const e of carver.extensions) if (!/^[a-z0-9]+$/.test(e)) problems.push(`extension "${e}" must be lower-case letters and digits, without a dot`);
  if (new Set(carver.extensions).size !== carver.extensions.length) problems.push('extensions repeat');
  carver.signatures.forEach((s, i) => problems.push(...signatureProblems(s).map((p) => `signature ${i}: ${p}`)));
  if (!Number.isSafeInteger(carver.maxFileSize)) problems.push(`maxFileSize ${carver.maxFileSize} is not a safe integer`);
  for (const h of HOOKS) if (carver[h] !== undefined && typeof carver[h] !== 'function') problems.push(`${h} must be a function when present`);
  if (carver.checksEveryByte !== undefined && typeof carver.checksEveryByte !== 'boolean') problems.push('checksEveryByte must be a boolean');
  if (problems.length === 0) {
    try {
      const index = new SignatureIndex([carver]);
      if (index.uniformCanMatch(0x00)) problems.push('a signature matches inside zero-filled space');
      if (index.uniformCanMatch(0xff)) problems.push('a signature matches inside erased (0xFF) space');
    } catch (err) {
      problems.push(err instanceof Error ? err.message : String(err));
    }
  }
  ensure(problems.length === 0, () => `carver "${carver.name}": ${problems.join('; ')}`);
}

function signatureProblems(s: Signature): string[] {
  const out: string[] = [];
  const byte = (b: unknown): boolean => Number.isInteger(b) && (b as number) >= 0 && (b as number) <= 255;
  if (!Array.isArray(s.bytes) || s.bytes.length < 2) out.push('needs at least 2 bytes (the engine indexes by the first; one byte matches everywhere)');
  else if (!s.bytes.every(byte)) out.push('bytes must be integers 0..255');
  if (s.offset !== undefined && !(Number.isInteger(s.offset) && s.offset >= 0)) out.push(`offset ${s.offset} is not a non-negative integer`);
  if (s.mask !== undefined) {
    if (!Array.isArray(s.mask) || s.mask.length !== s.bytes.length || !s.mask.every(byte)) out.push('mask must be bytes, as many as the signature');
    else if (s.mask[0] !== 0xff) out.push('the first byte is never masked: its mask must be 0xFF');
    else if (s.bytes.some((b, i) => (b & s.mask![i]!) !== b)) out.push('a signature byte has bits its mask clears: it can never match');
  }
  return out;
}

/** True when one of the carver's signatures matches `file` at the signature's offset. */
export function matchesSignature(carver: Carver, file: Uint8Array): boolean {
  return carver.signatures.some((s) => {
    const at = s.offset ?? 0;
    if (at + s.bytes.length > file.length) return false;
    return s.bytes.every((b, i) => (file[at + i]! & (i === 0 ? 0xff : (s.mask?.[i] ?? 0xff))) === b);
  });
}
