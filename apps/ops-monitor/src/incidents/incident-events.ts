import { type EventPayloads, type FingerprintRecord, NOTE_MAX_LENGTH } from '@opscrew/contracts';
import { enginePhase } from '@opscrew/incident';
import { correlationOf, displayFingerprint, shapeOf } from './fingerprint-record';

/**
 * `incident.detected` for an index entry being opened. Its Msg-Id (`detectedEventId`) is
 * deterministic, so an opening repeated after a crash is dropped by JetStream.
 */
export function detectedEvent(record: FingerprintRecord): EventPayloads['incident.detected'] {
  return {
    incident_id: record.incident_id,
    fingerprint: displayFingerprint(record),
    service: record.service,
    symptom: record.symptom,
    severity: record.severity,
    value: record.first_value,
    ...(record.threshold !== undefined ? { threshold: record.threshold } : {}),
    metric: record.metric,
    detected_at: record.opened_at,
    ...(record.informational ? { informational: true } : {}),
    evidence: { rule: record.rule, detail: record.detail.slice(0, 1000) },
    ...correlationOf(record),
    ...shapeOf(record),
  };
}

export function detectedEventId(record: Pick<FingerprintRecord, 'incident_id'>): string {
  return `incident.detected.${record.incident_id}`;
}

/** `incident.updated` with the record's state: count, values, severity, correlation. */
export function updatedEvent(
  record: FingerprintRecord,
  note: string,
  reopen: boolean,
): EventPayloads['incident.updated'] {
  return {
    incident_id: record.incident_id,
    fingerprint: displayFingerprint(record),
    ...(reopen ? { phase: enginePhase('reopen') } : {}),
    severity: record.severity,
    count: record.count,
    last_value: record.last_value,
    peak_value: record.peak_value,
    note: note.slice(0, NOTE_MAX_LENGTH),
    ...correlationOf(record),
    ...shapeOf(record),
  };
}

/** One event per state: a retry of the same update is dropped by JetStream. */
export function updatedEventId(record: Pick<FingerprintRecord, 'incident_id' | 'count'>): string {
  return `incident.updated.${record.incident_id}.${record.count}`;
}
