import { type RelativeRuleConfig, type SeverityBandsConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';
import { percent } from './absolute.rule';
import { type Anomaly } from './anomaly';
import { classifySeverity } from './severity.classifier';

/** What a service looked like recently: medians of its last `reference_cycles` measured windows. */
export interface RelativeReference {
  readonly error_rate_ratio: number | null;
  readonly latency_p99_ms: number | null;
}

/**
 * A jump against the recent past: error rate ×3, latency ×2 by default. The
 * reference is a median of several cycles (robust to one quiet window), the
 * current window must hold enough requests for its p99 and ratio to mean
 * something, and the level must matter (a tripled 0.1 % is still 0.3 %).
 */
export function relativeAnomalies(
  current: ServiceSample,
  reference: RelativeReference | undefined,
  rule: RelativeRuleConfig,
  bands: SeverityBandsConfig,
): Anomaly[] {
  if (!rule.enabled || !reference) return [];
  if (current.request_rate_rps < rule.min_request_rate_rps) return [];
  if (current.request_rate_rps * current.window_s < rule.min_window_requests) return [];
  const out: Anomaly[] = [];
  const base = { service: current.service, rule: 'relative' as const, informational: false };
  const errors = current.error_rate_ratio;
  const errorsBefore = reference.error_rate_ratio;
  if (errors !== null && errorsBefore !== null && errors >= rule.min_error_rate_ratio) {
    // From (almost) zero any error rate is an infinite jump: compare against the minimum level instead.
    const floor = Math.max(errorsBefore, rule.min_error_rate_ratio / rule.error_rate_factor);
    if (errors >= floor * rule.error_rate_factor) {
      out.push({
        ...base,
        symptom: 'high_error_rate',
        metric: 'error_rate_ratio',
        value: errors,
        threshold: floor * rule.error_rate_factor,
        severity: classifySeverity(bands, 'error_rate_ratio', errors),
        detail: `error rate ${percent(errors)}, ×${(errors / Math.max(errorsBefore, 1e-9)).toFixed(1)} its recent ${percent(errorsBefore)}`,
      });
    }
  }
  const latency = current.latency_p99_ms;
  const latencyBefore = reference.latency_p99_ms;
  if (
    latency !== null &&
    latencyBefore !== null &&
    latencyBefore > 0 &&
    latency >= rule.min_latency_p99_ms
  ) {
    if (latency >= latencyBefore * rule.latency_factor) {
      out.push({
        ...base,
        symptom: 'high_latency',
        metric: 'latency_p99_ms',
        value: latency,
        threshold: latencyBefore * rule.latency_factor,
        severity: classifySeverity(bands, 'latency_p99_ms', latency),
        detail: `p99 latency ${Math.round(latency)} ms, ×${(latency / latencyBefore).toFixed(1)} its recent ${Math.round(latencyBefore)} ms`,
      });
    }
  }
  return out;
}

/** Median of the non-null values, or null when there are none. */
export function medianOf(values: readonly (number | null)[]): number | null {
  const present = values.filter((value): value is number => value !== null).sort((a, b) => a - b);
  if (present.length === 0) return null;
  const middle = Math.floor(present.length / 2);
  return present.length % 2
    ? (present[middle] ?? null)
    : ((present[middle - 1] ?? 0) + (present[middle] ?? 0)) / 2;
}
