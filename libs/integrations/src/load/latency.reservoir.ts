/**
 * A uniform sample of latencies of bounded size (Vitter's algorithm R): every
 * latency seen since the last reset has the same chance to be in the sample,
 * so percentiles stay unbiased on a long run while memory stays fixed.
 */
export class LatencyReservoir {
  private samples: number[] = [];
  private seen = 0;

  constructor(
    /** 10,000 samples: a p99 from 10k values is within a fraction of a percentile; 80 KB of memory. */
    private readonly capacity = 10_000,
    private readonly random: () => number = Math.random,
  ) {
    if (!Number.isSafeInteger(capacity) || capacity < 1)
      throw new RangeError(`reservoir capacity must be a positive integer, got ${capacity}`);
  }

  add(latencyMs: number): void {
    this.seen += 1;
    if (this.samples.length < this.capacity) {
      this.samples.push(latencyMs);
      return;
    }
    const slot = Math.floor(this.random() * this.seen);
    if (slot < this.capacity) this.samples[slot] = latencyMs;
  }

  /** Nearest-rank percentile, `q` in (0, 1]; 0 when nothing was recorded. */
  percentile(q: number): number {
    return this.percentiles([q])[0] ?? 0;
  }

  /** Several percentiles from one sort. */
  percentiles(qs: readonly number[]): number[] {
    if (this.samples.length === 0) return qs.map(() => 0);
    const sorted = [...this.samples].sort((a, b) => a - b);
    return qs.map((q) => {
      const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
      return sorted[rank - 1] ?? 0;
    });
  }

  get size(): number {
    return this.samples.length;
  }

  /** Latencies seen since the last reset (kept or not). */
  get count(): number {
    return this.seen;
  }

  reset(): void {
    this.samples = [];
    this.seen = 0;
  }
}
