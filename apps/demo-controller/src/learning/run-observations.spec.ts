import {
  MAX_REQUIRED_DETECTIONS,
  MAX_RUN_OBSERVATIONS,
  ScenarioRunRecord,
  type ScenarioRunRecord as RunRecord,
  validatePlain,
} from '@opscrew/contracts';
import { bucketDeclaration } from '@opscrew/messaging';
import {
  addIncident,
  addSymptoms,
  markResolved,
  releaseLock,
  upsertLock,
} from './run-observations';

const SHOP = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
];

function emptyRun(): RunRecord {
  return {
    run_id: 'flagd_payment_failure-20250131T120000-abcd',
    scenario: 'flagd_payment_failure',
    kind: 'flag',
    services: SHOP,
    expected_services: SHOP,
    expected_symptoms: ['high_error_rate', 'high_latency'],
    required: [],
    remediation_expected: false,
    escalation_expected: true,
    informational_only: false,
    started_at: '2025-01-31T12:00:00.000Z',
    locks: [],
    skipped_locks: [],
    incidents: [],
    remediations: [],
    dropped_observations: 0,
    scored: false,
  };
}

describe('run observations', () => {
  it("take in symptoms folded into a held incident once, first symptom first; others' not at all", () => {
    const run = emptyRun();
    addIncident(run, {
      incident_id: 'INC-20250131-001',
      service: 'product-catalog',
      symptom: 'latency_drift',
      severity: 'high',
      kind: 'opened',
      detected_at: '2025-01-31T12:00:10.000Z',
      informational: false,
    });
    expect(addSymptoms(run, 'INC-20250131-001', ['latency_drift', 'high_error_rate'])).toBe(true);
    expect(addSymptoms(run, 'INC-20250131-001', ['high_error_rate'])).toBe(false);
    expect(run.incidents[0]?.symptoms).toEqual(['latency_drift', 'high_error_rate']);
    expect(addSymptoms(run, 'INC-20250131-999', ['high_error_rate'])).toBe(false);
  });

  it('are idempotent and bounded: past the cap an observation is counted, not kept', () => {
    const run = emptyRun();
    const incident = (n: number) => ({
      incident_id: `INC-20250131-${String(n).padStart(3, '0')}`,
      service: 'payment',
      symptom: 'high_error_rate',
      severity: 'critical' as const,
      kind: 'opened' as const,
      detected_at: '2025-01-31T12:00:10.000Z',
      informational: false,
    });
    expect(addIncident(run, incident(1))).toBe(true);
    expect(addIncident(run, incident(1))).toBe(false);
    expect(markResolved(run, incident(1).incident_id, '2025-01-31T12:05:00.000Z')).toBe(true);
    expect(markResolved(run, incident(1).incident_id, '2025-01-31T12:06:00.000Z')).toBe(false);
    for (let n = 2; n <= MAX_RUN_OBSERVATIONS + 5; n++) addIncident(run, incident(n));
    expect(run.incidents).toHaveLength(MAX_RUN_OBSERVATIONS);
    expect(run.dropped_observations).toBe(5);

    const hold = {
      service: 'cart',
      holder: 'jira-resolver-x:INC-20250131-001',
      revision: 3,
      own: false,
      from: '2025-01-31T12:00:00.000Z',
      until: '2025-01-31T12:05:00.000Z',
      released: false,
    };
    expect(upsertLock(run, hold)).toBe(true);
    expect(upsertLock(run, { ...hold, revision: 4, until: '2025-01-31T12:06:00.000Z' })).toBe(true);
    expect(upsertLock(run, { ...hold, revision: 4, until: '2025-01-31T12:06:00.000Z' })).toBe(
      false,
    );
    expect(
      releaseLock(run, { service: 'cart', holder: hold.holder, at: '2025-01-31T12:02:00.000Z' }),
    ).toBe(true);
    expect(run.locks).toEqual([
      { ...hold, revision: 4, until: '2025-01-31T12:02:00.000Z', released: true },
    ]);
  });

  it('a run record full to every cap still fits a value of the learning bucket', () => {
    const run = emptyRun();
    for (let n = 0; n < MAX_RUN_OBSERVATIONS; n++) {
      const id = `INC-20250131-${String(n + 100).padStart(3, '0')}`;
      run.incidents.push({
        incident_id: id,
        service: 'product-catalog',
        symptom: 'connection_pool_exhaustion',
        severity: 'critical',
        kind: 'opened',
        detected_at: '2025-01-31T12:00:10.000Z',
        informational: true,
        resolved_at: '2025-01-31T12:10:10.000Z',
        escalated_at: '2025-01-31T12:20:10.000Z',
      });
      run.locks.push({
        service: 'recommendation',
        holder: `jira-resolver-host-12345-abcdef:${id}`,
        revision: 123456,
        own: false,
        from: '2025-01-31T12:00:00.000Z',
        until: '2025-01-31T12:05:00.000Z',
        released: true,
      });
      run.remediations.push({
        incident_id: id,
        remediation_run_id: 'a1b2c3d4',
        service: 'recommendation',
        started_at: '2025-01-31T12:00:00.000Z',
        finished_at: '2025-01-31T12:05:00.000Z',
        outcome: 'succeeded',
        restarts_ok: 1,
      });
    }
    for (let n = 0; n < MAX_REQUIRED_DETECTIONS; n++)
      run.required.push({
        service: 'frontend',
        symptom: 'high_latency',
        satisfied_by: SHOP,
        because:
          'the load measured p99 12345 ms at frontend (threshold 3000 ms) — quite a long explanation',
      });
    expect(validatePlain(ScenarioRunRecord, run).ok).toBe(true);
    const bytes = Buffer.byteLength(JSON.stringify(run));
    expect(bytes).toBeLessThan(bucketDeclaration('learning').max_value_bytes);
  });
});
