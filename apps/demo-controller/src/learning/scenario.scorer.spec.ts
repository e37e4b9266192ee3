import { type ObservedIncident, type ScenarioRunRecord } from '@opscrew/contracts';
import { scoreRun } from './scenario.scorer';

const T0 = Date.parse('2026-11-25T10:00:00.000Z');
const at = (seconds: number): string => new Date(T0 + seconds * 1000).toISOString();

/** The memory-leak run as demo-controller records it: one target, two ways to show. */
function leakRun(incidents: ObservedIncident[]): ScenarioRunRecord {
  return {
    run_id: 'recommendation_memory_leak-1',
    scenario: 'recommendation_memory_leak',
    kind: 'fault',
    services: ['recommendation'],
    expected_services: ['recommendation', 'frontend'],
    expected_symptoms: ['high_latency', 'high_error_rate'],
    required: [
      {
        service: 'recommendation',
        symptom: 'high_latency',
        or_symptoms: ['high_error_rate'],
        satisfied_by: ['recommendation'],
        because: 'fault memory_leak injected on recommendation',
      },
    ],
    remediation_expected: true,
    escalation_expected: false,
    informational_only: false,
    started_at: at(0),
    finished_at: at(36),
    outcome: 'completed',
    locks: [],
    skipped_locks: [],
    incidents,
    remediations: [],
    dropped_observations: 0,
    scored: false,
  };
}

const incident = (
  service: string,
  symptom: string,
  seconds: number,
  extra: Partial<ObservedIncident> = {},
): ObservedIncident => ({
  incident_id: `INC-20261125-0${seconds}`,
  service,
  symptom,
  severity: 'high',
  kind: 'opened',
  detected_at: at(seconds),
  informational: false,
  ...extra,
});

describe('scoreRun', () => {
  it('counts one fault caught by any of its expected symptoms as one hit, nothing missed', () => {
    const score = scoreRun(
      leakRun([incident('recommendation', 'high_error_rate', 11, { resolved_at: at(29) })]),
      new Date(T0 + 60_000),
    );
    expect(score).toMatchObject({
      true_positives: 1,
      false_positives: 0,
      missed: 0,
      detection_latency_s: 11,
      resolution_time_s: 18,
    });
  });

  it('still misses a fault that showed by no expected symptom at all', () => {
    const score = scoreRun(
      leakRun([incident('recommendation', 'latency_drift', 11)]),
      new Date(T0 + 60_000),
    );
    expect(score.missed).toBe(1);
    expect(score.missed_pairs).toEqual([
      { service: 'recommendation', symptom: 'high_latency', count: 1 },
    ]);
    expect(score.false_positives).toBe(1);
  });

  it('judges an incident by every symptom folded into it, not only the first', () => {
    // One fault, one incident: first seen as a latency drift, its error rate folded in later.
    const folded = incident('recommendation', 'latency_drift', 11, {
      symptoms: ['latency_drift', 'high_error_rate'],
    });
    const score = scoreRun(leakRun([folded]), new Date(T0 + 60_000));
    expect(score).toMatchObject({ true_positives: 1, false_positives: 0, missed: 0 });
  });

  it("neither rewards nor blames a caller's errors attributed to the failing dependency", () => {
    const score = scoreRun(
      leakRun([
        incident('recommendation', 'high_error_rate', 11),
        incident('frontend', 'dependency_failure', 12, { informational: true }),
      ]),
      new Date(T0 + 60_000),
    );
    expect(score).toMatchObject({ true_positives: 1, false_positives: 0, missed: 0 });
  });

  it('blames an attribution to a service the scenario never touched', () => {
    const score = scoreRun(
      leakRun([
        incident('recommendation', 'high_error_rate', 11),
        incident('checkout', 'dependency_failure', 12, { informational: true }),
      ]),
      new Date(T0 + 60_000),
    );
    expect(score.false_positive_pairs).toEqual([
      { service: 'checkout', symptom: 'dependency_failure', count: 1 },
    ]);
  });

  it('allows a fault no restart cures its one try before the page, and blames any further restart', () => {
    const remediation = (restarts: number) => ({
      incident_id: 'INC-20261125-011',
      remediation_run_id: `r-${restarts}`,
      service: 'recommendation',
      started_at: at(12),
      finished_at: at(20),
      outcome: 'escalated',
      restarts_ok: restarts,
    });
    const flagRun = (restarts: number, escalation_expected: boolean): ScenarioRunRecord => ({
      ...leakRun([incident('recommendation', 'high_error_rate', 11)]),
      remediation_expected: false,
      escalation_expected,
      remediations: [remediation(restarts)],
    });
    const unexpected = (restarts: number, escalation: boolean): number =>
      scoreRun(flagRun(restarts, escalation), new Date(T0 + 60_000)).unexpected_restarts;
    expect(unexpected(1, true)).toBe(0);
    expect(unexpected(3, true)).toBe(2);
    // Nothing to remediate and nothing to escalate (a load run): every restart was uncalled for.
    expect(unexpected(1, false)).toBe(1);
  });
});
