import { type RelativeRuleConfig, type SeverityBandsConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';
import { percent } from './absolute.rule';
import { type Anomaly } from './anomaly';
import { classifySeverity } from './severity.classifier';

/**
 * A jump against the previous cycle: error rate ×3, latency ×2 by default.
 * Needs traffic (under `min_request_rate_rps` a jump is noise) and a level
 * that matters (a tripled 0.1 % is still 0.3 %).
 */
export function relativeAnomalies(
  current: ServiceSample,
  previous: ServiceSample | undefined,
  rule: RelativeRuleConfig,
  bands: SeverityBandsConfig,
): Anomaly[] {
  if (!rule.enabled || !previous) return [];
  if (
    current.request_rate_rps < rule.min_request_rate_rps ||
    previous.request_rate_rps < rule.min_request_rate_rps
  ) {
    return [];
  }
  const out: Anomaly[] = [];
  const base = { service: current.service, rule: 'relative' as const, informational: false };
  const errors = current.error_rate_ratio;
  const errorsBefore = previous.error_rate_ratio;
  if (errors !== null && errorsBefore !== null && errors >= rule.min_error_rate_ratio) {
    // From (almost) zero any error rate is an infinite jump: compare against the minimum level instead.
    const reference = Math.max(errorsBefore, rule.min_error_rate_ratio / rule.error_rate_factor);
    if (errors >= reference * rule.error_rate_factor) {
      out.push({
        ...base,
        symptom: 'high_error_rate',
        metric: 'error_rate_ratio',
        value: errors,
        threshold: reference * rule.error_rate_factor,
        severity: classifySeverity(bands, 'error_rate_ratio', errors),
        detail: `error rate ${percent(errors)}, ×${(errors / Math.max(errorsBefore, 1e-9)).toFixed(1)} the previous cycle's ${percent(errorsBefore)}`,
      });
    }
  }
  const latency = current.latency_p99_ms;
  const latencyBefore = previous.latency_p99_ms;
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
        detail: `p99 latency ${Math.round(latency)} ms, ×${(latency / latencyBefore).toFixed(1)} the previous cycle's ${Math.round(latencyBefore)} ms`,
      });
    }
  }
  return out;
}
