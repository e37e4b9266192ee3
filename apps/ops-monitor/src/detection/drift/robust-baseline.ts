import { SortedWindow } from './sorted-window';

/** Where a value stands against the baseline learned before it. */
export interface BaselineReading {
  /** Median of the window: the level the metric usually has. */
  readonly median: number;
  /** Robust standard deviation (1.4826 × MAD, floored): the usual noise. */
  readonly scale: number;
  /** Signed robust z-score (value − median) / scale; ±Infinity off a perfectly flat baseline. */
  readonly z: number;
}

/** 1.4826 × MAD estimates σ for normal noise, so z-scores read as standard deviations. */
const MAD_TO_SIGMA = 1.4826;
/** A median and MAD of fewer points than this say nothing; learning hides these early samples anyway. */
export const MIN_BASELINE_SAMPLES = 5;
/** The window's 5–95 % range sizes the noise floor when the level itself is near 0. */
const FLOOR_RANGE_QUANTILE = 0.05;

/**
 * The baseline-shift statistics: rolling median and MAD over the last
 * `windowSamples` values. Median and MAD have a 50 % breakdown point, so
 * neither a spike nor the first samples of a shift move the baseline; a shift
 * that lasts half a window becomes the new normal.
 */
export class RobustBaseline {
  private readonly window: SortedWindow;

  constructor(
    windowSamples: number,
    /** Noise below this share of the level (or of the window's range) is resolution, not signal. */
    private readonly noiseFloorRatio: number,
    values: readonly number[] = [],
  ) {
    this.window = SortedWindow.of(windowSamples, values);
  }

  get size(): number {
    return this.window.size;
  }

  /** The level (median), or null while too few samples are known. */
  level(): number | null {
    return this.window.size >= MIN_BASELINE_SAMPLES ? this.window.median() : null;
  }

  /** How far `value` is from the baseline, before `value` is learned (so it never judges itself). */
  read(value: number): BaselineReading | null {
    if (this.window.size < MIN_BASELINE_SAMPLES) return null;
    const median = this.window.median();
    const spread =
      this.window.quantile(1 - FLOOR_RANGE_QUANTILE) - this.window.quantile(FLOOR_RANGE_QUANTILE);
    // Quantised or mostly-constant metrics (CPU in 0.002 steps, idle disks at 0) have a MAD of 0;
    // the floor keeps one step of resolution from reading as an infinite deviation.
    const scale = Math.max(
      MAD_TO_SIGMA * this.window.mad(median),
      this.noiseFloorRatio * Math.max(Math.abs(median), spread),
    );
    const offset = value - median;
    const z = scale > 0 ? offset / scale : offset === 0 ? 0 : Math.sign(offset) * Infinity;
    return { median, scale, z };
  }

  learn(value: number): void {
    this.window.push(value);
  }

  /** The window, oldest first. */
  values(): number[] {
    return this.window.values();
  }
}
