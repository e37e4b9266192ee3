import {
  ACTIVE_RUN_STATES,
  type IncidentRecord,
  type RemediationRunRecord,
} from '@opscrew/contracts';

/** One runbook's work in the window. */
export interface RunbookActivity {
  readonly runbook: string;
  readonly runs: number;
  readonly succeeded: number;
  /** Step actions that ran (result not skipped/refused), by action name, most frequent first. */
  readonly actions: readonly { action: string; count: number }[];
}

/** jira-resolver's day, as the daily report says it. */
export interface ResolverWindow {
  /** Runs (one per ticket/incident) touched in the window. */
  readonly worked: number;
  readonly succeeded: number;
  readonly failed: number;
  readonly skipped: number;
  readonly in_progress: number;
  /** succeeded / (succeeded + failed + skipped); null when nothing finished. */
  readonly auto_resolution_ratio: number | null;
  /** Mean detected → resolved of incidents resolved in the window, in seconds; null: none. */
  readonly mttr_s: number | null;
  readonly resolved: number;
  readonly escalations: readonly { incident_id: string; service: string; at: string }[];
  readonly by_runbook: readonly RunbookActivity[];
}

/** Runs that never got a runbook (no match, nothing proposed) are grouped under this name. */
export const NO_RUNBOOK = '(no runbook)';
/** Step results that did nothing to the system: not counted as actions. */
const NOT_ACTED = new Set(['skipped', 'refused']);

/**
 * The daily figures from the remediation runs and the incident ledger within [since, until).
 * Pure: tested without a bus.
 */
export function resolverWindow(
  runs: readonly RemediationRunRecord[],
  incidents: readonly IncidentRecord[],
  since: number,
  until: number,
): ResolverWindow {
  const within = (at: string): boolean => {
    const t = Date.parse(at);
    return t >= since && t < until;
  };
  const worked = runs.filter((run) => within(run.updated_at) || within(run.created_at));
  const count = (state: string): number => worked.filter((run) => run.state === state).length;
  const succeeded = count('succeeded');
  const failed = count('failed');
  const skipped = count('skipped');
  const finished = succeeded + failed + skipped;
  const byRunbook = new Map<
    string,
    { runs: number; succeeded: number; actions: Map<string, number> }
  >();
  for (const run of worked) {
    const name = run.runbook ?? NO_RUNBOOK;
    const entry = byRunbook.get(name) ?? { runs: 0, succeeded: 0, actions: new Map() };
    entry.runs += 1;
    if (run.state === 'succeeded') entry.succeeded += 1;
    for (const step of run.steps)
      if (!NOT_ACTED.has(step.result) && within(step.at))
        entry.actions.set(step.action, (entry.actions.get(step.action) ?? 0) + 1);
    byRunbook.set(name, entry);
  }
  const durations: number[] = [];
  const escalations: { incident_id: string; service: string; at: string }[] = [];
  for (const incident of incidents) {
    const resolved = incident.history.find((step) => step.phase === 'resolved' && within(step.at));
    if (resolved)
      durations.push((Date.parse(resolved.at) - Date.parse(incident.detected_at)) / 1000);
    const escalated = incident.history.find(
      (step) => step.phase === 'escalated' && within(step.at),
    );
    if (escalated)
      escalations.push({
        incident_id: incident.incident_id,
        service: incident.service,
        at: escalated.at,
      });
  }
  escalations.sort((a, b) => a.at.localeCompare(b.at));
  return {
    worked: worked.length,
    succeeded,
    failed,
    skipped,
    in_progress: worked.filter((run) => ACTIVE_RUN_STATES.includes(run.state)).length,
    auto_resolution_ratio: finished === 0 ? null : succeeded / finished,
    mttr_s: durations.length
      ? Math.round(durations.reduce((a, b) => a + b, 0) / durations.length)
      : null,
    resolved: durations.length,
    escalations,
    by_runbook: [...byRunbook.entries()]
      .map(([runbook, entry]) => ({
        runbook,
        runs: entry.runs,
        succeeded: entry.succeeded,
        actions: [...entry.actions.entries()]
          .map(([action, n]) => ({ action, count: n }))
          .sort((a, b) => b.count - a.count || a.action.localeCompare(b.action)),
      }))
      .sort((a, b) => b.runs - a.runs || a.runbook.localeCompare(b.runbook)),
  };
}
