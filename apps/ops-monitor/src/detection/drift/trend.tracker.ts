/** A rise of exactly r·previous must count although r·previous and the difference round differently. */
const RATIO_TOLERANCE = 1e-9;

/** Persisted state of a {@link TrendTracker}. */
export interface TrendState {
  readonly previous: number | null;
  readonly run: number;
}

/**
 * Slow degradation: the value rises by at least `increaseRatioPerCycle` of
 * itself, cycle after cycle. A creep is gradual, so a step larger than the
 * whole rise the rule waits for ((1 + r)^cycles − 1: +46 % for 10 % × 4) is a
 * jump, left to the spike and shift detectors; it breaks the run. Without that
 * cap, every burst that ramps up over a few samples (0 → 1 k → 1 M bytes)
 * would read as a trend. A rise from 0 or below has no ratio and never counts.
 */
export class TrendTracker {
  private previous: number | null;
  private run: number;
  private readonly maxStepRatio: number;

  constructor(
    private readonly increaseRatioPerCycle: number,
    private readonly cycles: number,
    state?: TrendState,
  ) {
    this.maxStepRatio = (1 + increaseRatioPerCycle) ** cycles - 1;
    this.previous = state?.previous ?? null;
    this.run = state?.run ?? 0;
  }

  /** Feeds the next value; returns how many cycles in a row it has crept up. */
  update(value: number): number {
    const previous = this.previous;
    const step = previous === null ? 0 : value - previous;
    const creeping =
      previous !== null &&
      previous > 0 &&
      step >= this.increaseRatioPerCycle * previous * (1 - RATIO_TOLERANCE) &&
      step <= this.maxStepRatio * previous;
    this.run = creeping ? this.run + 1 : 0;
    this.previous = value;
    return this.run;
  }

  /** True once the value has crept up for `cycles` cycles in a row. */
  get sustained(): boolean {
    return this.run >= this.cycles;
  }

  toJSON(): TrendState {
    return { previous: this.previous, run: this.run };
  }
}
