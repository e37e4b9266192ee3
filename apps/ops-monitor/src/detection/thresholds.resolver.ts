import { type AlertingConfig, type ThresholdSetConfig } from '@opscrew/config';

export interface EffectiveThresholds {
  readonly error_rate_ratio?: number;
  readonly latency_p99_ms?: number;
  readonly cpu_usage_percent?: number;
  readonly memory_usage_percent?: number;
  readonly min_request_rate_rps: number;
}

/** Per-service thresholds with each missing value falling back to the defaults; computed once per service. */
export class ThresholdsResolver {
  private readonly cache = new Map<string, EffectiveThresholds>();

  constructor(private readonly alerting: AlertingConfig) {}

  for(service: string): EffectiveThresholds {
    let resolved = this.cache.get(service);
    if (!resolved) {
      const own: ThresholdSetConfig | undefined = this.alerting.services.get(service);
      const defaults = this.alerting.defaults;
      resolved = {
        ...pick('error_rate_ratio', own, defaults),
        ...pick('latency_p99_ms', own, defaults),
        ...pick('cpu_usage_percent', own, defaults),
        ...pick('memory_usage_percent', own, defaults),
        min_request_rate_rps: own?.min_request_rate_rps ?? defaults.min_request_rate_rps ?? 0,
      };
      this.cache.set(service, resolved);
    }
    return resolved;
  }
}

function pick<
  K extends 'error_rate_ratio' | 'latency_p99_ms' | 'cpu_usage_percent' | 'memory_usage_percent',
>(
  key: K,
  own: ThresholdSetConfig | undefined,
  defaults: ThresholdSetConfig,
): Partial<Record<K, number>> {
  const value = own?.[key] ?? defaults[key];
  return value === undefined ? {} : ({ [key]: value } as Partial<Record<K, number>>);
}
