/**
 * Promises the driver has started and not yet seen finish. The first error
 * is kept (fatal) and stops new work; the rest still run to their end, so
 * nothing is left half-written when the run stops.
 */
export class TaskTracker {
  private readonly inflight = new Set<Promise<void>>();
  fatal: unknown = null;

  get size(): number {
    return this.inflight.size;
  }

  get failed(): boolean {
    return this.fatal !== null;
  }

  track(p: Promise<void>): void {
    const q = p
      .catch((err: unknown) => {
        this.fatal ??= err;
      })
      .finally(() => this.inflight.delete(q));
    this.inflight.add(q);
  }

  /** Waits for one tracked task (or `also`) to finish. */
  async any(also: Promise<unknown>[] = []): Promise<void> {
    if (this.inflight.size === 0 && also.length === 0) return;
    // `also` may reject after the race is decided: its errors are the caller's to check, never unhandled.
    await Promise.race([...this.inflight, ...also.map((p) => p.catch(() => undefined))]);
  }

  /** Waits until nothing is in flight (tasks may start others while it waits). */
  async drain(): Promise<void> {
    while (this.inflight.size > 0) await Promise.race(this.inflight);
  }
}
