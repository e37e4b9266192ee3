import { type FingerprintRecord } from '@opscrew/contracts';

/** A fingerprint as the incident manager keeps it, for the announcer's tests. */
export function fingerprintFixture(overrides: Partial<FingerprintRecord> = {}): FingerprintRecord {
  return {
    fingerprint: 'cart:high_error_rate',
    incident_id: 'INC-20261125-001',
    service: 'cart',
    symptom: 'high_error_rate',
    severity: 'high',
    metric: 'error_rate_ratio',
    rule: 'absolute',
    detail: 'error rate 31.0 % above 5.0 %',
    threshold: 0.05,
    opened_at: '2026-11-25T03:00:00.000Z',
    last_seen_at: '2026-11-25T03:00:00.000Z',
    count: 1,
    first_value: 0.31,
    last_value: 0.31,
    peak_value: 0.31,
    published_peak: 0.31,
    published_severity: 'high',
    announced: false,
    informational: false,
    ...overrides,
  };
}
