import { type Severity } from '@opscrew/contracts';
import { type SeverityBandsConfig } from '../schema/alerting.schema';
import { type Symptom } from '../schema/vocabulary';

/** The metrics the alerting bands (alerting.severity) bound. */
export type BandedMetric = keyof SeverityBandsConfig['critical'];

/**
 * The metric a symptom is measured in, where it has one: a reported value is read in that
 * metric's unit (error rates as ratios, latencies in ms), and the bands of the two banded
 * metrics give a report its severity. Symptoms without one (a crash, an exhausted pool)
 * carry a count or a flag.
 */
export const SYMPTOM_METRICS: Readonly<Partial<Record<Symptom, string>>> = {
  high_error_rate: 'error_rate_ratio',
  error_rate_drift: 'error_rate_ratio',
  dependency_failure: 'error_rate_ratio',
  high_latency: 'latency_p99_ms',
  latency_drift: 'latency_p99_ms',
  high_cpu: 'cpu_usage_percent',
  high_memory: 'memory_usage_percent',
  oom_kill: 'memory_usage_percent',
  traffic_drop: 'request_rate_rps',
};

/** What a symptom without a metric of its own is counted in (one crash, one exhausted pool). */
export const UNMETERED_SYMPTOM_METRIC = 'reported_value';

/** The banded metric of a symptom (error rate or latency), if any. */
export function bandedMetricOf(symptom: string): BandedMetric | undefined {
  if (symptom === 'high_error_rate' || symptom === 'error_rate_drift') return 'error_rate_ratio';
  if (symptom === 'high_latency' || symptom === 'latency_drift') return 'latency_p99_ms';
  return undefined;
}

/**
 * The severity of a reported value when the reporter gave none: the highest alerting band it
 * reaches (critical, high, medium, low), `info` below them all; `high` for a symptom the bands
 * do not cover (a crash or an OOM kill someone saw is worth a page).
 */
export function severityFor(symptom: string, value: number, bands: SeverityBandsConfig): Severity {
  const metric = bandedMetricOf(symptom);
  if (!metric) return 'high';
  for (const level of ['critical', 'high', 'medium', 'low'] as const) {
    const bound = bands[level][metric];
    if (bound !== undefined && value >= bound) return level;
  }
  return 'info';
}

/**
 * A value for a report that carries none (`opscrew incident inject` without `--value`, an
 * alert without a `value` annotation): just over the default absolute threshold of the
 * symptom's metric — 12 % errors, a 6 s p99 — and 1 (one occurrence) for the rest.
 */
export function defaultReportValue(symptom: string): number {
  const metric = bandedMetricOf(symptom);
  if (metric === 'latency_p99_ms') return 6000;
  if (metric === 'error_rate_ratio') return 0.12;
  return 1;
}
