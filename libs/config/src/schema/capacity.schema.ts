import {
  Int,
  Minutes,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  Percent,
  Ratio,
  Rps,
} from './validators';

/** A service's request-rate capacity: the rate its request-rate forecast is held against. */
export class ServiceCapacityConfig {
  @Rps() request_rate_rps!: number;
}

/**
 * Capacity forecasting (issue 11): ops-monitor downsamples each service's CPU %, memory % and
 * request rate into `bucket_minutes` buckets kept for `history_days` (KV bucket `capacity`);
 * atlas (`GET /forecast`) and demo-controller's weekly report forecast them with Holt's linear
 * trend. Every key has a default: the section may be left out.
 */
export class CapacityConfig {
  /** Days of history kept per service and metric (28: four weeks of hourly points, 672). */
  @Int({ optional: true, min: 2, max: 62 }) history_days: number = 28;
  /** Bucket size (60: hourly mean and max); must divide a day. */
  @Int({ optional: true, min: 5, max: 1440 }) bucket_minutes: number = 60;
  /** How often ops-monitor writes its new samples into the bucket (CAS). */
  @Minutes({ optional: true }) persist_every_minutes: number = 5;
  /** Fewer buckets than this with samples: "insufficient data" (24: a day of hourly points). */
  @Int({ optional: true, min: 3, max: 10_000 }) min_points: number = 24;
  /** A shorter history (first to last bucket) than this: "insufficient data". */
  @Int({ optional: true, min: 1, max: 24 * 62 }) min_span_hours: number = 24;
  /** Crossings within this many days are findings (weekly report); later ones are not. */
  @Int({ optional: true, min: 1, max: 365 }) horizon_days: number = 30;
  /** Central share of the prediction interval around forecasts and crossings (0.9: 5 %–95 %). */
  @Ratio({ optional: true, allowZero: false }) interval_ratio: number = 0.9;
  /** The trend test reads the most recent this many days (a recent rise counts). */
  @Int({ optional: true, min: 1, max: 62 }) trend_window_days: number = 7;
  @Percent({ optional: true }) cpu_threshold_percent: number = 90;
  @Percent({ optional: true }) memory_threshold_percent: number = 90;
  /** Request-rate capacities by service; a service without one gets its trend only. */
  @NestedMap(() => ServiceCapacityConfig, {
    optional: true,
    keyPattern: NAME_PATTERN,
    keyHint: NAME_HINT,
  })
  services: Map<string, ServiceCapacityConfig> = new Map();
}

/** The cross-field rules of a CapacityConfig: each problem as [key, message]. */
export function capacityConfigIssues(config: CapacityConfig): [string, string][] {
  const issues: [string, string][] = [];
  if (1440 % config.bucket_minutes !== 0)
    issues.push([
      'bucket_minutes',
      `must divide a day (1440 minutes), got ${config.bucket_minutes}`,
    ]);
  const points = (config.history_days * 1440) / config.bucket_minutes;
  if (points > 1500)
    issues.push([
      'history_days',
      `keeps ${points} points per metric at bucket_minutes ${config.bucket_minutes}; at most 1500 fit a KV value (fewer days or larger buckets)`,
    ]);
  if (config.interval_ratio >= 1)
    issues.push(['interval_ratio', 'must be below 1 (a 100 % interval is infinitely wide)']);
  return issues;
}
