import { type ObservedIncident, type ScenarioRunRecord } from '@opscrew/contracts';

/** An open run of a flag scenario, started at `started_at`, nothing observed yet. */
export function openScenarioRun(
  runId: string,
  startedAt = '2025-01-31T12:00:00.000Z',
): ScenarioRunRecord {
  return {
    run_id: runId,
    scenario: 'flagd_payment_failure',
    kind: 'flag',
    services: ['payment'],
    expected_services: ['payment'],
    expected_symptoms: ['high_error_rate'],
    required: [],
    remediation_expected: false,
    escalation_expected: true,
    informational_only: false,
    started_at: startedAt,
    locks: [],
    skipped_locks: [],
    incidents: [],
    remediations: [],
    dropped_observations: 0,
    scored: false,
  };
}

/** An incident opened on `payment` at `detectedAt`. */
export function openedIncident(incidentId: string, detectedAt: string): ObservedIncident {
  return {
    incident_id: incidentId,
    service: 'payment',
    symptom: 'high_error_rate',
    symptoms: ['high_error_rate'],
    severity: 'high',
    kind: 'opened',
    detected_at: detectedAt,
    informational: false,
  };
}
