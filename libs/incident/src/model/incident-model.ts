import {
  type FingerprintRecord,
  type IncidentHistoryEntry,
  type IncidentRecord,
} from '@opscrew/contracts';

/*
 * The one incident model is the ledger record, IncidentRecord (libs/contracts). Every other
 * shape an incident takes in code is a view of it, named here once: a type picked from the
 * record (so a field renamed or retyped there is renamed or retyped everywhere) and, where a
 * value is built, the one projection that copies exactly those fields. Code that needs fewer
 * fields picks them from these; nobody restates an incident field by hand.
 */

/** What names an incident everywhere (runs, escalations, blame): id, service, symptom, severity. */
export type IncidentIdentity = Readonly<
  Pick<IncidentRecord, 'incident_id' | 'service' | 'symptom' | 'severity'>
>;

/**
 * Just the identity of an incident (a ledger record, an `incident.detected` event, a run): the
 * four fields and nothing else, so a record stored from it carries no stray field of its source.
 */
export function incidentIdentity(source: IncidentIdentity): IncidentIdentity {
  return {
    incident_id: source.incident_id,
    service: source.service,
    symptom: source.symptom,
    severity: source.severity,
  };
}

/** Where an incident sorts in a listing (newest first, then by id): a page cursor holds this. */
export type IncidentPosition = Readonly<Pick<IncidentRecord, 'detected_at' | 'incident_id'>>;

/** One lifecycle step as it is read back (prompts, postmortems): the ledger's entry, less its event id. */
export type IncidentStep = Readonly<Pick<IncidentHistoryEntry, 'at' | 'phase' | 'source' | 'note'>>;

/**
 * The facts reasoning works from (triage, proposals, postmortems): the identity and the first
 * measurement, plus what the ledger has learnt since when it is known. A ledger record fits as
 * it is; so does an incident just opened from ops-monitor's index (`fingerprintFacts`).
 */
export type IncidentFacts = Readonly<
  Pick<
    IncidentRecord,
    'incident_id' | 'service' | 'symptom' | 'severity' | 'value' | 'detected_at'
  > &
    Partial<Pick<IncidentRecord, 'threshold' | 'metric' | 'count' | 'peak_value' | 'phase'>>
>;

/**
 * The facts of an incident ops-monitor is opening, from its fingerprint index entry (the ledger
 * record is written from the same values: `value` is the first sighting, `detected_at` the
 * opening). Keys in this order: reasoning reads them as JSON.
 */
export function fingerprintFacts(record: FingerprintRecord): IncidentFacts {
  return {
    incident_id: record.incident_id,
    service: record.service,
    symptom: record.symptom,
    severity: record.severity,
    value: record.first_value,
    metric: record.metric,
    detected_at: record.opened_at,
    count: record.count,
    peak_value: record.peak_value,
    ...(record.threshold === undefined ? {} : { threshold: record.threshold }),
  };
}

/** An incident in a list (atlas's MCP `list_incidents`): the record less its history and correlation. */
export type IncidentSummary = Readonly<
  Pick<
    IncidentRecord,
    | 'incident_id'
    | 'service'
    | 'symptom'
    | 'severity'
    | 'phase'
    | 'detected_at'
    | 'updated_at'
    | 'count'
    | 'value'
    | 'last_value'
    | 'peak_value'
    | 'metric'
    | 'informational'
  > & {
    /** The note of the latest lifecycle step: what happens to it now. */
    last_note?: IncidentHistoryEntry['note'];
  }
>;

/** The summary of a ledger record; optional fields appear only when the record has them. */
export function incidentSummary(record: IncidentRecord): IncidentSummary {
  const last = record.history[record.history.length - 1];
  return {
    incident_id: record.incident_id,
    service: record.service,
    symptom: record.symptom,
    severity: record.severity,
    phase: record.phase,
    detected_at: record.detected_at,
    updated_at: record.updated_at,
    count: record.count,
    value: record.value,
    last_value: record.last_value,
    peak_value: record.peak_value,
    ...(record.metric !== undefined ? { metric: record.metric } : {}),
    ...(record.informational !== undefined ? { informational: record.informational } : {}),
    ...(last?.note !== undefined ? { last_note: last.note } : {}),
  };
}
