import { normalUpperTail } from './normal-tail';

/** Persisted state of an {@link AnomalyLikelihood}. */
export interface AnomalyLikelihoodState {
  /** Recent surprises, oldest first. */
  readonly recent: number[];
  readonly historyCount: number;
  readonly historyMean: number;
  readonly historyVariance: number;
}

/**
 * Below a thousandth of the surprise range (0..1) the history is a flat line:
 * flooring its σ there keeps a perfectly quiet metric from dividing by 0, while
 * any real change on it still reads as news.
 */
const MIN_HISTORY_SIGMA = 1e-3;
/** Tail probabilities are reported as −log10(p) / 10: p = 1e-10 (or rarer) is score 1. */
const TAIL_DECADES_FOR_FULL_SCORE = 10;

/**
 * Anomaly likelihood (Numenta's idea, on a robust z instead of an HTM
 * prediction error). Each robust z is turned into a bounded surprise in 0..1,
 * the surprises are averaged over a short window, and that short-term mean is
 * compared with its own long-term distribution (exponentially weighted mean
 * and variance): the Gaussian tail probability of the current mean is the
 * score. A metric that is always spiky has a high usual surprise and stays
 * quiet; the same spike on a calm metric is rare and scores high. Because the
 * score is a probability, one threshold fits every metric and scale.
 */
export class AnomalyLikelihood {
  private readonly recent: Float64Array;
  private recentCount = 0;
  private recentHead = 0;
  private historyCount = 0;
  private historyMean = 0;
  private historyVariance = 0;

  constructor(
    /** |z| (robust σ) at which a value is 1 − 1/e ≈ 63 % surprising. */
    private readonly surpriseMads: number,
    shortWindowSamples: number,
    /** Memory of the long-term distribution: its EWMA weight is 1 / historySamples. */
    private readonly historySamples: number,
    state?: AnomalyLikelihoodState,
  ) {
    this.recent = new Float64Array(shortWindowSamples);
    if (state) {
      for (const surprise of state.recent.slice(-shortWindowSamples)) this.pushRecent(surprise);
      this.historyCount = state.historyCount;
      this.historyMean = state.historyMean;
      this.historyVariance = state.historyVariance;
    }
  }

  /** Bounded surprise of a robust z: 0 on the baseline, → 1 far from it (Infinity maps to 1). */
  surprise(z: number): number {
    return 1 - Math.exp(-Math.abs(z) / this.surpriseMads);
  }

  /** Adds the surprise of the latest value and returns the anomaly score in 0..1. */
  update(z: number): number {
    this.pushRecent(this.surprise(z));
    // Summed afresh (a handful of adds) rather than kept running: no rounding drift over months,
    // and a restored detector continues bit for bit.
    const size = this.recent.length;
    const start = this.recentCount === size ? this.recentHead : 0;
    let sum = 0;
    for (let k = 0; k < this.recentCount; k++) sum += this.recent[(start + k) % size] ?? 0;
    const mean = sum / this.recentCount;
    let score = 0;
    if (this.historyCount > 0) {
      const sigma = Math.sqrt(Math.max(this.historyVariance, MIN_HISTORY_SIGMA ** 2));
      const tail = normalUpperTail((mean - this.historyMean) / sigma);
      score = Math.min(1, Math.max(0, -Math.log10(tail) / TAIL_DECADES_FOR_FULL_SCORE));
    }
    // Until `historySamples` are seen the weight is 1/n: a plain mean, not a bias towards 0.
    this.historyCount += 1;
    const weight = Math.max(1 / this.historyCount, 1 / this.historySamples);
    const delta = mean - this.historyMean;
    this.historyMean += weight * delta;
    this.historyVariance = (1 - weight) * (this.historyVariance + weight * delta * delta);
    return score;
  }

  toJSON(): AnomalyLikelihoodState {
    return {
      recent: this.recentOldestFirst(),
      historyCount: this.historyCount,
      historyMean: this.historyMean,
      historyVariance: this.historyVariance,
    };
  }

  private recentOldestFirst(): number[] {
    const out: number[] = [];
    const start = this.recentCount === this.recent.length ? this.recentHead : 0;
    for (let k = 0; k < this.recentCount; k++) {
      out.push(this.recent[(start + k) % this.recent.length] ?? 0);
    }
    return out;
  }

  private pushRecent(surprise: number): void {
    if (this.recentCount < this.recent.length) this.recentCount += 1;
    this.recent[this.recentHead] = surprise;
    this.recentHead = (this.recentHead + 1) % this.recent.length;
  }
}
