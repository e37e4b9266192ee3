import {
  Factor,
  Int,
  Minutes,
  Ms,
  Nested,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  OneOf,
  Ratio,
  Seconds,
} from './validators';

/** A burn alert opens an incident: `info` (a note, never a ticket) is not among its severities. */
const BURN_SEVERITIES = ['critical', 'high', 'medium', 'low'] as const;

export class SloObjectiveConfig {
  /** Share of requests that must succeed (0.999 = "three nines"); below 1 (semantic check). */
  @Ratio({ allowZero: false }) availability_ratio!: number;
  /** A minute is good when its p99 is at most this. */
  @Ms({ latency: true }) latency_p99_ms!: number;
  @Int({ min: 1, max: 366 }) window_days!: number;
  /** Share of time slices whose p99 must meet latency_p99_ms; default availability_ratio. */
  @Ratio({ optional: true, allowZero: false }) latency_target_ratio?: number;
}

/**
 * One multi-window burn-rate alert (Google SRE workbook, ch. 5): it fires while the budget
 * burns faster than `burn_rate` × the sustainable rate over both windows.
 */
export class SloBurnAlertConfig {
  @Factor({ min: 1 }) burn_rate!: number;
  /** At most a day (semantic check): the fine buckets are kept that long at most. */
  @Minutes() long_window_minutes!: number;
  /** Shorter than the long window (semantic check); it makes the alert clear soon. */
  @Minutes() short_window_minutes!: number;
  @OneOf(BURN_SEVERITIES) severity!: (typeof BURN_SEVERITIES)[number];
  /** Share of each window that must have data before it may fire (default 0.5). */
  @Ratio({ optional: true }) min_coverage_ratio?: number;
}

/** Each alert left out takes the workbook's: fast 14.4× over 1 h and 5 min (high), slow 6× over 6 h and 30 min (medium). */
export class SloBurnAlertsConfig {
  @Nested(() => SloBurnAlertConfig, { optional: true }) fast?: SloBurnAlertConfig;
  @Nested(() => SloBurnAlertConfig, { optional: true }) slow?: SloBurnAlertConfig;
}

export class SloConfig {
  @NestedMap(() => SloObjectiveConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  objectives!: Map<string, SloObjectiveConfig>;
  @Nested(() => SloBurnAlertsConfig, { optional: true }) burn_alerts?: SloBurnAlertsConfig;
  /** ops-monitor writes each service's SLI counts to the `slo` bucket at most this often (default 60). */
  @Seconds({ optional: true, max: 3600 }) persist_interval_s?: number;
}
