import { type IncidentPhase } from '@opscrew/contracts';

/**
 * The incident lifecycle: where an incident may go from each phase. ONE table, read by the
 * ledger (which refuses anything else, except a step older than the record's latest change: that
 * arrived late through another consumer and is filed as history) and by the engines
 * that make the changes (through ENGINE_PHASE_STEPS below). Two tables once drifted apart and
 * a valid `verified` after `triaged` was dead-lettered; a step added here is accepted by both.
 *
 * The same phase again is always allowed (a dedup update, an L2 → L3 escalation).
 */
export const INCIDENT_TRANSITIONS: Readonly<Record<IncidentPhase, readonly IncidentPhase[]>> = {
  // `verified` without `actioned`: a runbook whose verify_metrics finds the fault gone before
  // any restart (or a condition skipped it) — the engine verifies, and the ledger must follow.
  detected: ['triaged', 'actioned', 'verified', 'resolved', 'escalated'],
  triaged: ['actioned', 'verified', 'resolved', 'escalated'],
  actioned: ['verified', 'resolved', 'escalated'],
  verified: ['resolved', 'escalated', 'reopened'],
  resolved: ['reopened'],
  escalated: ['actioned', 'verified', 'resolved', 'reopened'],
  reopened: ['triaged', 'actioned', 'verified', 'resolved', 'escalated'],
};

/** Whether `from → to` is a lifecycle step (the same phase again always is). */
export function canTransition(from: IncidentPhase, to: IncidentPhase): boolean {
  return from === to || INCIDENT_TRANSITIONS[from].includes(to);
}

/** Why `from → to` is refused, naming what is allowed; null when it is a step. */
export function transitionRefusal(from: IncidentPhase, to: IncidentPhase): string | null {
  if (canTransition(from, to)) return null;
  return `${from} → ${to} is not a lifecycle step (from ${from}: ${INCIDENT_TRANSITIONS[from].join(', ')})`;
}

/** One kind of phase change an engine makes, and the phases the incident may be in when it does. */
export interface EnginePhaseStep {
  /** Who emits it, and how (for the reader; the test names it on failure). */
  readonly emitter: string;
  readonly to: IncidentPhase;
  /** Every phase the ledger may hold when this step arrives (in stream order). */
  readonly from: readonly IncidentPhase[];
}

/**
 * Every phase change the engines emit, in one place. Emitters take their phase from here
 * (`enginePhase('triage')`) rather than writing a literal, and incident-lifecycle.spec.ts
 * checks that every `from → to` below is accepted by INCIDENT_TRANSITIONS — so an engine
 * change that needs a new step fails a unit test, not a production ledger.
 */
export const ENGINE_PHASE_STEPS = {
  /** jira-resolver starts a run (attempt 1 on detection, attempt n after a reopen). */
  triage: {
    emitter: 'jira-resolver remediation engine: run started (incident.updated)',
    to: 'triaged',
    from: ['detected', 'reopened', 'triaged'],
  },
  /** jira-resolver restarted the service; an L2 escalation may have landed meanwhile. */
  act: {
    emitter: 'jira-resolver restart-service action (incident.updated)',
    to: 'actioned',
    from: ['detected', 'triaged', 'reopened', 'actioned', 'escalated'],
  },
  /** jira-resolver's verification passed (a runbook may verify without acting). */
  verify: {
    emitter: 'jira-resolver remediation engine: verification passed (incident.updated)',
    to: 'verified',
    from: ['detected', 'triaged', 'reopened', 'actioned', 'escalated', 'verified'],
  },
  /** jira-resolver resolves right after verifying. */
  resolve: {
    emitter: 'jira-resolver remediation engine (incident.resolved)',
    to: 'resolved',
    from: ['detected', 'triaged', 'reopened', 'actioned', 'escalated', 'verified'],
  },
  /** The escalation service moves up a level (any time before the incident is resolved). */
  escalate: {
    emitter: 'guardrails escalation service (incident.escalated)',
    to: 'escalated',
    from: ['detected', 'triaged', 'reopened', 'actioned', 'verified', 'escalated'],
  },
  /** ops-monitor sees a resolved incident's fault again. */
  reopen: {
    emitter: 'ops-monitor incident manager: recurrence (incident.updated)',
    to: 'reopened',
    from: ['resolved', 'verified'],
  },
} as const satisfies Record<string, EnginePhaseStep>;

export type EnginePhaseStepName = keyof typeof ENGINE_PHASE_STEPS;

/** The phase an engine step publishes: the one place engines get a phase to send. */
export function enginePhase<S extends EnginePhaseStepName>(
  step: S,
): (typeof ENGINE_PHASE_STEPS)[S]['to'] {
  return ENGINE_PHASE_STEPS[step].to;
}
