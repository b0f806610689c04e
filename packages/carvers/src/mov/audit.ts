/**
 * Sample-level validation shared by sample tables and movie fragments: every
 * sample must lie inside an mdat payload of the carved file, and a bounded
 * selection of video samples must parse in their codec's format.
 */
import { checkNalUnits, type Reader } from '@rawcarve/core';
import { startMatches, type SampleCheck } from './sample-entry.js';

/** An mdat payload: image offsets [start, end). `end` may lie past the image when the file was cut. */
export interface Region {
  readonly start: number;
  readonly end: number;
}

/** Samples whose content is parsed, at most, over the whole file (positions are checked for all). */
export const CONTENT_CHECKS = 3000;
/** NAL units read at most over the whole file, so hostile samples of 4096 tiny NALs stay cheap. */
export const NAL_BUDGET = 400_000;
/**
 * Sample bytes read at most over the whole file to check NAL payloads for
 * start-code emulation (a zeroed sector inside a picture): a movie of this
 * size or less has every checked sample read whole.
 */
export const PAYLOAD_BUDGET = 256 * 1024 * 1024;

export class SampleAudit {
  samples = 0;
  /** Samples inside the image but outside every mdat payload. */
  outside = 0;
  /** Samples that run past the image end (the file was cut). */
  cut = 0;
  checked = 0;
  failed = 0;
  nals = 0;
  /** Sample bytes whose NAL payloads were read (PAYLOAD_BUDGET). */
  payloadBytes = 0;
  /** Image offset just past the last byte of any placed sample. */
  maxEnd = 0;
  readonly problems: string[] = [];
  /** Start offsets of the mdat payloads that hold at least one sample. */
  readonly used = new Set<number>();
  private readonly regions: Region[];

  constructor(
    private readonly reader: Reader,
    /** Image offset of the file's first byte: chunk and base data offsets are relative to it. */
    readonly fileStart: number,
    regions: readonly Region[],
  ) {
    this.regions = [...regions].sort((a, b) => a.start - b.start);
  }

  /**
   * Checks one sample at file offset `offset`. `within`, when given, is the
   * only region it may lie in (a fragment's samples belong to the mdat after its moof).
   */
  place(offset: number, length: number, within?: Region): boolean {
    this.samples++;
    const start = this.fileStart + offset;
    const end = start + length;
    const region = within ?? this.regionAt(start);
    if (Number.isFinite(end) && region && start >= region.start && end <= region.end) {
      this.used.add(region.start);
      if (end <= this.reader.size) {
        if (end > this.maxEnd) this.maxEnd = end;
        return true;
      }
      this.cut++;
      return false;
    }
    if (end > this.reader.size) {
      this.cut++;
    } else {
      this.outside++;
      if (this.outside === 1) this.problems.push(`a sample of ${length} bytes at image offset ${start} lies outside the file's mdat payloads`);
    }
    return false;
  }

  /** Parses a placed sample's content as its codec requires; false when it does not parse. */
  content(offset: number, length: number, check: SampleCheck): boolean {
    if (check.kind === 'none') return true;
    const at = this.fileStart + offset;
    let ok: boolean;
    let why = '';
    if (check.kind === 'nal') {
      if (this.nals >= NAL_BUDGET) return true;
      const payload = this.payloadBytes + length <= PAYLOAD_BUDGET;
      if (payload) this.payloadBytes += length;
      const r = checkNalUnits(this.reader, [{ offset: at, length }], check.lengthSize, check.codec, { payload });
      this.nals += r.nals;
      ok = r.ok && r.vcl > 0;
      why = r.ok ? 'no picture NAL unit' : `${r.problem ?? 'bad NAL unit'} at image offset ${r.badAt ?? at}`;
    } else {
      ok = startMatches(check, this.reader.bytes(at, Math.min(3, length)));
      why = `does not start with a ${check.kind === 'jpeg' ? 'JPEG SOI' : 'H.263 picture start code'}`;
      if (ok && check.kind === 'jpeg' && !this.endsWithEoi(at, length)) {
        ok = false;
        why = 'does not end with a JPEG EOI';
      }
    }
    this.checked++;
    if (!ok) {
      this.failed++;
      if (this.failed <= 3) this.problems.push(`video sample at image offset ${at} (${length} bytes): ${why}`);
    }
    return ok;
  }

  /**
   * A Motion-JPEG frame ends with EOI (FF D9), perhaps followed by padding of
   * 00 or FF bytes (QuickTime pads fields to a size): read back over it, 64 KiB at most.
   */
  private endsWithEoi(at: number, length: number): boolean {
    const floor = at + Math.max(2, length - 65536);
    for (let end = at + length; end > floor; ) {
      const from = Math.max(floor, end - 4096);
      const t = this.reader.bytes(from, end - from);
      let i = t.length;
      while (i > 0 && (t[i - 1] === 0 || t[i - 1] === 0xff)) i--;
      if (i > 0) return t[i - 1] === 0xd9 && (i >= 2 ? t[i - 2] : this.reader.bytes(from - 1, 1)[0]) === 0xff;
      end = from;
    }
    return false;
  }

  /** Notes on how much content was parsed. */
  get nalBudgetSpent(): boolean {
    return this.nals >= NAL_BUDGET;
  }

  private regionAt(start: number): Region | undefined {
    const r = this.regions;
    let lo = 0;
    let hi = r.length - 1;
    let found: Region | undefined;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (r[mid]!.start <= start) {
        found = r[mid];
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    return found;
  }
}

/**
 * Which of `total` samples to parse so that about `budget` are spread over
 * them: the first, the last and every stride-th in between.
 */
export function pickContent(total: number, budget: number): (i: number) => boolean {
  if (budget <= 0 || total <= 0) return () => false;
  if (total <= budget) return () => true;
  const stride = Math.ceil(total / Math.max(1, budget - 1));
  return (i) => i % stride === 0 || i === total - 1;
}

