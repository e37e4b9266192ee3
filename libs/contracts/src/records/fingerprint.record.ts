import {
  FINGERPRINT_MAX_LENGTH,
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
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

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

  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: 'INC-YYYYMMDD-NNN' })
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
}
