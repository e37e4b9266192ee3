import { displayFingerprint, fingerprintStoreKey, newRecord } from './fingerprint-record';
import { detectedEvent, detectedEventId, updatedEvent, updatedEventId } from './incident-events';

const AT = new Date('2026-03-02T10:00:00.000Z');

describe('fingerprint records', () => {
  it('keys an incident by service, by symptom only when asked, informational apart', () => {
    const sighting = { service: 'checkout', symptom: 'high_latency', informational: false };
    expect(fingerprintStoreKey(sighting)).toBe('checkout');
    expect(fingerprintStoreKey(sighting, true)).toBe('checkout.high_latency');
    expect(fingerprintStoreKey({ ...sighting, informational: true })).toBe(
      'checkout.informational',
    );
    expect(displayFingerprint(sighting)).toBe('checkout:high_latency');
  });

  it('opens a record at count 1, unannounced, with the report it came from', () => {
    const record = newRecord(
      'INC-1',
      {
        service: 'checkout',
        symptom: 'high_error_rate',
        rule: 'reported',
        metric: 'error_rate',
        value: 0.2,
        severity: 'high',
        informational: false,
        detail: 'x'.repeat(3000),
        report: { id: 'evt-1', reporter: 'pagerduty' },
      },
      AT,
    );
    expect(record).toMatchObject({
      fingerprint: 'checkout:high_error_rate',
      count: 1,
      announced: false,
      opened_at: AT.toISOString(),
      symptoms: ['high_error_rate'],
      reporters: ['pagerduty'],
      report_ids: ['evt-1'],
    });
    expect(record.detail).toHaveLength(2000);
    expect(record).not.toHaveProperty('threshold');
    expect(record).not.toHaveProperty('dedup_keys');

    expect(detectedEventId(record)).toBe('incident.detected.INC-1');
    expect(detectedEvent(record)).toMatchObject({
      incident_id: 'INC-1',
      value: 0.2,
      detected_at: AT.toISOString(),
      evidence: { rule: 'reported' },
      reporters: ['pagerduty'],
      symptoms: ['high_error_rate'],
    });
    expect(detectedEvent(record).evidence?.detail).toHaveLength(1000);
    expect(detectedEvent(record)).not.toHaveProperty('informational');

    const second = { ...record, count: 2 };
    expect(updatedEventId(second)).toBe('incident.updated.INC-1.2');
    expect(updatedEvent(second, 'high: again', false)).not.toHaveProperty('phase');
    expect(updatedEvent(second, 'recurred', true)).toMatchObject({ phase: 'reopened', count: 2 });
  });
});
