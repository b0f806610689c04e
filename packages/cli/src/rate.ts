/**
 * Throughput over a moving window, for an ETA that stays honest: a scan
 * slows down where the media is dense (every hit is carved and validated)
 * and speeds up over empty space, so the average since the start promises
 * too much in the dense part. The rate here is the bytes of the last
 * `windowMs` (30 s) over their time; until the window has `minSpanMs` of
 * samples, the rate since the first sample.
 */
export class RateWindow {
  private readonly samples: { t: number; bytes: number }[] = [];

  constructor(
    private readonly windowMs = 30_000,
    private readonly minSpanMs = 3_000,
  ) {}

  /** Bytes done (a running total) at time `t` in ms. */
  add(t: number, bytes: number): void {
    const last = this.samples[this.samples.length - 1];
    if (last && t <= last.t) {
      last.bytes = Math.max(last.bytes, bytes);
      return;
    }
    this.samples.push({ t, bytes });
    // Keep one sample at or before the window's start, so the window is always full width.
    while (this.samples.length > 2 && this.samples[1]!.t <= t - this.windowMs) this.samples.shift();
  }

  /** Bytes per second over the window; 0 until two samples. */
  rate(): number {
    const n = this.samples.length;
    if (n < 2) return 0;
    const last = this.samples[n - 1]!;
    const first = this.samples[0]!;
    const span = last.t - first.t;
    if (span <= 0) return 0;
    return ((last.bytes - first.bytes) * 1000) / span;
  }

  /** Whether the window spans enough time for its rate to mean something. */
  settled(): boolean {
    const n = this.samples.length;
    return n >= 2 && this.samples[n - 1]!.t - this.samples[0]!.t >= this.minSpanMs;
  }

  /** Seconds to do `remaining` more bytes at the window's rate; Infinity when unknown. */
  eta(remaining: number): number {
    if (remaining <= 0) return 0;
    const r = this.rate();
    return r > 0 && this.settled() ? remaining / r : Infinity;
  }
}

/** "jpeg 120, heic 4, mov 2" (types with no file left out). */
export function byTypeText(byType: Record<string, number> | undefined): string {
  if (!byType) return '';
  return Object.entries(byType)
    .filter(([, n]) => n > 0)
    .map(([t, n]) => `${t} ${n}`)
    .join(', ');
}
