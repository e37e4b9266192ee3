import {
  INCIDENT_HISTORY_MAX,
  type IncidentDetectedEvent,
  type IncidentEscalatedEvent,
  type IncidentHistoryEntry,
  type IncidentPhase,
  type IncidentRecord,
  type IncidentResolvedEvent,
  type IncidentUpdatedEvent,
} from '@opscrew/contracts';
import { PermanentError, TransientError } from './handler-errors';
import { type TypedKv } from './typed-kv';

/** Concurrent writers of one incident are few (ops-monitor, jira-resolver, atlas); bounded CAS retries. */
const MAX_CAS_ATTEMPTS = 20;

/**
 * Where an incident may go from each phase. The same phase again is always
 * allowed (a dedup update, an L2 → L3 escalation); anything else is a bug or
 * a replay out of order, and is refused rather than silently rewinding history.
 */
const TRANSITIONS: Readonly<Record<IncidentPhase, readonly IncidentPhase[]>> = {
  detected: ['triaged', 'actioned', 'resolved', 'escalated'],
  triaged: ['actioned', 'resolved', 'escalated'],
  actioned: ['verified', 'resolved', 'escalated'],
  verified: ['resolved', 'escalated', 'reopened'],
  resolved: ['reopened'],
  escalated: ['actioned', 'resolved', 'reopened'],
  reopened: ['triaged', 'actioned', 'resolved', 'escalated'],
};

export type LifecycleEvent = IncidentUpdatedEvent | IncidentResolvedEvent | IncidentEscalatedEvent;

/** An update arrived for an incident the ledger does not have (yet): retry later. */
export class UnknownIncidentError extends TransientError {
  override readonly name = 'UnknownIncidentError';
}

/** A phase change the lifecycle does not allow. */
export class InvalidTransitionError extends PermanentError {
  override readonly name = 'InvalidTransitionError';
}

/**
 * The incident ledger in the `incidents` bucket. Every write is a
 * compare-and-swap, and every change remembers the id of the event that made
 * it, so redeliveries and concurrent writers (two replicas, a retry after a
 * timeout) never duplicate an incident or a lifecycle step.
 */
export class IncidentLedger {
  constructor(private readonly kv: TypedKv<IncidentRecord>) {}

  /** Records a detected incident; a second call for the same id finds it there. */
  async open(event: IncidentDetectedEvent): Promise<{ created: boolean; record: IncidentRecord }> {
    const record: IncidentRecord = {
      incident_id: event.incident_id,
      fingerprint: event.fingerprint,
      service: event.service,
      symptom: event.symptom,
      severity: event.severity,
      phase: 'detected',
      detected_by: event.source,
      detected_at: event.detected_at,
      updated_at: event.at,
      value: event.value,
      ...(event.threshold !== undefined ? { threshold: event.threshold } : {}),
      ...(event.metric !== undefined ? { metric: event.metric } : {}),
      count: 1,
      last_value: event.value,
      peak_value: event.value,
      ...(event.informational !== undefined ? { informational: event.informational } : {}),
      history: [{ at: event.at, phase: 'detected', source: event.source, event_id: event.id }],
    };
    const created = await this.kv.create(event.incident_id, record);
    if (created !== null) return { created: true, record };
    const existing = await this.kv.get(event.incident_id);
    if (existing === null) {
      throw new TransientError(`incident ${event.incident_id} was deleted while being opened`);
    }
    return { created: false, record: existing.value };
  }

  /** Applies a lifecycle event by CAS; `false` when this event was already applied. */
  async apply(
    event: LifecycleEvent,
    subject: 'updated' | 'resolved' | 'escalated',
  ): Promise<boolean> {
    for (let attempt = 1; attempt <= MAX_CAS_ATTEMPTS; attempt++) {
      const current = await this.kv.get(event.incident_id);
      if (current === null) {
        throw new UnknownIncidentError(`incident ${event.incident_id} is not in the ledger (yet)`);
      }
      const record = current.value;
      if (record.history.some((entry) => entry.event_id === event.id)) return false;
      const next = applyEvent(record, event, subject);
      if ((await this.kv.update(event.incident_id, next, current.revision)) !== null) return true;
    }
    throw new TransientError(
      `incident ${event.incident_id}: too much write contention, retry later`,
    );
  }

  async get(incidentId: string): Promise<IncidentRecord | null> {
    return (await this.kv.get(incidentId))?.value ?? null;
  }

  /** Every incident, newest first. */
  async list(): Promise<IncidentRecord[]> {
    const items = await this.kv.values();
    return items
      .map((item) => item.value)
      .sort((a, b) => b.detected_at.localeCompare(a.detected_at));
  }
}

function applyEvent(
  record: IncidentRecord,
  event: LifecycleEvent,
  subject: 'updated' | 'resolved' | 'escalated',
): IncidentRecord {
  let phase: IncidentPhase;
  let note: string | undefined;
  const next: IncidentRecord = { ...record, updated_at: event.at };
  if (subject === 'resolved') {
    const resolved = event as IncidentResolvedEvent;
    phase = 'resolved';
    note = `resolved by ${resolved.resolved_by}${resolved.note ? `: ${resolved.note}` : ''}`;
  } else if (subject === 'escalated') {
    const escalated = event as IncidentEscalatedEvent;
    phase = 'escalated';
    note = `${escalated.level}${escalated.mention ? ` ${escalated.mention}` : ''}: ${escalated.reason}`;
  } else {
    const updated = event as IncidentUpdatedEvent;
    phase = updated.phase ?? record.phase;
    note = updated.note;
    if (updated.count !== undefined) next.count = Math.max(record.count, updated.count);
    if (updated.severity !== undefined) next.severity = updated.severity;
    if (updated.last_value !== undefined) next.last_value = updated.last_value;
    if (updated.peak_value !== undefined) next.peak_value = updated.peak_value;
  }
  if (phase !== record.phase && !TRANSITIONS[record.phase].includes(phase)) {
    throw new InvalidTransitionError(
      `incident ${record.incident_id}: ${record.phase} → ${phase} is not a lifecycle step ` +
        `(from ${record.phase}: ${TRANSITIONS[record.phase].join(', ')})`,
    );
  }
  next.phase = phase;
  const entry: IncidentHistoryEntry = {
    at: event.at,
    phase,
    source: event.source,
    event_id: event.id,
    ...(note !== undefined ? { note } : {}),
  };
  // Keep the first entry (when and how it was detected) and the latest steps.
  const history = [...record.history, entry];
  next.history =
    history.length > INCIDENT_HISTORY_MAX
      ? [
          history[0] as IncidentHistoryEntry,
          ...history.slice(history.length - INCIDENT_HISTORY_MAX + 1),
        ]
      : history;
  return next;
}
