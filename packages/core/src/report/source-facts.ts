import { resolve } from 'node:path';
import type { EwfInfo } from '../source/ewf/index.js';
import type { Digests, HashAlgorithm } from '../pool/image-hash.js';
import type { ByteRange } from '../pool/range.js';
import type { EwfReport, ReportSource } from './types.js';

/** What an E01 says about itself, for the reports (the password hash is left out: it is not case metadata). */
export function ewfReport(info: EwfInfo): EwfReport {
  const c = info.case;
  const pick = c
    ? {
        caseNumber: c.caseNumber, evidenceNumber: c.evidenceNumber, examiner: c.examiner, description: c.description, notes: c.notes,
        acquiryDate: c.acquiryDate, systemDate: c.systemDate, acquiryOperatingSystem: c.acquiryOperatingSystem,
        acquirySoftwareVersion: c.acquirySoftwareVersion, model: c.model, serialNumber: c.serialNumber, deviceLabel: c.deviceLabel,
      }
    : null;
  return {
    segments: info.segments.map((p) => resolve(p)),
    case: pick ? (Object.fromEntries(Object.entries(pick).filter(([, v]) => v !== undefined)) as EwfReport['case']) : null,
    storedHashes: { ...(info.hashes.md5 ? { md5: info.hashes.md5 } : {}), ...(info.hashes.sha1 ? { sha1: info.hashes.sha1 } : {}) },
    hashesMatch: null,
    chunkSize: info.chunkSize,
    bytesPerSector: info.volume.bytesPerSector,
    sectorCount: info.volume.sectorCount,
    acquiryErrors: info.acquiryErrors.map((e) => ({ ...e })),
    warnings: [...info.warnings],
  };
}

export interface SourceFactsInput {
  path: string;
  size: number;
  kind: string;
  range: ByteRange;
  algorithms: readonly HashAlgorithm[];
  /** Digests of the range, null when not computed. */
  digests: Digests | null;
  ewf: EwfReport | null;
}

const ZEROS_NOTE = 'unreadable regions (see issues) are hashed as zeros, as rawcarve verify does';

/**
 * The report's `source`: whole-image hashes when the run read the whole
 * image, range hashes when it read a part, and for an E01 whether the
 * stored hashes match what was read.
 */
export function sourceFacts(i: SourceFactsInput): ReportSource {
  const whole = i.range.start === 0 && i.range.length === i.size;
  const hashed = i.algorithms.length > 0 && i.digests !== null;
  const value = (a: HashAlgorithm): string | null => (hashed ? (i.digests![a] ?? null) : null);
  const sha1Wanted = i.algorithms.includes('sha1');
  const out: ReportSource = {
    path: i.path,
    size: i.size,
    kind: i.kind,
    md5: whole ? value('md5') : null,
    sha256: whole ? value('sha256') : null,
    ...(sha1Wanted ? { sha1: whole ? value('sha1') : null } : {}),
    hashNote: !hashed
      ? 'image hashes not computed (--no-image-hash)'
      : whole
        ? `computed while scanning, in the same read; ${ZEROS_NOTE}`
        : `only the scanned range was read: its hashes are in source.range; ${ZEROS_NOTE}`,
  };
  if (!whole) {
    out.range = { start: i.range.start, length: i.range.length, md5: value('md5'), sha256: value('sha256'), ...(sha1Wanted ? { sha1: value('sha1') } : {}) };
  }
  if (i.ewf) {
    const ewf = { ...i.ewf, hashesMatch: null as EwfReport['hashesMatch'] };
    if (whole && hashed) {
      const m: NonNullable<EwfReport['hashesMatch']> = {};
      for (const a of ['md5', 'sha1'] as const) {
        const stored = ewf.storedHashes[a];
        const got = i.digests![a];
        if (stored !== undefined && got !== undefined) m[a] = stored === got;
      }
      ewf.hashesMatch = m;
    }
    out.ewf = ewf;
  }
  return out;
}
