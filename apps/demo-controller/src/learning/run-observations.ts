import {
  MAX_RUN_OBSERVATIONS,
  type ObservedIncident,
  type ObservedLockHold,
  type ObservedRemediation,
  type ScenarioRunRecord,
} from '@opscrew/contracts';

/**
 * How a run record takes in what the crew did. Each function mutates the run
 * and says whether anything changed (nothing is written back otherwise), and
 * is idempotent: redelivered events change nothing.
 */

/** Whether `atMs` falls in the run's attribution window: from its start until its window closes. */
export function coversTime(run: ScenarioRunRecord, atMs: number): boolean {
  if (atMs < Date.parse(run.started_at)) return false;
  return run.window_until === undefined || atMs <= Date.parse(run.window_until);
}

/** A new incident, or a re-sighting (an update of an incident opened before the run). */
export function addIncident(run: ScenarioRunRecord, incident: ObservedIncident): boolean {
  const known = run.incidents.find((i) => i.incident_id === incident.incident_id);
  if (known) {
    // An "opened" sighting wins over a re-sighting of the same incident.
    if (known.kind === 'resighted' && incident.kind === 'opened') {
      Object.assign(known, incident);
      return true;
    }
    return false;
  }
  return push(run, run.incidents, incident);
}

/**
 * Symptoms folded into an incident the run already holds (ops-monitor's fold updates): the
 * scorer judges the incident by all of them, not only the first.
 */
export function addSymptoms(
  run: ScenarioRunRecord,
  incidentId: string,
  symptoms: readonly string[],
): boolean {
  const incident = run.incidents.find((i) => i.incident_id === incidentId);
  if (!incident) return false;
  const known = incident.symptoms ?? [incident.symptom];
  const added = symptoms.filter((symptom) => !known.includes(symptom));
  if (added.length === 0) return false;
  incident.symptoms = [...known, ...added];
  return true;
}

export function markResolved(run: ScenarioRunRecord, incidentId: string, at: string): boolean {
  const incident = run.incidents.find((i) => i.incident_id === incidentId);
  if (!incident || incident.resolved_at !== undefined) return false;
  incident.resolved_at = at;
  return true;
}

export function markEscalated(run: ScenarioRunRecord, incidentId: string, at: string): boolean {
  const incident = run.incidents.find((i) => i.incident_id === incidentId);
  if (!incident || incident.escalated_at !== undefined) return false;
  incident.escalated_at = at;
  return true;
}

export function hasIncident(run: ScenarioRunRecord, incidentId: string): boolean {
  return run.incidents.some((i) => i.incident_id === incidentId);
}

/**
 * A lock hold began or moved on. One hold is (service, holder, from): a
 * renewal keeps `from` and advances `until` and the revision.
 */
export function upsertLock(run: ScenarioRunRecord, hold: ObservedLockHold): boolean {
  const known = run.locks.find(
    (l) => l.service === hold.service && l.holder === hold.holder && l.from === hold.from,
  );
  if (!known) return push(run, run.locks, { ...hold });
  if (known.released) return false;
  const changed =
    known.until !== hold.until ||
    known.revision !== hold.revision ||
    known.released !== hold.released;
  Object.assign(known, { until: hold.until, revision: hold.revision, released: hold.released });
  return changed;
}

/** `lock.released` from the bus: the holder's open hold on the service ends now. */
export function releaseLock(
  run: ScenarioRunRecord,
  release: { service: string; holder: string; at: string },
): boolean {
  const open = run.locks.find(
    (l) => l.service === release.service && l.holder === release.holder && !l.released,
  );
  if (!open) return false;
  open.until = release.at;
  open.released = true;
  return true;
}

export function startRemediation(
  run: ScenarioRunRecord,
  remediation: ObservedRemediation,
): boolean {
  if (run.remediations.some((r) => r.remediation_run_id === remediation.remediation_run_id))
    return false;
  return push(run, run.remediations, remediation);
}

/** Finished: outcome and successful restarts; creates the entry if its start was never seen. */
export function finishRemediation(
  run: ScenarioRunRecord,
  remediation: ObservedRemediation,
): boolean {
  const known = run.remediations.find(
    (r) => r.remediation_run_id === remediation.remediation_run_id,
  );
  if (!known) return push(run, run.remediations, remediation);
  if (known.finished_at !== undefined) return false;
  known.finished_at = remediation.finished_at;
  if (remediation.outcome !== undefined) known.outcome = remediation.outcome;
  known.restarts_ok = remediation.restarts_ok;
  return true;
}

export function hasRemediation(run: ScenarioRunRecord, remediationRunId: string): boolean {
  return run.remediations.some((r) => r.remediation_run_id === remediationRunId);
}

/** Appends within the per-list cap; past it the observation is counted, not kept. */
function push<T>(run: ScenarioRunRecord, list: T[], item: T): boolean {
  if (list.length >= MAX_RUN_OBSERVATIONS) {
    run.dropped_observations += 1;
    return true;
  }
  list.push(item);
  return true;
}
