import { ImageReadError, type ImageSource } from './image-source.js';

/**
 * One injected fault, FOR TESTS ONLY: the bytes `[offset, offset + length)`
 * of the image cannot be read. `eio`: a read touching them throws an
 * ImageReadError, as a bad sector does. `short`: a read stops where they
 * start (a read starting inside them returns 0 bytes), as a file that shrank
 * or a flaky USB reader does, with no error at all.
 */
export interface Fault {
  readonly offset: number;
  readonly length: number;
  readonly kind: 'eio' | 'short';
}

/** The faults a test injects into every source a scan opens (ScanOptions.faults). Not a CLI option. */
export type FaultPlan = readonly Fault[];

/** Wraps `source` so reads fail as `plan` says; returns `source` itself for an empty plan. */
export function withFaults(source: ImageSource, plan: FaultPlan | undefined): ImageSource {
  return plan && plan.length > 0 ? new FaultySource(source, plan) : source;
}

/** An ImageSource whose reads fail where a fault plan says (tests of the read-error paths). */
export class FaultySource implements ImageSource {
  readonly kind: string;
  readonly path: string;
  readonly size: number;

  constructor(
    private readonly inner: ImageSource,
    private readonly plan: FaultPlan,
  ) {
    this.kind = inner.kind;
    this.path = inner.path;
    this.size = inner.size;
  }

  /** See {@link ImageSource.readInto}: fails on the first fault the range touches. */
  readInto(offset: number, into: Uint8Array, intoOffset: number, length: number): number {
    const end = offset + length;
    let first: Fault | null = null;
    for (const f of this.plan) {
      if (f.offset < end && f.offset + f.length > offset && (first === null || f.offset < first.offset)) first = f;
    }
    if (first === null) return this.inner.readInto(offset, into, intoOffset, length);
    const before = Math.max(0, first.offset - offset);
    if (first.kind === 'eio') {
      // A real device fails the whole request; the caller must find the bad part itself.
      throw new ImageReadError(this.path, Math.max(offset, first.offset), length - before, new Error('EIO: input/output error (injected fault)'));
    }
    return before > 0 ? this.inner.readInto(offset, into, intoOffset, before) : 0;
  }

  close(): void {
    this.inner.close();
  }
}
