import { type FingerprintRecord, type IncidentRecord } from '@opscrew/contracts';
import { fingerprintFacts, incidentIdentity, incidentSummary } from './incident-model';

const record = (overrides: Partial<IncidentRecord> = {}): IncidentRecord => ({
  incident_id: 'INC-20261124-007-7k2q',
  fingerprint: 'cart:high_error_rate',
  service: 'cart',
  symptom: 'high_error_rate',
  severity: 'high',
  phase: 'actioned',
  detected_by: 'ops-monitor',
  detected_at: '2026-11-24T10:00:00.000Z',
  updated_at: '2026-11-24T10:01:00.000Z',
  value: 0.12,
  threshold: 0.02,
  metric: 'error_rate_ratio',
  count: 3,
  last_value: 0.1,
  peak_value: 0.2,
  reporters: ['cli'],
  history: [
    { at: '2026-11-24T10:00:00.000Z', phase: 'detected', source: 'ops-monitor', event_id: 'e1' },
    {
      at: '2026-11-24T10:01:00.000Z',
      phase: 'actioned',
      source: 'jira-resolver',
      event_id: 'e2',
      note: 'restart_service ok',
    },
  ],
  ...overrides,
});

describe('incident model views', () => {
  it('an identity is the four naming fields and nothing of its source', () => {
    expect(incidentIdentity(record())).toStrictEqual({
      incident_id: 'INC-20261124-007-7k2q',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
    });
  });

  it('a summary keeps the list fields in the order list_incidents has always shown them', () => {
    const summary = incidentSummary(record({ informational: false }));
    expect(Object.keys(summary)).toEqual([
      'incident_id',
      'service',
      'symptom',
      'severity',
      'phase',
      'detected_at',
      'updated_at',
      'count',
      'value',
      'last_value',
      'peak_value',
      'metric',
      'informational',
      'last_note',
    ]);
    expect(summary).toMatchObject({ last_note: 'restart_service ok', informational: false });
  });

  it('a summary leaves out what the record does not have', () => {
    const { metric: _metric, ...bare } = record();
    const summary = incidentSummary({
      ...bare,
      history: [{ at: bare.detected_at, phase: 'detected', source: 'ops-monitor', event_id: 'e' }],
    });
    expect(summary).not.toHaveProperty('metric');
    expect(summary).not.toHaveProperty('informational');
    expect(summary).not.toHaveProperty('last_note');
  });

  it('the facts of an incident being opened are the ledger fields its record will carry', () => {
    const entry = {
      incident_id: 'INC-20261124-007-7k2q',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      metric: 'error_rate_ratio',
      first_value: 0.12,
      opened_at: '2026-11-24T10:00:00.000Z',
      count: 1,
      peak_value: 0.12,
    } as FingerprintRecord;
    expect(fingerprintFacts(entry)).toStrictEqual({
      incident_id: 'INC-20261124-007-7k2q',
      service: 'cart',
      symptom: 'high_error_rate',
      severity: 'high',
      value: 0.12,
      metric: 'error_rate_ratio',
      detected_at: '2026-11-24T10:00:00.000Z',
      count: 1,
      peak_value: 0.12,
    });
    expect(fingerprintFacts({ ...entry, threshold: 0.02 })).toMatchObject({ threshold: 0.02 });
  });
});
