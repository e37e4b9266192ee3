/** Persisted state of a {@link PeriodEstimator}. */
export interface PeriodState {
  /** The history, oldest first. */
  readonly history: number[];
  /** The period found by the last estimate; 0 when none. */
  readonly period: number;
  /** Values seen since the last estimate. */
  readonly since: number;
}

/** Fewer lags (in blocks) than this are not a cycle but the metric's inertia (smoothing, drift). */
const MIN_PERIOD = 8;
/** The cycle is searched on at most this many block means: O(blocks²) per estimate, not O(history²). */
const SEARCH_BLOCKS = 256;
/** A peak this close to the highest one (in correlation) may be the cycle the highest is a multiple of. */
const HARMONIC_TOLERANCE = 0.1;
/** Values below this quantile and above its mirror are clipped before correlating. */
const CLIP_QUANTILE = 0.02;
/** A cycle found again within this share of its length is the same cycle. */
const SAME_CYCLE_RATIO = 0.05;

/**
 * Scratch for one estimate at a time (updates are synchronous): shared by every estimator, so
 * 10,000 services × 3 metrics do not each hold two more copies of their history.
 */
let scratch = new Float64Array(0);
const blockMeans = new Float64Array(SEARCH_BLOCKS);

/**
 * The metric's cycle length in samples, learned from its own history: the lag
 * at which the autocorrelation of the last `historySamples` values has its
 * highest peak, when that peak is both strong and prominent (the correlation
 * first fell and then rose again, which a trend or a random walk never does:
 * their autocorrelation only decays). No clear peak: period 0, and the
 * seasonal view stays silent. Nothing about the sampling rate is assumed — a
 * daily cycle is 288 samples at 5 min and 5,760 at 15 s, and only cycles that
 * fit twice into the history can be seen.
 *
 * The estimate is redone every `historySamples / 2` values on at most 256
 * block means, then refined at full resolution around the peak: a few hundred
 * multiply-adds per update, amortised, whatever the history.
 */
export class PeriodEstimator {
  /**
   * Single precision: 7 significant digits are far finer than any cycle or seasonal difference
   * needs, and 10,000 services × 3 metrics hold this history (4 KB each instead of 8).
   */
  private readonly ring: Float32Array;
  private count = 0;
  private head = 0;
  private since = 0;
  /** Variance (sum of squares) of the last estimate's centred history. */
  private variance = 0;
  private currentPeriod = 0;

  constructor(
    historySamples: number,
    /** Autocorrelation the peak must reach (and rise by, from the lowest point before it). */
    private readonly minCorrelation: number,
    state?: PeriodState,
  ) {
    this.ring = new Float32Array(historySamples);
    if (state) {
      for (const value of state.history.slice(-historySamples)) this.push(value);
      this.currentPeriod = Math.min(state.period, Math.floor(historySamples / 2));
      this.since = state.since;
    }
  }

  /** The cycle length in samples, 0 when the metric has no clear cycle. */
  get period(): number {
    return this.currentPeriod;
  }

  /** The value `lag` samples before the last learned one (lag 1 = the last); NaN if not held. */
  ago(lag: number): number {
    if (lag < 1 || lag > this.count) return Number.NaN;
    const size = this.ring.length;
    return this.ring[(this.head - lag + size) % size] ?? Number.NaN;
  }

  learn(value: number): void {
    this.push(value);
    this.since += 1;
    if (this.count === this.ring.length && this.since >= this.ring.length / 2) {
      this.since = 0;
      this.currentPeriod = this.reestimate();
    }
  }

  toJSON(): PeriodState {
    const out: number[] = [];
    for (let lag = this.count; lag >= 1; lag--) out.push(this.ago(lag));
    return { history: out, period: this.currentPeriod, since: this.since };
  }

  private push(value: number): void {
    this.ring[this.head] = value;
    this.head = (this.head + 1) % this.ring.length;
    if (this.count < this.ring.length) this.count += 1;
  }

  /**
   * A new estimate, held steady: a cycle found again within a few percent is kept as it is
   * (its seasonal differences stay valid), and one that still correlates at half the strength
   * survives an estimate that missed it (an anomaly in the history weakens the peak).
   */
  private reestimate(): number {
    const found = this.estimate();
    const current = this.currentPeriod;
    if (current === 0 || found === current) return found;
    if (found !== 0 && Math.abs(found - current) <= current * SAME_CYCLE_RATIO) return current;
    if (found === 0 && current <= this.count / 2) {
      const still = autocorrelation(scratch, this.count, this.variance, current);
      if (still >= this.minCorrelation / 2) return current;
    }
    return found;
  }

  /** Fills `scratch` with the clipped, centred history (oldest first) and finds its cycle. */
  private estimate(): number {
    const n = this.count;
    if (scratch.length < n) scratch = new Float64Array(n);
    const size = this.ring.length;
    // Clipped to the 2–98 % range: a few bursts would otherwise own the correlation, and a
    // bursty metric's daily cycle would go unseen.
    for (let k = 0; k < n; k++) scratch[k] = this.ring[k] ?? 0;
    const sorted = scratch.subarray(0, n).sort();
    const low = sorted[Math.floor(CLIP_QUANTILE * (n - 1))] ?? 0;
    const high = sorted[Math.ceil((1 - CLIP_QUANTILE) * (n - 1))] ?? 0;
    let mean = 0;
    for (let k = 0; k < n; k++) mean += Math.min(high, Math.max(low, this.ring[k] ?? 0));
    mean /= n;
    // Oldest first, centred: the correlation at each lag is then one plain dot product.
    let variance = 0;
    for (let k = 0; k < n; k++) {
      const clipped = Math.min(high, Math.max(low, this.ring[(this.head + k) % size] ?? 0));
      const centred = clipped - mean;
      scratch[k] = centred;
      variance += centred * centred;
    }
    this.variance = variance;
    if (variance <= 0) return 0;
    // The search runs on block means (a cycle is far longer than a block, and averaging
    // only calms the noise), then the lag is refined at full resolution around the peak.
    const block = Math.ceil(n / SEARCH_BLOCKS);
    const blocks = Math.floor(n / block);
    const skip = n - blocks * block;
    let blockVariance = 0;
    for (let b = 0; b < blocks; b++) {
      let sum = 0;
      for (let k = 0; k < block; k++) sum += scratch[skip + b * block + k] ?? 0;
      blockMeans[b] = sum / block;
      blockVariance += (sum / block) ** 2;
    }
    if (blockVariance <= 0) return 0;
    const peak = peakLag(blockMeans, blocks, blockVariance, this.minCorrelation);
    if (peak === 0) return 0;
    let best = 0;
    let bestCorrelation = -Infinity;
    const maxLag = Math.floor(n / 2);
    for (let lag = Math.max(1, (peak - 1) * block + 1); lag < (peak + 1) * block; lag++) {
      if (lag > maxLag) break;
      const correlation = autocorrelation(scratch, n, variance, lag);
      if (correlation > bestCorrelation) {
        best = lag;
        bestCorrelation = correlation;
      }
    }
    return best;
  }
}

/** Correlation of `values[0..n)` with itself `lag` later, normalised by the pairs that exist. */
function autocorrelation(values: Float64Array, n: number, variance: number, lag: number): number {
  let sum = 0;
  for (let k = lag; k < n; k++) sum += (values[k] ?? 0) * (values[k - lag] ?? 0);
  // Per pair, so long lags are not penalised for having fewer.
  return (sum / (n - lag)) * (n / variance);
}

/**
 * The lag (MIN_PERIOD ≤ lag ≤ n/2) of the highest autocorrelation peak that reaches
 * `minCorrelation` and rose by as much from the lowest correlation at a shorter lag; 0 if none.
 */
function peakLag(
  values: Float64Array,
  n: number,
  variance: number,
  minCorrelation: number,
): number {
  const maxLag = Math.floor(n / 2);
  let lowest = 1;
  const peaks: Array<{ lag: number; correlation: number }> = [];
  let highest = minCorrelation;
  let before = Number.NaN;
  let previous = Number.NaN;
  for (let lag = 1; lag <= maxLag + 1; lag++) {
    const correlation = autocorrelation(values, n, variance, lag);
    // `previous` (at lag − 1) is a peak when it tops both neighbours.
    if (
      lag - 1 >= MIN_PERIOD &&
      previous >= before &&
      previous > correlation &&
      previous >= minCorrelation &&
      previous - lowest >= minCorrelation
    ) {
      peaks.push({ lag: lag - 1, correlation: previous });
      highest = Math.max(highest, previous);
    }
    if (correlation < lowest) lowest = correlation;
    before = previous;
    previous = correlation;
  }
  // A cycle's multiples peak as high as the cycle itself: the first peak near the highest is it.
  return peaks.find((peak) => peak.correlation >= highest - HARMONIC_TOLERANCE)?.lag ?? 0;
}
