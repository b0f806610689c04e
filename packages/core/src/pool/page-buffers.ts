/**
 * Shared page buffers for the image hashes, recycled: each scan task gets
 * one to copy its page into, the hash threads read it, and it comes back
 * once every thread is done with it. Reuse spares the kernel a fresh 16 MiB
 * of zeroed pages per page (about a tenth of the hashing cost), and the
 * fixed count bounds the memory pages wait in: when none is free, the scan
 * waits for the hashes to catch up.
 */
export class PageBuffers {
  private readonly free: Uint8Array[] = [];
  private made = 0;
  private waiting: (() => void)[] = [];

  constructor(
    private readonly size: number,
    private readonly max: number,
  ) {}

  /** A buffer when one is free or may still be made, else null. */
  take(): Uint8Array | null {
    const b = this.free.pop();
    if (b) return b;
    if (this.made >= this.max) return null;
    this.made++;
    return new Uint8Array(new SharedArrayBuffer(this.size));
  }

  /** Resolves when a buffer may be free (call take() again). */
  whenFree(): Promise<void> {
    return new Promise((resolve) => this.waiting.push(resolve));
  }

  give(b: Uint8Array): void {
    this.free.push(new Uint8Array(b.buffer, 0, this.size));
    for (const w of this.waiting.splice(0)) w();
  }
}
