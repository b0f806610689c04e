/**
 * Sample tables to sample positions (ISO/IEC 14496-12 §8.7.4–8.7.5): stsc
 * maps chunks to sample counts, stco/co64 gives each chunk's file offset,
 * and samples follow each other inside a chunk with the sizes from stsz.
 * Work is bounded by the tables' own sizes: a per-sample loop only runs for
 * tables with one size per sample; constant-size samples (PCM audio) are
 * checked a chunk at a time.
 */
import { chunkOffset, sampleSize, type Track } from './moov.js';
import type { SampleAudit } from './audit.js';
import type { SampleCheck } from './sample-entry.js';

/** Checks every sample of a track; returns a problem when the tables contradict each other. */
export function auditTrack(track: Track, audit: SampleAudit, contentOf: (i: number) => boolean): string | null {
  const { sizes, stsc, chunkOffsets } = track;
  const chunks = chunkOffsets.count;
  const count = sizes.count;
  if (count === 0) {
    // An empty track has empty tables; chunks without samples mean the tables disagree.
    return chunks > 0 ? `track ${track.trackId}: stsz lists no samples but stco lists ${chunks} chunks` : null;
  }
  if (stsc.length === 0 || stsc[0]!.firstChunk !== 1) return `track ${track.trackId}: stsc does not start at chunk 1`;
  let sample = 0;
  for (let e = 0; e < stsc.length && sample < count; e++) {
    const entry = stsc[e]!;
    const next = e + 1 < stsc.length ? stsc[e + 1]!.firstChunk : chunks + 1;
    if (next <= entry.firstChunk || next > chunks + 1) return `track ${track.trackId}: stsc entry ${e + 1} has first_chunk out of order or past the ${chunks} chunks`;
    if (entry.samplesPerChunk === 0) return `track ${track.trackId}: stsc entry ${e + 1} has 0 samples per chunk`;
    if (entry.sampleDescriptionIndex < 1 || entry.sampleDescriptionIndex > track.entries.length) {
      return `track ${track.trackId}: stsc entry ${e + 1} names sample description ${entry.sampleDescriptionIndex} of ${track.entries.length}`;
    }
    const check = checkOf(track, entry.sampleDescriptionIndex);
    for (let c = entry.firstChunk; c < next && sample < count; c++) {
      let pos = chunkOffset(chunkOffsets, c - 1);
      // Chunks that hold more samples than stsz lists: the tables disagree, the file is not what they say.
      if (entry.samplesPerChunk > count - sample || (sample + entry.samplesPerChunk === count && c < chunks)) {
        return `track ${track.trackId}: stsc places more samples in the ${chunks} chunks than stsz's ${count}`;
      }
      const inChunk = entry.samplesPerChunk;
      if (sizes.constant !== 0) {
        // One extent for the whole chunk: no per-sample work for constant sizes; the chunk's first sample is parsed.
        if (audit.place(pos, inChunk * sizes.constant) && check.kind !== 'none') {
          if (contentOf(sample)) audit.content(pos, sizes.constant, check);
          if (inChunk > 1 && contentOf(sample + inChunk - 1)) audit.content(pos + (inChunk - 1) * sizes.constant, sizes.constant, check);
        }
        audit.samples += inChunk - 1;
        sample += inChunk;
        continue;
      }
      for (let k = 0; k < inChunk; k++, sample++) {
        const size = sampleSize(sizes, sample);
        if (audit.place(pos, size) && contentOf(sample)) audit.content(pos, size, check);
        pos += size;
      }
    }
  }
  if (sample < count) return `track ${track.trackId}: stsz lists ${count} samples, the chunks hold ${sample}`;
  return null;
}

function checkOf(track: Track, sampleDescriptionIndex: number): SampleCheck {
  return track.entries[sampleDescriptionIndex - 1]?.check ?? { kind: 'none' };
}

/** Samples whose content can be parsed (video with a known format). */
export function checkable(track: Track): boolean {
  return track.entries.some((e) => e.check.kind !== 'none');
}

/** File offset just past the last sample of the track (for a size-0 mdat), or 0 without samples. */
export function trackDataEnd(track: Track): number {
  const { sizes, stsc, chunkOffsets } = track;
  let end = 0;
  let sample = 0;
  for (let e = 0; e < stsc.length && sample < sizes.count; e++) {
    const next = e + 1 < stsc.length ? stsc[e + 1]!.firstChunk : chunkOffsets.count + 1;
    const spc = stsc[e]!.samplesPerChunk;
    if (spc === 0 || next <= stsc[e]!.firstChunk) break;
    for (let c = stsc[e]!.firstChunk; c < next && c <= chunkOffsets.count && sample < sizes.count; c++) {
      let pos = chunkOffset(chunkOffsets, c - 1);
      const n = Math.min(spc, sizes.count - sample);
      if (sizes.constant !== 0) pos += n * sizes.constant;
      else for (let k = 0; k < n; k++) pos += sampleSize(sizes, sample + k);
      sample += n;
      end = Math.max(end, pos);
    }
  }
  return end;
}
