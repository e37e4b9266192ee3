import { type SeverityBandsConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';
import { type Anomaly } from './anomaly';
import { classifySeverity } from './severity.classifier';
import { type EffectiveThresholds } from './thresholds.resolver';

/**
 * Absolute thresholds: the value itself is too high. Error rates count only
 * above the service's minimum request rate and with at least `minWindowErrors`
 * failed requests in the window: 1 error in 2 requests is not 50 % of anything.
 */
export function absoluteAnomalies(
  sample: ServiceSample,
  thresholds: EffectiveThresholds,
  bands: SeverityBandsConfig,
  minWindowErrors: number,
): Anomaly[] {
  const out: Anomaly[] = [];
  const base = { service: sample.service, rule: 'absolute' as const, informational: false };
  const errors = sample.error_rate_ratio;
  if (
    errors !== null &&
    thresholds.error_rate_ratio !== undefined &&
    sample.request_rate_rps >= thresholds.min_request_rate_rps &&
    errors > thresholds.error_rate_ratio &&
    failedRequests(sample, errors) >= minWindowErrors
  ) {
    out.push({
      ...base,
      symptom: 'high_error_rate',
      metric: 'error_rate_ratio',
      value: errors,
      threshold: thresholds.error_rate_ratio,
      severity: classifySeverity(bands, 'error_rate_ratio', errors),
      detail: `error rate ${percent(errors)} above ${percent(thresholds.error_rate_ratio)} at ${sample.request_rate_rps.toFixed(1)} rps`,
    });
  }
  const latency = sample.latency_p99_ms;
  if (
    latency !== null &&
    thresholds.latency_p99_ms !== undefined &&
    latency > thresholds.latency_p99_ms
  ) {
    out.push({
      ...base,
      symptom: 'high_latency',
      metric: 'latency_p99_ms',
      value: latency,
      threshold: thresholds.latency_p99_ms,
      severity: classifySeverity(bands, 'latency_p99_ms', latency),
      detail: `p99 latency ${Math.round(latency)} ms above ${thresholds.latency_p99_ms} ms`,
    });
  }
  const cpu = sample.cpu_usage_percent;
  if (
    cpu !== undefined &&
    thresholds.cpu_usage_percent !== undefined &&
    cpu > thresholds.cpu_usage_percent
  ) {
    out.push({
      ...base,
      symptom: 'high_cpu',
      metric: 'cpu_usage_percent',
      value: cpu,
      threshold: thresholds.cpu_usage_percent,
      severity: 'medium',
      detail: `CPU ${cpu.toFixed(0)} % above ${thresholds.cpu_usage_percent} %`,
    });
  }
  const memory = sample.memory_usage_percent;
  if (
    memory !== undefined &&
    thresholds.memory_usage_percent !== undefined &&
    memory > thresholds.memory_usage_percent
  ) {
    out.push({
      ...base,
      symptom: 'high_memory',
      metric: 'memory_usage_percent',
      value: memory,
      threshold: thresholds.memory_usage_percent,
      severity: 'high',
      detail: `memory ${memory.toFixed(0)} % of the limit, above ${thresholds.memory_usage_percent} %`,
    });
  }
  return out;
}

export function percent(ratio: number): string {
  return `${(ratio * 100).toFixed(ratio < 0.1 ? 2 : 1)} %`;
}

/**
 * Failed requests in the window, from its rate and ratio; rounded to a whole count because
 * rate × window is one only up to floating-point error (and Prometheus's extrapolation of
 * `rate()` to the window's edges).
 */
function failedRequests(sample: ServiceSample, errorRatio: number): number {
  return Math.round(errorRatio * sample.request_rate_rps * sample.window_s);
}
