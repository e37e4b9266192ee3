import {
  Minutes,
  Ms,
  Nested,
  NestedMap,
  NAME_HINT,
  NAME_PATTERN,
  OneOf,
  Percent,
  Ratio,
  Rps,
  Str,
  StrList,
} from './validators';

/** Absolute thresholds; any may be left out to fall back to the defaults. */
export class ThresholdSetConfig {
  @Ratio({ optional: true }) error_rate_ratio?: number;
  @Ms({ optional: true, latency: true }) latency_p99_ms?: number;
  @Percent({ optional: true }) cpu_usage_percent?: number;
  @Percent({ optional: true }) memory_usage_percent?: number;
  /** Below this traffic a service's ratios are noise (1 error in 2 requests is not 50 % of anything). */
  @Rps({ optional: true }) min_request_rate_rps?: number;
  /** Why this service differs from the defaults, kept next to the number. */
  @Str({ optional: true, maxLength: 1000 }) why?: string;
}

/** A severity applies when any of its bounds is exceeded; checked from critical down. */
export class SeverityBandConfig {
  @Ratio({ optional: true }) error_rate_ratio?: number;
  @Ms({ optional: true, latency: true }) latency_p99_ms?: number;
}

export class SeverityBandsConfig {
  @Nested(() => SeverityBandConfig) critical!: SeverityBandConfig;
  @Nested(() => SeverityBandConfig) high!: SeverityBandConfig;
  @Nested(() => SeverityBandConfig) medium!: SeverityBandConfig;
  @Nested(() => SeverityBandConfig) low!: SeverityBandConfig;
}

export class DedupConfig {
  /** The fingerprint: the same service with the same symptom is the same incident. */
  /** What one incident is: the service (one fault, one incident) or service and symptom. */
  @StrList({ values: ['service', 'symptom'] }) key_fields!: ('service' | 'symptom')[];
  /** Within this window an anomaly updates the open incident instead of opening another. */
  @Minutes() window_minutes!: number;
  @OneOf(['update_existing']) action!: 'update_existing';
}

export class AlertingConfig {
  @Nested(() => ThresholdSetConfig) defaults!: ThresholdSetConfig;
  @NestedMap(() => ThresholdSetConfig, { keyPattern: NAME_PATTERN, keyHint: NAME_HINT })
  services!: Map<string, ThresholdSetConfig>;
  @Nested(() => SeverityBandsConfig) severity!: SeverityBandsConfig;
  @Nested(() => DedupConfig) dedup!: DedupConfig;
}
