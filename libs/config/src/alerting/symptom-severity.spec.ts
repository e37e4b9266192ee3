import { type SeverityBandsConfig } from '../schema/alerting.schema';
import {
  bandedMetricOf,
  defaultReportValue,
  severityFor,
  SYMPTOM_METRICS,
} from './symptom-severity';
import { SYMPTOMS } from '../schema/vocabulary';

/** The shipped bands (project/thresholds/alerting.json5). */
const BANDS: SeverityBandsConfig = {
  critical: { error_rate_ratio: 0.3, latency_p99_ms: 10_000 },
  high: { error_rate_ratio: 0.1, latency_p99_ms: 5000 },
  medium: { error_rate_ratio: 0.05 },
  low: { error_rate_ratio: 0.02 },
};

describe('severityFor (a report without a severity)', () => {
  it('takes the highest band the value reaches, info below them all', () => {
    expect(severityFor('high_error_rate', 0.31, BANDS)).toBe('critical');
    expect(severityFor('high_error_rate', 0.12, BANDS)).toBe('high');
    expect(severityFor('error_rate_drift', 0.05, BANDS)).toBe('medium');
    expect(severityFor('high_error_rate', 0.02, BANDS)).toBe('low');
    expect(severityFor('high_error_rate', 0.001, BANDS)).toBe('info');
    expect(severityFor('high_latency', 12_000, BANDS)).toBe('critical');
    expect(severityFor('latency_drift', 6000, BANDS)).toBe('high');
    // No medium/low latency band: a slow-ish p99 is below them all.
    expect(severityFor('high_latency', 4000, BANDS)).toBe('info');
  });

  it('pages (high) for a symptom the bands do not cover', () => {
    expect(severityFor('oom_kill', 1, BANDS)).toBe('high');
    expect(severityFor('container_crash', 1, BANDS)).toBe('high');
  });

  it('defaults a missing value just over the default threshold of the metric', () => {
    expect(defaultReportValue('high_error_rate')).toBe(0.12);
    expect(defaultReportValue('high_latency')).toBe(6000);
    expect(defaultReportValue('oom_kill')).toBe(1);
    expect(severityFor('high_error_rate', defaultReportValue('high_error_rate'), BANDS)).toBe(
      'high',
    );
  });

  it('names a metric with its unit for every metered symptom', () => {
    for (const [symptom, metric] of Object.entries(SYMPTOM_METRICS)) {
      expect(SYMPTOMS).toContain(symptom);
      expect(metric).toMatch(/_(ratio|ms|percent|rps)$/);
    }
    for (const symptom of SYMPTOMS) {
      const banded = bandedMetricOf(symptom);
      if (banded) expect(SYMPTOM_METRICS[symptom]).toBe(banded);
    }
  });
});
