import { type FingerprintRecord, type IncidentImpact, type Severity } from '@opscrew/contracts';
import { type OpenTrouble } from '../detection/detection.engine';

/**
 * Something seen wrong with one service: one of ops-monitor's own detections (an `Anomaly`)
 * or a report from outside the crew (`incident.reported`). Both fold into the same
 * fingerprint index the same way.
 */
export interface Sighting {
  readonly service: string;
  readonly symptom: string;
  /** `absolute`, `relative`, `drift` for detections; `reported` for a report. */
  readonly rule: string;
  readonly metric: string;
  readonly value: number;
  readonly threshold?: number;
  readonly severity: Severity;
  /** The service was locked for deliberate work: recorded, never ticketed or remediated. */
  readonly informational: boolean;
  /** One human sentence: what was seen against what. */
  readonly detail: string;
  /** Set when the sighting is an `incident.reported`. */
  readonly report?: SightingReport;
  /**
   * Set when the sighting is a caller's symptom that the dependency graph explains by this
   * service: the caller is recorded as the incident's impact (the caller opens nothing itself).
   */
  readonly impact?: IncidentImpact;
}

/**
 * A report is a discrete event, unlike a detection that is seen again every cycle while the
 * fault lasts: each fold of one publishes `incident.updated` with its count (so the ledger's
 * count is the number of reports), its reporter and dedup key are kept for correlation, and
 * its event id makes a redelivered report a no-op.
 */
export interface SightingReport {
  /** The `incident.reported` event id. */
  readonly id: string;
  readonly reporter: string;
  readonly dedup_key?: string;
}

/** What the announcer does once an incident is opened (ticket + alert through the outbox). */
export interface IncidentAnnouncer {
  opened(record: FingerprintRecord): Promise<void>;
}

export type IncidentOutcome = 'opened' | 'updated' | 'unchanged' | 'reopened';

/** What folding one sighting did, and the index entry it left. */
export interface IncidentResult {
  readonly outcome: IncidentOutcome;
  readonly record: FingerprintRecord;
}

/** An incident the crew is still working, as blame needs it (its service is the map's key). */
export type OpenIncident = OpenTrouble;

export interface IncidentManagerOptions {
  readonly dedupWindowMs: number;
  /**
   * What one incident is (`alerting.dedup.key_fields`): `['service']` — one fault, one incident,
   * every symptom of the service folded in (the shipped default); `['service', 'symptom']` — one
   * incident per symptom, as the seed had it.
   */
  readonly keyFields?: readonly ('service' | 'symptom')[];
  readonly now?: () => Date;
}
