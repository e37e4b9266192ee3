import {
  type FingerprintRecord,
  type IncidentImpact,
  rememberRecent,
  REPORT_IDS_MAX,
} from '@opscrew/contracts';
import { fingerprintKey } from '@opscrew/incident';
import { type Sighting, type SightingReport } from './sighting';

/**
 * The KV key of an incident: the service (one fault, one incident, whatever symptoms it shows),
 * or service and symptom when the dedup key fields ask for it. Informational sightings keep
 * their own, so a real incident still opens after the lock.
 */
export function fingerprintStoreKey(
  anomaly: Pick<Sighting, 'service' | 'symptom' | 'informational'>,
  bySymptom = false,
): string {
  return `${anomaly.service}${bySymptom ? `.${anomaly.symptom}` : ''}${anomaly.informational ? '.informational' : ''}`;
}

/** The fingerprint events and the ledger carry (`service:symptom`), whatever the store key is. */
export function displayFingerprint(record: Pick<FingerprintRecord, 'service' | 'symptom'>): string {
  return fingerprintKey(record.service, record.symptom);
}

/** The symptoms a record holds (older records: just the one). */
export function symptomsOf(record: Pick<FingerprintRecord, 'symptom' | 'symptoms'>): string[] {
  return record.symptoms ?? [record.symptom];
}

/** What incident.detected and incident.updated carry of the incident's shape. */
export function shapeOf(record: FingerprintRecord): {
  symptoms: string[];
  impact?: IncidentImpact[];
} {
  return {
    symptoms: symptomsOf(record),
    ...(record.impact?.length ? { impact: record.impact } : {}),
  };
}

/** The record's reporters, dedup keys and report ids with one more report remembered. */
export function correlate(
  record: Pick<FingerprintRecord, 'reporters' | 'dedup_keys' | 'report_ids'> | undefined,
  report: SightingReport | undefined,
): Pick<FingerprintRecord, 'reporters' | 'dedup_keys' | 'report_ids'> {
  if (!report) return {};
  return {
    reporters: rememberRecent(record?.reporters, [report.reporter]),
    ...(report.dedup_key !== undefined || record?.dedup_keys
      ? { dedup_keys: rememberRecent(record?.dedup_keys, [report.dedup_key]) }
      : {}),
    report_ids: rememberRecent(record?.report_ids, [report.id], REPORT_IDS_MAX),
  };
}

/** What incident.detected and incident.updated carry for correlation (nothing for detections). */
export function correlationOf(record: FingerprintRecord): {
  reporters?: string[];
  dedup_keys?: string[];
} {
  return {
    ...(record.reporters ? { reporters: record.reporters } : {}),
    ...(record.dedup_keys ? { dedup_keys: record.dedup_keys } : {}),
  };
}

/** The index entry of an incident opened by this sighting: count 1, not yet announced. */
export function newRecord(incidentId: string, anomaly: Sighting, now: Date): FingerprintRecord {
  const at = now.toISOString();
  return {
    fingerprint: displayFingerprint(anomaly),
    incident_id: incidentId,
    service: anomaly.service,
    symptom: anomaly.symptom,
    severity: anomaly.severity,
    metric: anomaly.metric,
    rule: anomaly.rule,
    detail: anomaly.detail.slice(0, 2000),
    ...(anomaly.threshold !== undefined ? { threshold: anomaly.threshold } : {}),
    opened_at: at,
    last_seen_at: at,
    count: 1,
    first_value: anomaly.value,
    last_value: anomaly.value,
    peak_value: anomaly.value,
    published_peak: anomaly.value,
    published_severity: anomaly.severity,
    announced: false,
    informational: anomaly.informational,
    symptoms: [anomaly.symptom],
    ...(anomaly.impact ? { impact: [anomaly.impact] } : {}),
    ...correlate(undefined, anomaly.report),
  };
}
