import {
  INCIDENT_HISTORY_MAX,
  type IncidentDetectedEvent,
  type IncidentEscalatedEvent,
  type IncidentHistoryEntry,
  type IncidentImpact,
  type IncidentPhase,
  type IncidentRecord,
  type IncidentResolvedEvent,
  type IncidentUpdatedEvent,
  mergeImpact,
  mergeSymptoms,
  rememberRecent,
} from '@opscrew/contracts';
import { type IncidentPosition, transitionRefusal } from '@opscrew/incident';
import { PermanentError, TransientError } from './handler-errors';
import { type TypedKv } from './typed-kv';

/** Which incidents to list: those a given dedup key or reporter joined (both: both). */
export interface CorrelationFilter {
  readonly dedup_key?: string;
  readonly reporter?: string;
}

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
      ...correlation(undefined, event),
      ...shape(undefined, event),
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

  /**
   * Applies a lifecycle event by CAS (`TypedKv.mutate`: a lost race re-reads and decides again);
   * `false` when this event was already applied. Write contention past the policy surfaces as a
   * KvContentionError, a TransientError: the consumer retries the event later.
   */
  async apply(
    event: LifecycleEvent,
    subject: 'updated' | 'resolved' | 'escalated',
  ): Promise<boolean> {
    const { result } = await this.kv.mutate<boolean>(event.incident_id, (current) => {
      if (current === null) {
        throw new UnknownIncidentError(`incident ${event.incident_id} is not in the ledger (yet)`);
      }
      if (current.value.history.some((entry) => entry.event_id === event.id)) {
        return { keep: false };
      }
      return { put: applyEvent(current.value, event, subject), result: true };
    });
    return result;
  }

  async get(incidentId: string): Promise<IncidentRecord | null> {
    return (await this.kv.get(incidentId))?.value ?? null;
  }

  /**
   * Every incident, newest first; with a filter, only those a report with that dedup key (or
   * from that reporter) joined — how an outside reporter finds the incident the crew minted.
   */
  async list(filter: CorrelationFilter = {}): Promise<IncidentRecord[]> {
    const items = await this.kv.values();
    return items
      .map((item) => item.value)
      .filter((record) => matchesCorrelation(record, filter))
      .sort(newestFirst);
  }
}

/** Whether a report with the filter's dedup key (and/or from its reporter) joined the incident. */
export function matchesCorrelation(
  record: Pick<IncidentRecord, 'dedup_keys' | 'reporters'>,
  filter: CorrelationFilter,
): boolean {
  return (
    (filter.dedup_key === undefined || (record.dedup_keys ?? []).includes(filter.dedup_key)) &&
    (filter.reporter === undefined || (record.reporters ?? []).includes(filter.reporter))
  );
}

/**
 * The ledger's listing order: newest detection first, ties (one storm, one millisecond) by id,
 * descending — a total order, so a page cursor never skips or repeats an incident.
 */
export function newestFirst(a: IncidentPosition, b: IncidentPosition): number {
  return b.detected_at.localeCompare(a.detected_at) || b.incident_id.localeCompare(a.incident_id);
}

/**
 * Reporters and dedup keys merged into what the record has (bounded, most recent last); none
 * at all while neither side has any, so a detection-only incident keeps its old shape.
 */
function correlation(
  record: Pick<IncidentRecord, 'reporters' | 'dedup_keys'> | undefined,
  event: { reporters?: string[]; dedup_keys?: string[] },
): Pick<IncidentRecord, 'reporters' | 'dedup_keys'> {
  const out: Pick<IncidentRecord, 'reporters' | 'dedup_keys'> = {};
  if (record?.reporters || event.reporters)
    out.reporters = rememberRecent(record?.reporters, event.reporters ?? []);
  if (record?.dedup_keys || event.dedup_keys)
    out.dedup_keys = rememberRecent(record?.dedup_keys, event.dedup_keys ?? []);
  return out;
}

/**
 * The service's symptoms and the callers it affects, merged (bounded, order-insensitive); absent
 * while neither side has one, so older incidents keep their shape.
 */
function shape(
  record: Pick<IncidentRecord, 'symptoms' | 'impact'> | undefined,
  event: { symptoms?: string[]; impact?: IncidentImpact[] },
): Pick<IncidentRecord, 'symptoms' | 'impact'> {
  const out: Pick<IncidentRecord, 'symptoms' | 'impact'> = {};
  if (record?.symptoms || event.symptoms)
    out.symptoms = mergeSymptoms(record?.symptoms, event.symptoms ?? []);
  if (record?.impact || event.impact) out.impact = mergeImpact(record?.impact, event.impact ?? []);
  return out;
}

function applyEvent(
  record: IncidentRecord,
  event: LifecycleEvent,
  subject: 'updated' | 'resolved' | 'escalated',
): IncidentRecord {
  let phase: IncidentPhase;
  let note: string | undefined;
  // Two consumers of one durable (atlas replicas) can apply an incident's events out of stream
  // order: `verified` handled after the `resolved` that followed it. Such an event is history,
  // not a step back: see `late` below.
  const late = Date.parse(event.at) < Date.parse(record.updated_at);
  const next: IncidentRecord = { ...record, updated_at: late ? record.updated_at : event.at };
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
    // A late event's readings are older than the record's: they do not overwrite newer ones.
    if (updated.severity !== undefined && !late) next.severity = updated.severity;
    if (updated.last_value !== undefined && !late) next.last_value = updated.last_value;
    if (updated.peak_value !== undefined && !late) next.peak_value = updated.peak_value;
    Object.assign(next, correlation(record, updated), shape(record, updated));
  }
  // The lifecycle table is shared with the engines (libs/incident incident-lifecycle.ts).
  const refusal = transitionRefusal(record.phase, phase);
  // A refused step that happened before the record's latest change arrived late: it joins the
  // history in time order and the phase stays. A refused step from after it is a bug or a replay
  // from another incident's life: refused (dead-lettered) as before. (Agents' clocks are NTP-close;
  // a skew could at worst file a wrong step as late history, never move the phase.)
  if (refusal !== null && !late) {
    throw new InvalidTransitionError(`incident ${record.incident_id}: ${refusal}`);
  }
  if (refusal === null) next.phase = phase;
  const entry: IncidentHistoryEntry = {
    at: event.at,
    phase,
    source: event.source,
    event_id: event.id,
    ...(note !== undefined || refusal !== null
      ? {
          note:
            refusal === null
              ? note
              : `${note ?? phase} (arrived late; phase stays ${record.phase})`,
        }
      : {}),
  };
  // Keep the first entry (when and how it was detected) and the latest steps.
  const history =
    refusal === null ? [...record.history, entry] : insertInTimeOrder(record.history, entry);
  next.history =
    history.length > INCIDENT_HISTORY_MAX
      ? [
          history[0] as IncidentHistoryEntry,
          ...history.slice(history.length - INCIDENT_HISTORY_MAX + 1),
        ]
      : history;
  return next;
}

/** The history with a late entry placed after every entry that is not later than it. */
function insertInTimeOrder(
  history: readonly IncidentHistoryEntry[],
  entry: IncidentHistoryEntry,
): IncidentHistoryEntry[] {
  const at = Date.parse(entry.at);
  const index = history.findIndex((existing) => Date.parse(existing.at) > at);
  return index === -1
    ? [...history, entry]
    : [...history.slice(0, index), entry, ...history.slice(index)];
}
