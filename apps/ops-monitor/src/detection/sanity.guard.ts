import { type SanityRuleConfig } from '@opscrew/config';
import { type ServiceSample } from '@opscrew/integrations';
import { type ImplausibleValueWarning } from './anomaly';

/**
 * Rejects values no HTTP service can produce. The seed once learnt a p99 of
 * 600,000 ms as "normal" (µs read as ms): such a value is a unit bug in the
 * source, so it is reported as data quality, dropped from detection, and never
 * fed to a baseline. Returns the sample with implausible metrics removed.
 */
export function sanitise(
  sample: ServiceSample,
  sanity: SanityRuleConfig,
): { sample: ServiceSample; warnings: ImplausibleValueWarning[] } {
  const warnings: ImplausibleValueWarning[] = [];
  const clean: { -readonly [K in keyof ServiceSample]: ServiceSample[K] } = { ...sample };
  const reject = (
    metric: ImplausibleValueWarning['metric'],
    value: number,
    limit: number,
    message: string,
  ): void => {
    warnings.push({ kind: 'implausible', service: sample.service, metric, value, limit, message });
  };

  if (!Number.isFinite(sample.request_rate_rps) || sample.request_rate_rps < 0) {
    reject(
      'request_rate_rps',
      sample.request_rate_rps,
      0,
      `${sample.service}: request rate ${sample.request_rate_rps} rps is not a rate (negative or not a number): a counter reset handled wrongly?`,
    );
    clean.request_rate_rps = 0;
  }
  const latency = sample.latency_p99_ms;
  if (
    latency !== null &&
    (!Number.isFinite(latency) || latency < 0 || latency > sanity.max_latency_p99_ms)
  ) {
    reject(
      'latency_p99_ms',
      latency,
      sanity.max_latency_p99_ms,
      `${sample.service}: p99 latency ${latency} ms is beyond ${sanity.max_latency_p99_ms} ms (${(latency / 1000).toFixed(0)} s): ` +
        `likely a unit error (µs or ns read as ms) in the metrics source, not an incident`,
    );
    clean.latency_p99_ms = null;
  }
  const errors = sample.error_rate_ratio;
  if (
    errors !== null &&
    (!Number.isFinite(errors) || errors < 0 || errors > sanity.max_error_rate_ratio)
  ) {
    reject(
      'error_rate_ratio',
      errors,
      sanity.max_error_rate_ratio,
      `${sample.service}: error rate ${errors} is above ${sanity.max_error_rate_ratio}: ` +
        `likely a percentage read as a ratio (${errors} % = ${(errors / 100).toFixed(4)}), not an incident`,
    );
    clean.error_rate_ratio = null;
  }
  const cpu = sample.cpu_usage_percent;
  if (
    cpu !== undefined &&
    (!Number.isFinite(cpu) || cpu < 0 || cpu > sanity.max_cpu_usage_percent)
  ) {
    reject(
      'cpu_usage_percent',
      cpu,
      sanity.max_cpu_usage_percent,
      `${sample.service}: CPU ${cpu} % is beyond ${sanity.max_cpu_usage_percent} %: likely a ratio or a per-core sum read as a percentage`,
    );
    delete clean.cpu_usage_percent;
  }
  return { sample: clean, warnings };
}
