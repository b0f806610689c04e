import { Worker } from 'node:worker_threads';
import { compiledWorkerUrl } from './worker-url.js';

/** Image hash algorithms (node:crypto names). */
export type HashAlgorithm = 'md5' | 'sha1' | 'sha256';
/** Every image hash algorithm, in report order. */
export const HASH_ALGORITHMS: readonly HashAlgorithm[] = ['md5', 'sha1', 'sha256'];
/** Hex digests by algorithm. */
export type Digests = Partial<Record<HashAlgorithm, string>>;

/** Digests of the first `length` bytes hashed (of the scanned range). */
export interface PrefixDigests {
  /** Bytes hashed. */
  length: number;
  /** Their digests. */
  digests: Digests;
}

/** Messages to a hash thread: bytes to hash, a request for the digest so far, the end. */
export type ToHashThread = { type: 'data'; bytes: Uint8Array } | { type: 'mark'; id: number } | { type: 'end' };
/** Messages from a hash thread: bytes hashed, a mark's digest, the final digest. */
export type FromHashThread = { type: 'ack' } | { type: 'mark'; id: number; hex: string } | { type: 'digest'; hex: string };

interface HashThread {
  algorithm: HashAlgorithm;
  worker: Worker;
  /** Buffers posted and not yet acknowledged. */
  outstanding: number;
}

/**
 * Hashes the scanned bytes in image order while the scan runs: one thread
 * per algorithm (MD5, the slowest at about 0.7 GB/s a core, sets the pace;
 * in parallel the three cost what MD5 alone costs), all fed the same shared
 * page buffers the scan workers read, so the image is read once and nothing
 * is copied. node:crypto cannot serialise a hash state, so a resumed run
 * re-hashes the done prefix (see rehashPrefix); `mark()` digests taken at
 * checkpoints let it prove the prefix it re-read is the one it scanned.
 */
export class ImageHasher {
  private readonly threads: HashThread[];
  private hashed = 0;
  /** Callbacks of pushed buffers, in push order, run once every thread has hashed the buffer. */
  private readonly pending: { left: number; done: (() => void) | undefined }[] = [];
  private failure: Error | null = null;
  private wake: (() => void)[] = [];
  private nextMark = 0;
  private readonly marks = new Map<number, { length: number; digests: Digests; missing: number }>();
  private finals: Digests = {};
  /** Threads that have not sent their final digest yet (after digest()). */
  private finalMissing = 0;
  private closing = false;
  /** The latest mark every thread has answered. */
  lastMark: PrefixDigests | null = null;
  /** Rejects when a thread fails: something to wait on besides the acknowledgements that will not come. */
  readonly failed: Promise<never>;
  private rejectFailed: (err: Error) => void = () => undefined;

  constructor(readonly algorithms: readonly HashAlgorithm[]) {
    this.failed = new Promise<never>((_, reject) => (this.rejectFailed = reject));
    this.failed.catch(() => undefined); // observed through check(); never unhandled
    this.threads = algorithms.map((algorithm) => {
      const worker = new Worker(new URL(compiledWorkerUrl('hash-worker.js')), { workerData: { algorithm } });
      const t: HashThread = { algorithm, worker, outstanding: 0 };
      worker.on('message', (m: FromHashThread) => this.receive(t, m));
      worker.on('error', (err) => this.fail(err));
      worker.on('exit', (code) => {
        if (code !== 0 && !this.closing) this.fail(new Error(`the ${algorithm} hashing thread exited with code ${code}`));
      });
      return t;
    });
  }

  /** Bytes pushed so far. */
  get length(): number {
    return this.hashed;
  }

  /** Buffers pushed that some thread has not hashed yet. */
  get backlog(): number {
    return this.threads.reduce((n, t) => Math.max(n, t.outstanding), 0);
  }

  /**
   * The next bytes of the range, in order. `bytes` must live in a
   * SharedArrayBuffer (every thread sees the same memory) and must not change
   * until `done` is called: every thread has hashed them.
   */
  push(bytes: Uint8Array, done?: () => void): void {
    this.check();
    if (!(bytes.buffer instanceof SharedArrayBuffer)) throw new TypeError('ImageHasher.push needs bytes in a SharedArrayBuffer');
    this.pending.push({ left: this.threads.length, done });
    for (const t of this.threads) {
      t.outstanding++;
      t.worker.postMessage({ type: 'data', bytes } satisfies ToHashThread);
    }
    this.hashed += bytes.length;
  }

  /** Resolves once fewer than `n` buffers wait to be hashed (rejects if a thread failed). */
  async whenBelow(n: number): Promise<void> {
    while (this.backlog >= n) {
      this.check();
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
    this.check();
  }

  /** Asks every thread for the digest of what was pushed so far; `lastMark` holds it once all have answered. */
  mark(): void {
    if (this.threads.length === 0) return;
    const id = this.nextMark++;
    this.marks.set(id, { length: this.hashed, digests: {}, missing: this.threads.length });
    for (const t of this.threads) t.worker.postMessage({ type: 'mark', id } satisfies ToHashThread);
  }

  /** Resolves with the digest of every mark's prefix once the threads have caught up to it. */
  async markNow(): Promise<PrefixDigests> {
    if (this.threads.length === 0) return { length: this.hashed, digests: {} };
    this.mark();
    const id = this.nextMark - 1;
    while (this.marks.has(id)) {
      this.check();
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
    this.check();
    return this.lastMark!;
  }

  /** Ends the hashes and stops the threads. */
  async digest(): Promise<Digests> {
    this.check();
    if (this.threads.length === 0) return {};
    this.finalMissing = this.threads.length;
    for (const t of this.threads) t.worker.postMessage({ type: 'end' } satisfies ToHashThread);
    while (this.finalMissing > 0) {
      this.check();
      await new Promise<void>((resolve) => this.wake.push(resolve));
    }
    await this.close();
    return { ...this.finals };
  }

  /** Stops the threads (also after an error). */
  async close(): Promise<void> {
    this.closing = true;
    await Promise.all(this.threads.map((t) => t.worker.terminate()));
  }

  private receive(t: HashThread, m: FromHashThread): void {
    if (m.type === 'ack') {
      t.outstanding--;
      // Threads answer in push order: the first buffer not yet hashed by all is this thread's oldest.
      const index = this.pending.length - 1 - t.outstanding;
      const p = this.pending[index]!;
      if (--p.left === 0) {
        while (this.pending.length > 0 && this.pending[0]!.left === 0) this.pending.shift()!.done?.();
      }
    }
    else if (m.type === 'mark') {
      const mark = this.marks.get(m.id);
      if (mark) {
        mark.digests[t.algorithm] = m.hex;
        if (--mark.missing === 0) {
          this.marks.delete(m.id);
          this.lastMark = { length: mark.length, digests: mark.digests };
        }
      }
    } else {
      this.finals[t.algorithm] = m.hex;
      this.finalMissing--;
    }
    this.notify();
  }

  private fail(err: Error): void {
    this.failure ??= err;
    this.rejectFailed(this.failure);
    this.notify();
  }

  private notify(): void {
    for (const w of this.wake.splice(0)) w();
  }

  /** Throws the error that stopped a hashing thread, if one did. */
  check(): void {
    if (this.failure) throw this.failure;
  }
}
