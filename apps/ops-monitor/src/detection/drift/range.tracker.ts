/** Persisted state of a {@link RangeTracker}: null bounds before the first value. */
export interface RangeState {
  readonly min: number | null;
  readonly max: number | null;
}

/**
 * Novelty: a value beyond anything the metric has ever shown (by more than a
 * margin of the range seen so far) is an anomaly whatever the statistics say:
 * a first-ever spike on a spiky metric is drowned in the short-term average,
 * yet it is exactly what an operator wants to see (NAB's detectors use the
 * same "spatial anomaly" rule).
 */
export class RangeTracker {
  private min: number;
  private max: number;

  constructor(
    private readonly marginRatio: number,
    state?: RangeState,
  ) {
    this.min = state?.min ?? Number.POSITIVE_INFINITY;
    this.max = state?.max ?? Number.NEGATIVE_INFINITY;
  }

  /** +1 above the range, −1 below it, 0 inside (or before any value is known). */
  novelty(value: number): -1 | 0 | 1 {
    if (this.min > this.max) return 0;
    const margin = this.marginRatio * (this.max - this.min);
    if (value > this.max + margin) return 1;
    if (value < this.min - margin) return -1;
    return 0;
  }

  learn(value: number): void {
    if (value < this.min) this.min = value;
    if (value > this.max) this.max = value;
  }

  toJSON(): RangeState {
    return this.min > this.max ? { min: null, max: null } : { min: this.min, max: this.max };
  }
}
