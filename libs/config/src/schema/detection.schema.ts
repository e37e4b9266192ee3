import { Bool, Factor, Int, Ms, Nested, OneOf, Percent, Ratio, Rps } from './validators';

/** Change against the previous cycle. */
export class RelativeRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  /** Error rate ×3 in one cycle. */
  @Factor({ min: 1 }) error_rate_factor!: number;
  /** p99 latency ×2 in one cycle. */
  @Factor({ min: 1 }) latency_factor!: number;
  /** Relative rules need traffic: under this rate a jump is noise. */
  @Rps() min_request_rate_rps!: number;
  /** Ignore a relative jump whose absolute level is still harmless (e.g. 0.1 % → 0.4 % errors). */
  @Ratio() min_error_rate_ratio!: number;
  @Ms({ latency: true }) min_latency_p99_ms!: number;
}

/** A sustained trend: the value rises by at least `increase_ratio_per_cycle` for `cycles` cycles in a row. */
export class TrendRuleConfig {
  @Ratio({ allowZero: false }) increase_ratio_per_cycle!: number;
  @Int({ min: 2, max: 1000 }) cycles!: number;
}

/** A shift from a learned baseline, with robust statistics so one outlier does not move it. */
export class BaselineRuleConfig {
  @OneOf(['ewma_mad']) method!: 'ewma_mad';
  /** EWMA smoothing factor: small = long memory. */
  @Ratio({ allowZero: false }) alpha!: number;
  /** Samples needed before the baseline is trusted (no alerts while learning). */
  @Int({ min: 3, max: 100_000 }) min_samples!: number;
  /** Window of recent samples for the median and MAD. */
  @Int({ min: 5, max: 100_000 }) window_samples!: number;
  /** Deviation, in MADs scaled to σ, that counts as a shift. */
  @Factor() threshold_mads!: number;
}

export class DriftRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
  @Nested(() => TrendRuleConfig) trend!: TrendRuleConfig;
  @Nested(() => BaselineRuleConfig) baseline!: BaselineRuleConfig;
}

/** Physically implausible values are unit bugs, not incidents: warn, never alert, never learn. */
export class SanityRuleConfig {
  @Ms({ max: 24 * 3_600_000 }) max_latency_p99_ms!: number;
  @Ratio() max_error_rate_ratio!: number;
  @Percent() max_cpu_usage_percent!: number;
}

export class AbsoluteRuleConfig {
  @Bool({ optional: true }) enabled: boolean = true;
}

export class DetectionConfig {
  @Nested(() => AbsoluteRuleConfig) absolute!: AbsoluteRuleConfig;
  @Nested(() => RelativeRuleConfig) relative!: RelativeRuleConfig;
  @Nested(() => DriftRuleConfig) drift!: DriftRuleConfig;
  @Nested(() => SanityRuleConfig) sanity!: SanityRuleConfig;
}
