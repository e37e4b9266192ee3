import { EVENT_ID_MAX_LENGTH, EVENT_ID_PATTERN } from '../events/event-envelope';
import {
  DedupKeys,
  Impact,
  type IncidentImpact,
  Reporters,
  Symptoms,
} from '../events/incident.events';
import {
  FINGERPRINT_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  LABEL_MAX_LENGTH,
  METRIC_NAME_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
} from '../events/field-limits';
import {
  IsFiniteNumber,
  IsFlag,
  IsInteger,
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/**
 * Redeliveries come back within ack_wait × a few attempts; 32 reports of one fingerprint in
 * that time is a storm, and a redelivery older than that is folded once more, never lost.
 */
export const REPORT_IDS_MAX = 32;

/**
 * The dedup index entry under a fingerprint (`<service>.<symptom>`) in the
 * `fingerprints` bucket: which incident is open for it and what was last seen.
 * ops-monitor replicas write it only by CAS, so one fingerprint never opens
 * two incidents, and `announced` records that the incident reached the
 * ledger and the bus (a crash between the two is finished on the next cycle).
 */
export class FingerprintRecord {
  @IsText(FINGERPRINT_MAX_LENGTH)
  fingerprint!: string;

  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH)
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH)
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  /** What opened it, kept so an interrupted opening is completed with the same facts. */
  @IsText(METRIC_NAME_MAX_LENGTH)
  metric!: string;

  @IsText(LABEL_MAX_LENGTH)
  rule!: string;

  @IsText(NOTE_MAX_LENGTH)
  detail!: string;

  @OptionalField()
  @IsFiniteNumber()
  threshold?: number;

  @IsTimestamp()
  opened_at!: string;

  @IsTimestamp()
  last_seen_at!: string;

  @IsInteger(1)
  count!: number;

  @IsFiniteNumber()
  first_value!: number;

  @IsFiniteNumber()
  last_value!: number;

  @IsFiniteNumber()
  peak_value!: number;

  /** The peak last published in incident.updated: "meaningful change" is measured from it. */
  @IsFiniteNumber()
  published_peak!: number;

  @IsOneOf(SEVERITIES)
  published_severity!: Severity;

  /** true once the incident is in the ledger and incident.detected is on the bus. */
  @IsFlag()
  announced!: boolean;

  /** Seen while the service was locked (deliberate load): recorded, never ticketed or remediated. */
  @IsFlag()
  informational!: boolean;

  /** Reporters (`incident.reported`) folded into it, most recent last; absent on detections only. */
  @OptionalField()
  @Reporters()
  reporters?: string[];

  /** The reporters' dedup keys folded into it, most recent last: how a reporter finds its incident. */
  @OptionalField()
  @DedupKeys()
  dedup_keys?: string[];

  /** Every symptom of the service folded in, first one first (absent on older records: just `symptom`). */
  @OptionalField()
  @Symptoms()
  symptoms?: string[];

  /** Callers whose symptoms this incident's fault explains (the dependency graph). */
  @OptionalField()
  @Impact()
  impact?: IncidentImpact[];

  /**
   * Ids of the last reports folded in: a report redelivered after its fold (a lost ack) is
   * recognised and not counted twice.
   */
  @OptionalField()
  @IsTextArray({
    maxItems: REPORT_IDS_MAX,
    maxLength: EVENT_ID_MAX_LENGTH,
    pattern: EVENT_ID_PATTERN,
  })
  report_ids?: string[];
}
