import {
  MAX_SCORE_PAIRS,
  type ObservedIncident,
  type PairCount,
  type RequiredDetection,
  type ScenarioRunRecord,
  type ScenarioScoreRecord,
} from '@opscrew/contracts';

/**
 * ops-monitor reads the locks once per detection cycle and judges samples a
 * cycle old: an informational incident up to a minute after a lock ended (or
 * before it was recorded) still was the lock's doing.
 */
export const LOCK_TOLERANCE_MS = 60_000;

/**
 * The crew's score for one run (pure; the rules, in order):
 *
 * - an incident the crew OPENED in the window is an alert. It is a true
 *   positive when its (service, symptom) is explained by the scenario (an
 *   expected symptom on an expected service, or a symptom the run owes), or
 *   when it was informational while someone held that service's lock (the
 *   lock protocol working). An informational `dependency_failure` on a caller
 *   of the faulty service is neither (the attribution working). Any other
 *   alert is a false positive.
 * - an expected alert that was NOT informational although this run's load
 *   held the service's lock is counted as `alerted_during_lock` (still a
 *   detection: the symptom was real, the crew just should have stood down).
 * - each owed detection (`required`: its symptom or one of `or_symptoms`)
 *   that no incident — opened or re-sighted — met within the window is missed.
 * - detection latency: scenario start → first incident meeting a requirement
 *   (or, without requirements, the first explained alert).
 * - resolution time: mean detected → resolved over the run's resolved alerts.
 * - restarts during the lock: `restart_service` steps that succeeded in a
 *   remediation overlapping this run's own lock on the same service. Must be 0.
 * - restarts nobody should have done: on a run that expects no remediation, restarts of its
 *   services, less the one try before the page when the run expects an escalation.
 */
export function scoreRun(run: ScenarioRunRecord, scoredAt: Date): ScenarioScoreRecord {
  const startedMs = Date.parse(run.started_at);
  const finishedAt = run.finished_at ?? scoredAt.toISOString();
  const windowEndMs = Date.parse(run.window_until ?? finishedAt);
  const inWindow = (incident: ObservedIncident): boolean => {
    const at = Date.parse(incident.detected_at);
    return at >= startedMs && at <= windowEndMs;
  };
  // One fault, one incident: an incident is judged by every symptom folded into it.
  const symptomsOf = (incident: ObservedIncident): readonly string[] =>
    incident.symptoms ?? [incident.symptom];
  const meets = (r: RequiredDetection, incident: ObservedIncident): boolean =>
    symptomsOf(incident).some(
      (symptom) => r.symptom === symptom || (r.or_symptoms ?? []).includes(symptom),
    ) && r.satisfied_by.includes(incident.service);
  const explains = (incident: ObservedIncident): boolean =>
    (symptomsOf(incident).some((symptom) => run.expected_symptoms.includes(symptom)) &&
      run.expected_services.includes(incident.service)) ||
    run.required.some((r) => meets(r, incident));
  // A caller of the failing service, attributed to it by ops-monitor: informational by design
  // (the culprit's incident carries the ticket and the page) — neither a hit nor a false alarm.
  const attributed = (incident: ObservedIncident): boolean =>
    incident.informational &&
    incident.symptom === 'dependency_failure' &&
    run.expected_services.includes(incident.service);
  const heldAt = (service: string, atMs: number, ownOnly: boolean): boolean =>
    run.locks.some(
      (lock) =>
        lock.service === service &&
        (!ownOnly || lock.own) &&
        atMs >= Date.parse(lock.from) - LOCK_TOLERANCE_MS &&
        atMs <= Date.parse(lock.until) + LOCK_TOLERANCE_MS,
    );

  const detected = new PairCounter();
  const falsePositives = new PairCounter();
  let truePositives = 0;
  let informationalCorrect = 0;
  let alertedDuringLock = 0;
  const sightings = run.incidents.filter(inWindow);
  for (const incident of sightings) {
    if (incident.kind !== 'opened') continue;
    const at = Date.parse(incident.detected_at);
    if (explains(incident)) {
      truePositives += 1;
      detected.add(incident.service, incident.symptom);
      // The lock tolerance does not apply here: only a lock held at that moment obliges restraint.
      const ownLockAt = run.locks.some(
        (lock) =>
          lock.own &&
          lock.service === incident.service &&
          at >= Date.parse(lock.from) &&
          at <= Date.parse(lock.until),
      );
      if (run.informational_only && ownLockAt && !incident.informational) alertedDuringLock += 1;
    } else if (attributed(incident)) {
      continue;
    } else if (incident.informational && heldAt(incident.service, at, false)) {
      truePositives += 1;
      informationalCorrect += 1;
      detected.add(incident.service, incident.symptom);
    } else {
      falsePositives.add(incident.service, incident.symptom);
    }
  }

  const missed = new PairCounter();
  let firstDetectionMs: number | null = null;
  for (const requirement of run.required) {
    const meeting = sightings
      .filter((i) => meets(requirement, i))
      .map((i) => Date.parse(i.detected_at));
    if (meeting.length === 0) {
      missed.add(requirement.service, requirement.symptom);
      continue;
    }
    const first = Math.min(...meeting);
    firstDetectionMs = firstDetectionMs === null ? first : Math.min(firstDetectionMs, first);
  }
  if (run.required.length === 0) {
    const explained = sightings.filter(explains).map((i) => Date.parse(i.detected_at));
    if (explained.length > 0) firstDetectionMs = Math.min(...explained);
  }

  const resolvedTimes = sightings
    .filter((i) => i.kind === 'opened' && i.resolved_at !== undefined)
    .map((i) => (Date.parse(i.resolved_at as string) - Date.parse(i.detected_at)) / 1000)
    .filter((seconds) => seconds >= 0);
  const escalated = sightings.filter(
    (i) => i.kind === 'opened' && i.escalated_at !== undefined,
  ).length;

  let restartsDuringLock = 0;
  let unexpectedRestarts = 0;
  for (const remediation of run.remediations) {
    if (remediation.restarts_ok === 0) continue;
    const from = Date.parse(remediation.started_at);
    const to = Date.parse(remediation.finished_at ?? remediation.started_at);
    const duringOwnLock = run.locks.some(
      (lock) =>
        lock.own &&
        lock.service === remediation.service &&
        from <= Date.parse(lock.until) &&
        to >= Date.parse(lock.from),
    );
    if (duringOwnLock) restartsDuringLock += remediation.restarts_ok;
    // A fault no restart cures (a flag) is still tried once before the page, by the runbook's
    // design ("restart did not cure it, escalated"): only restarts beyond that one try were not owed.
    if (!run.remediation_expected && run.services.includes(remediation.service))
      unexpectedRestarts += Math.max(
        0,
        remediation.restarts_ok - (run.escalation_expected ? 1 : 0),
      );
  }

  const detectionLatency =
    firstDetectionMs === null ? null : round1(Math.max(0, firstDetectionMs - startedMs) / 1000);
  const resolutionTime =
    resolvedTimes.length === 0
      ? null
      : round1(resolvedTimes.reduce((sum, s) => sum + s, 0) / resolvedTimes.length);
  const missedCount = missed.total();
  const falsePositiveCount = falsePositives.total();
  const summary =
    `${run.scenario} (${run.outcome ?? 'unfinished'}): ${truePositives} right alert(s)` +
    (informationalCorrect > 0 ? ` (${informationalCorrect} informational under a lock)` : '') +
    `, ${falsePositiveCount} false positive(s)` +
    (falsePositiveCount > 0 ? ` [${falsePositives.describe()}]` : '') +
    `, ${missedCount} missed` +
    (missedCount > 0 ? ` [${missed.describe()}]` : '') +
    (detectionLatency !== null ? `, detected after ${detectionLatency} s` : '') +
    (resolutionTime !== null ? `, resolved in ${resolutionTime} s on average` : '') +
    `, ${restartsDuringLock} restart(s) during the lock` +
    (unexpectedRestarts > 0 ? `, ${unexpectedRestarts} restart(s) nobody should have done` : '') +
    (run.dropped_observations > 0 ? `, ${run.dropped_observations} observation(s) not kept` : '');
  return {
    run_id: run.run_id,
    scenario: run.scenario,
    kind: run.kind,
    outcome: run.outcome ?? 'aborted',
    started_at: run.started_at,
    finished_at: finishedAt,
    scored_at: scoredAt.toISOString(),
    true_positives: truePositives,
    false_positives: falsePositiveCount,
    missed: missedCount,
    informational_correct: informationalCorrect,
    alerted_during_lock: alertedDuringLock,
    detection_latency_s: detectionLatency,
    resolution_time_s: resolutionTime,
    resolved: resolvedTimes.length,
    escalated,
    restarts_during_lock: restartsDuringLock,
    unexpected_restarts: unexpectedRestarts,
    remediation_expected: run.remediation_expected,
    escalation_expected: run.escalation_expected,
    detected: detected.list(),
    false_positive_pairs: falsePositives.list(),
    missed_pairs: missed.list(),
    summary: summary.slice(0, 2000),
  };
}

function round1(value: number): number {
  return Math.round(value * 10) / 10;
}

class PairCounter {
  private readonly counts = new Map<string, PairCount>();

  add(service: string, symptom: string): void {
    const key = `${service}\u0000${symptom}`;
    const known = this.counts.get(key);
    if (known) known.count += 1;
    else this.counts.set(key, { service, symptom, count: 1 });
  }

  total(): number {
    let sum = 0;
    for (const pair of this.counts.values()) sum += pair.count;
    return sum;
  }

  list(): PairCount[] {
    return [...this.counts.values()].slice(0, MAX_SCORE_PAIRS);
  }

  describe(): string {
    return this.list()
      .map((p) => `${p.service}/${p.symptom}${p.count > 1 ? ` ×${p.count}` : ''}`)
      .join(', ');
  }
}
