import { Bool, Factor, Int, Ms, Nested, OneOf, Percent, Ratio, Rps, Seconds } from './validators';

/** Change against the recent cycles. */
export class RelativeRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /** Error rate ×3 against the reference. */
  @Factor({ min: 1 }) error_rate_factor!: number;
  /** p99 latency ×2 against the reference. */
  @Factor({ min: 1 }) latency_factor!: number;
  /**
   * The reference is the median of this many previous cycles, not the last one alone:
   * one lucky quiet window must not make the next ordinary one look like a jump.
   */
  @Int({ optional: true, min: 1, max: 100 }) reference_cycles: number = 5;
  /** Requests a window needs before its p99 or error ratio means anything (a p99 of 12 requests is their maximum). */
  @Int({ optional: true, min: 1, max: 1_000_000 }) min_window_requests: number = 50;
  /** Relative rules need traffic: under this rate a jump is noise. */
  @Rps() min_request_rate_rps!: number;
  /** Ignore a relative jump whose absolute level is still harmless (e.g. 0.1 % → 0.4 % errors). */
  @Ratio() min_error_rate_ratio!: number;
  @Ms({ latency: true }) min_latency_p99_ms!: number;
}

/**
 * A sustained trend: the value rises by at least `increase_ratio_per_cycle` for `cycles` cycles
 * in a row (each step below the whole rise, or it is a jump) and ends `baseline.threshold_mads`
 * above the baseline.
 */
export class TrendRuleConfig {
  @Ratio({ allowZero: false }) increase_ratio_per_cycle!: number;
  @Int({ min: 2, max: 1000 }) cycles!: number;
}

/** A shift from a learned baseline, with robust statistics so one outlier does not move it. */
export class BaselineRuleConfig {
  /** Rolling median and MAD over the last `window_samples` values. */
  @OneOf(['rolling_median_mad']) method!: 'rolling_median_mad';
  /** Window of recent samples for the median and MAD. */
  @Int({ min: 5, max: 100_000 }) window_samples!: number;
  /** Samples needed before the detector is trusted (no alerts while learning). */
  @Int({ min: 3, max: 100_000 }) min_samples!: number;
  /** Deviation, in MADs scaled to σ, that leaves the noise band: a shift (not a spike), a significant trend. */
  @Factor() threshold_mads!: number;
  /** Noise floor as a share of the level: quantised or flat metrics have a MAD of 0. */
  @Ratio() noise_floor_ratio!: number;
}

/** Anomaly likelihood: how rare the recent deviations are against this metric's own history. */
export class LikelihoodRuleConfig {
  /** Deviation, in MADs scaled to σ, at which a value is 63 % (1 − 1/e) surprising. */
  @Factor() surprise_mads!: number;
  /** Samples averaged into the short-term surprise. */
  @Int({ min: 1, max: 1000 }) short_window_samples!: number;
  /** Memory, in samples, of the long-term distribution of that average (EWMA weight 1/n). */
  @Int({ min: 2, max: 10_000_000 }) history_samples!: number;
  /** A value beyond the all-time range by this share of the range is novel: score 1. */
  @Ratio() novelty_margin_ratio!: number;
  /**
   * Samples averaged into the short-term surprise of the increments (value − previous value):
   * a change in how a metric moves (roughness, volatility), not where it is. Longer than the
   * level's window: one jump is the level's news, a lasting change of texture is this one's.
   */
  @Int({ optional: true, min: 1, max: 1000 }) increment_window_samples: number = 20;
}

/**
 * The seasonal view: a metric with a cycle of its own (learned from its history by
 * autocorrelation, never assumed) is compared with itself one cycle earlier. A flat day, a
 * lower or missing peak are in the usual range of values but not at the usual time.
 */
export class SeasonalRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /** Values kept to find the cycle: only cycles up to half of it can be seen. */
  @Int({ optional: true, min: 32, max: 100_000 }) history_samples: number = 1000;
  /** Autocorrelation the cycle's peak must reach, and rise by from the trough before it. */
  @Ratio({ optional: true, allowZero: false }) min_correlation: number = 0.3;
  /** Samples averaged into the short-term surprise of the seasonal differences. */
  @Int({ optional: true, min: 1, max: 1000 }) window_samples: number = 20;
}

/**
 * The drift detectors' learned state, kept in the `learning` bucket so that another ops-monitor
 * replica taking over (or this one restarting) carries on instead of learning for
 * `baseline.min_samples` cycles with drift detection blind. The services' usual levels and
 * relative references (blame, the relative rule) go with it on the same schedule, also when drift
 * detection itself is off.
 */
export class DriftPersistConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /** How often the leader saves what its detectors learned (and once when it hands over). */
  @Seconds({ optional: true, max: 24 * 3600 }) interval_s: number = 60;
  /** A saved state older than this is not restored: the metric may have moved on since. */
  @Seconds({ optional: true, max: 30 * 24 * 3600 }) max_age_s: number = 6 * 3600;
}

export class DriftRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /** Anomaly score (0..1, reported in hundredths) at or above which drift raises an anomaly. */
  @Ratio({ allowZero: false }) score_threshold!: number;
  /** After an alarm, this many samples are not scored: one alarm per episode, not one per sample. */
  @Int({ min: 0, max: 1_000_000 }) refractory_samples!: number;
  @Nested(() => TrendRuleConfig) trend!: TrendRuleConfig;
  @Nested(() => BaselineRuleConfig) baseline!: BaselineRuleConfig;
  @Nested(() => LikelihoodRuleConfig) likelihood!: LikelihoodRuleConfig;
  @Nested(() => SeasonalRuleConfig, { optional: true }) seasonal: SeasonalRuleConfig =
    new SeasonalRuleConfig();
  @Nested(() => DriftPersistConfig, { optional: true }) persist: DriftPersistConfig =
    new DriftPersistConfig();
}

/** Physically implausible values are unit bugs, not incidents: warn, never alert, never learn. */
export class SanityRuleConfig {
  @Ms({ max: 24 * 3_600_000 }) max_latency_p99_ms!: number;
  @Ratio() max_error_rate_ratio!: number;
  @Percent() max_cpu_usage_percent!: number;
}

/**
 * Which service a symptom belongs to. A caller's errors or latency are its dependency's fault
 * when a service it calls (`depends_on`, followed to the root) is in trouble: it has its own
 * anomaly, the crew is restarting it (and `settle_s` after), or its own p99 or error rate is far
 * above its usual level even before any threshold trips (a latency creep shows first as its
 * callers' timeouts). The caller's symptom is then attached to the dependency's incident as
 * impact; nothing is opened, and nothing restarted, for the caller.
 */
export class CulpritRuleConfig {
  /** A dependency is in trouble when its p99 or error rate is this many times its usual level. */
  @Factor({ optional: true, min: 1 }) elevated_factor: number = 3;
  /** …and its p99 at least this: 3× of 5 ms is still nothing a caller times out on. */
  @Ms({ optional: true, latency: true }) min_latency_p99_ms: number = 250;
  /** …or its error rate at least this (3× of 0.1 % is still noise). */
  @Ratio({ optional: true, allowZero: false }) min_error_rate_ratio: number = 0.01;
  /**
   * A service's usual level is the median of this many of its last measured windows: a fault
   * that has lasted less than half of them does not move it (25 min at 15 s cycles).
   */
  @Int({ optional: true, min: 5, max: 1000 }) baseline_windows: number = 100;
  /**
   * After the crew's restart of a service (its restart lease released), its callers' symptoms
   * still belong to it this long: their error windows lag the restart by a scrape or two.
   */
  @Seconds({ optional: true, allowZero: true, max: 3600 }) settle_s: number = 30;
  /**
   * A caller's symptom seen before any dependency's trouble waits this many cycles for the
   * dependency's own reading (their failures can land on either side of a scrape): blamed on it
   * then, or reported as the caller's own. 0 reports at once and lets a caller open an incident
   * for its dependency's fault.
   */
  @Int({ optional: true, min: 0, max: 5 }) hold_cycles: number = 1;
}

export class AbsoluteRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /**
   * An error-rate threshold fires only on at least this many failed requests in the window
   * (rate × window × ratio): one failure among 7 requests reads as 14 % — critical — and is
   * not an incident.
   */
  @Int({ optional: true, min: 1, max: 1000 }) min_window_errors: number = 2;
}

export class DetectionConfig {
  @Nested(() => AbsoluteRuleConfig) absolute!: AbsoluteRuleConfig;
  @Nested(() => RelativeRuleConfig) relative!: RelativeRuleConfig;
  @Nested(() => DriftRuleConfig) drift!: DriftRuleConfig;
  @Nested(() => SanityRuleConfig) sanity!: SanityRuleConfig;
  @Nested(() => CulpritRuleConfig, { optional: true }) culprit: CulpritRuleConfig =
    new CulpritRuleConfig();
  /**
   * After a load test releases a service, its queues drain for a while: its
   * anomalies stay informational this long after the lock was last seen.
   */
  @Seconds({ allowZero: true, max: 3600 }) after_lock_grace_s!: number;
}
