import { type DriftRuleConfig } from '@opscrew/config';
import { AnomalyLikelihood } from './anomaly-likelihood';
import { PeriodEstimator } from './period.estimator';
import { DRIFT_STATE_VERSION, type DriftState, parseDriftState } from './drift-state';
import { RangeTracker } from './range.tracker';
import { type BaselineReading, RobustBaseline } from './robust-baseline';
import { TrendTracker } from './trend.tracker';

export type DriftKind = 'none' | 'baseline_shift' | 'trend' | 'spike';

export interface DriftVerdict {
  /** Anomaly score 0..1 for this update (0 while learning and during the refractory period). */
  score: number;
  /** score ≥ config score_threshold and not learning. */
  anomalous: boolean;
  /** What fired ('none' unless anomalous). */
  kind: DriftKind;
  /** Which way the metric moved ('up' | 'down' when anomalous, else null). */
  direction: 'up' | 'down' | null;
  /** The learned baseline (median of the window; null while learning). */
  baseline: number | null;
  /** Robust z-score of this value against the baseline, signed (null before any baseline). */
  deviation: number | null;
  /** Fewer than min_samples seen: never anomalous. */
  learning: boolean;
}

/** Rules, not likelihoods: when they hold, the verdict is certain. */
const CERTAIN = 1;
/**
 * Scores are reported in hundredths. The probability behind a score is an
 * approximation, so finer digits carry no information; on a coarse grid a
 * threshold is an exact cut that any optimiser over the reported scores
 * (NAB's, a dashboard's) can find, refractory zeros included.
 */
const SCORE_STEPS = 100;
/** A spike is one sample off the baseline; still off on the next one means the level moved. */
const PERSISTED_SAMPLES = 2;

/**
 * Drift on one metric of one service, for metrics without thresholds: a
 * streaming, causal detector (the score at t uses only values up to t),
 * scale-free (z-scores in robust σ, a probability as score), O(window) memory
 * and O(log window) work per update apart from two memmoves.
 *
 * The score is the maximum of five detectors, all judged against what was
 * learned before the value:
 * - anomaly likelihood of the recent robust z-scores (spikes and baseline
 *   shifts that are rare *for this metric*);
 * - anomaly likelihood of the robust z-scores of the increments (value −
 *   previous value) over a longer window: the metric moves differently
 *   (noisier, calmer, oscillating) although its level is usual — not on a
 *   metric with a cycle, whose increments follow the cycle's phase (a steep
 *   ramp every morning): there the seasonal view judges how it moves;
 * - anomaly likelihood of the seasonal difference (value − the same point of
 *   the last three cycles), when the metric has a cycle of its own: a flat
 *   day or a missing peak whose values are all in the usual range;
 * - novelty: a value beyond the all-time range (a first-ever spike);
 * - the trend rule: a sustained creep that has left the noise band.
 * After an alarm the next `refractory_samples` updates are not scored, so one
 * episode raises one alarm; a shift that persists alarms again afterwards.
 */
export class DriftDetector {
  private readonly baseline: RobustBaseline;
  private readonly likelihood: AnomalyLikelihood;
  private readonly trend: TrendTracker;
  private readonly range: RangeTracker;
  private readonly increments: RobustBaseline;
  private readonly incrementLikelihood: AnomalyLikelihood;
  private readonly period: PeriodEstimator;
  /** Seasonal differences (value − the same point of earlier cycles) under `seasonalPeriod`. */
  private seasonalDiffs: RobustBaseline;
  private readonly seasonalLikelihood: AnomalyLikelihood;
  /** The cycle the seasonal differences were taken over; 0 while there is none. */
  private seasonalPeriod = 0;
  /** The last finite value, for the increments; null before the first. */
  private previous: number | null = null;
  /** Signed z of the last short window (ring), to tell a shift from a spike when an alarm fires. */
  private readonly recentZ: Float64Array;
  private recentCount = 0;
  private recentHead = 0;
  private seen = 0;
  private quietLeft = 0;

  constructor(
    private readonly config: DriftRuleConfig,
    state?: DriftState,
  ) {
    const { baseline, likelihood, trend } = config;
    this.baseline = new RobustBaseline(
      baseline.window_samples,
      baseline.noise_floor_ratio,
      state?.baseline,
    );
    this.likelihood = new AnomalyLikelihood(
      likelihood.surprise_mads,
      likelihood.short_window_samples,
      likelihood.history_samples,
      state?.likelihood,
    );
    this.trend = new TrendTracker(trend.increase_ratio_per_cycle, trend.cycles, state?.trend);
    this.range = new RangeTracker(likelihood.novelty_margin_ratio, state?.range);
    // Increments get the level's baseline window and likelihood memory: the same notion of
    // "usual" for both views of one metric.
    this.increments = new RobustBaseline(
      baseline.window_samples,
      baseline.noise_floor_ratio,
      state?.increments,
    );
    this.incrementLikelihood = new AnomalyLikelihood(
      likelihood.surprise_mads,
      likelihood.increment_window_samples,
      likelihood.history_samples,
      state?.increment_likelihood,
    );
    const { seasonal } = config;
    this.period = new PeriodEstimator(
      seasonal.history_samples,
      seasonal.min_correlation,
      state?.period,
    );
    this.seasonalDiffs = new RobustBaseline(
      baseline.window_samples,
      baseline.noise_floor_ratio,
      state?.seasonal_diffs,
    );
    this.seasonalLikelihood = new AnomalyLikelihood(
      likelihood.surprise_mads,
      seasonal.window_samples,
      likelihood.history_samples,
      state?.seasonal_likelihood,
    );
    this.seasonalPeriod = state?.seasonal_period ?? 0;
    this.previous = state?.previous ?? null;
    this.recentZ = new Float64Array(likelihood.short_window_samples);
    if (state) {
      for (const z of state.recent_z.slice(-this.recentZ.length)) this.pushRecentZ(z);
      this.seen = state.seen;
      this.quietLeft = Math.min(state.quiet_left, config.refractory_samples);
    }
  }

  /** Restores a detector persisted with {@link toJSON}; throws on a malformed or older state. */
  static fromJSON(config: DriftRuleConfig, state: unknown): DriftDetector {
    return new DriftDetector(config, parseDriftState(state));
  }

  /**
   * Judges `value` against what was learned before it, then learns it.
   * `_atMs` is accepted for the engine's sake but unused: windows count
   * samples, not time, so the detector is the same at any poll interval.
   */
  update(value: number, _atMs: number): DriftVerdict {
    const learning = this.seen < this.config.baseline.min_samples;
    // A gap or a unit bug upstream must not poison the baseline: skip it, say nothing.
    if (!Number.isFinite(value)) {
      return this.quiet(0, learning, learning ? null : this.baseline.level(), null);
    }

    const reading = this.baseline.read(value);
    const likelihoodScore = reading ? this.likelihood.update(reading.z) : 0;
    if (reading) this.pushRecentZ(reading.z);
    // New territory counts only out of the noise band: on plain noise the all-time range
    // keeps widening by a hair (records), which is not news.
    const novelty =
      reading && Math.abs(reading.z) >= this.config.baseline.threshold_mads
        ? this.range.novelty(value)
        : 0;
    const incrementScore = this.scoreIncrement(value);
    const seasonalScore = this.config.seasonal.enabled ? this.scoreSeasonal(value) : 0;
    // On a cyclic metric the increments' usual size changes with the phase of the cycle, so
    // their likelihood (calibrated over all phases at once) is not news; still learned, so it is
    // ready when the cycle fades.
    const movementScore = this.seasonalReady() ? 0 : incrementScore;
    const creepRun = this.trend.update(value);
    this.baseline.learn(value);
    this.range.learn(value);
    this.previous = value;
    this.seen += 1;

    const deviation = reading ? clampFinite(reading.z) : null;
    if (learning) return this.quiet(0, true, null, deviation);
    const baseline = reading?.median ?? null;
    if (this.quietLeft > 0) {
      this.quietLeft -= 1;
      return this.quiet(0, false, baseline, deviation);
    }

    const trendHolds =
      this.trend.sustained && reading !== null && reading.z >= this.config.baseline.threshold_mads;
    const score =
      Math.round(
        Math.max(
          likelihoodScore,
          movementScore,
          seasonalScore,
          novelty !== 0 || trendHolds ? CERTAIN : 0,
        ) * SCORE_STEPS,
      ) / SCORE_STEPS;
    if (score < this.config.score_threshold) return this.quiet(score, false, baseline, deviation);

    this.quietLeft = this.config.refractory_samples;
    // A creep that another detector caught one cycle before the trend rule would have is still
    // a creep: named after what it is, not after who saw it first.
    const creeping = trendHolds || creepRun >= this.config.trend.cycles - 1;
    const { kind, direction } = creeping
      ? { kind: 'trend' as const, direction: 'up' as const }
      : this.classify(novelty, reading);
    return { score, anomalous: true, kind, direction, baseline, deviation, learning: false };
  }

  /** Learned state as plain JSON (to persist a baseline in KV) and back with {@link fromJSON}. */
  toJSON(): DriftState {
    return {
      version: DRIFT_STATE_VERSION,
      seen: this.seen,
      quiet_left: this.quietLeft,
      baseline: this.baseline.values(),
      recent_z: this.recentOldestFirst(),
      likelihood: this.likelihood.toJSON(),
      trend: this.trend.toJSON(),
      range: this.range.toJSON(),
      previous: this.previous,
      increments: this.increments.values(),
      increment_likelihood: this.incrementLikelihood.toJSON(),
      period: this.period.toJSON(),
      seasonal_period: this.seasonalPeriod,
      seasonal_diffs: this.seasonalDiffs.values(),
      seasonal_likelihood: this.seasonalLikelihood.toJSON(),
    };
  }

  /**
   * Likelihood of the seasonal difference (value − the median of the values one, two and three
   * cycles back) against the differences before it; learns the value. Silent while the metric
   * has no clear cycle, and until a window of differences under the current cycle is known.
   */
  private scoreSeasonal(value: number): number {
    const period = this.period.period;
    if (period !== this.seasonalPeriod) {
      // Differences over another lag are another quantity: start them afresh.
      this.seasonalPeriod = period;
      this.seasonalDiffs = new RobustBaseline(
        this.config.baseline.window_samples,
        this.config.baseline.noise_floor_ratio,
      );
    }
    let score = 0;
    if (period > 0) {
      const reference = this.seasonalReference(period);
      if (!Number.isNaN(reference)) {
        const diff = value - reference;
        const reading = this.seasonalDiffs.read(diff);
        this.seasonalDiffs.learn(diff);
        const likelihood = reading ? this.seasonalLikelihood.update(reading.z) : 0;
        if (this.seasonalReady()) score = likelihood;
      }
    }
    this.period.learn(value);
    return score;
  }

  /** The metric has a cycle and a window of seasonal differences under it: the view scores. */
  private seasonalReady(): boolean {
    return (
      this.config.seasonal.enabled &&
      this.seasonalPeriod > 0 &&
      this.seasonalDiffs.size >= this.config.baseline.min_samples
    );
  }

  /** Median of the values 1, 2, 3 cycles back that the history holds; NaN when none. */
  private seasonalReference(period: number): number {
    // Three values at most: compared in place, no array per update.
    const one = this.period.ago(period);
    const two = this.period.ago(2 * period);
    const three = this.period.ago(3 * period);
    if (Number.isNaN(two)) return one;
    if (Number.isNaN(three)) return (one + two) / 2;
    return Math.max(Math.min(one, two), Math.min(Math.max(one, two), three));
  }

  /** Likelihood of the increment's robust z against the increments before it; learns it. */
  private scoreIncrement(value: number): number {
    if (this.previous === null) return 0;
    const increment = value - this.previous;
    const reading = this.increments.read(increment);
    this.increments.learn(increment);
    return reading ? this.incrementLikelihood.update(reading.z) : 0;
  }

  /**
   * A shift when the deviation persisted: this sample and the one before are
   * both beyond the noise band on the same side (a spike is one sample; still
   * away on the next means the level moved). Otherwise a spike, pointing the
   * way of the novelty or of the largest recent deviation.
   */
  private classify(
    novelty: -1 | 0 | 1,
    reading: BaselineReading | null,
  ): { kind: DriftKind; direction: 'up' | 'down' } {
    const recent = this.recentOldestFirst();
    const band = this.config.baseline.threshold_mads;
    const persisted = recent.slice(-PERSISTED_SAMPLES);
    if (
      persisted.length === PERSISTED_SAMPLES &&
      (persisted.every((z) => z >= band) || persisted.every((z) => z <= -band))
    ) {
      return { kind: 'baseline_shift', direction: (persisted[0] ?? 0) > 0 ? 'up' : 'down' };
    }
    if (novelty !== 0) return { kind: 'spike', direction: novelty > 0 ? 'up' : 'down' };
    let largest = reading?.z ?? 0;
    for (const z of recent) if (Math.abs(z) > Math.abs(largest)) largest = z;
    return { kind: 'spike', direction: largest >= 0 ? 'up' : 'down' };
  }

  private quiet(
    score: number,
    learning: boolean,
    baseline: number | null,
    deviation: number | null,
  ): DriftVerdict {
    return {
      score,
      anomalous: false,
      kind: 'none',
      direction: null,
      baseline,
      deviation,
      learning,
    };
  }

  private pushRecentZ(z: number): void {
    this.recentZ[this.recentHead] = clampFinite(z);
    this.recentHead = (this.recentHead + 1) % this.recentZ.length;
    if (this.recentCount < this.recentZ.length) this.recentCount += 1;
  }

  private recentOldestFirst(): number[] {
    const size = this.recentZ.length;
    const start = this.recentCount === size ? this.recentHead : 0;
    const out: number[] = [];
    for (let k = 0; k < this.recentCount; k++) out.push(this.recentZ[(start + k) % size] ?? 0);
    return out;
  }
}

/** ±Infinity (a deviation off a perfectly flat baseline) as the largest finite number: JSON-safe. */
function clampFinite(z: number): number {
  return Math.min(Number.MAX_VALUE, Math.max(-Number.MAX_VALUE, z));
}
