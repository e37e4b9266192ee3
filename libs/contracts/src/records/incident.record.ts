import { EVENT_SOURCES, type EventSource } from '../subjects';
import {
  FINGERPRINT_MAX_LENGTH,
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  METRIC_NAME_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
} from '../events/field-limits';
import {
  DedupKeys,
  Impact,
  INCIDENT_PHASES,
  type IncidentImpact,
  type IncidentPhase,
  Reporters,
  Symptoms,
} from '../events/incident.events';
import {
  IsFiniteNumber,
  IsFlag,
  IsInteger,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/** The ledger keeps the last lifecycle steps; older ones live in the OPS stream. */
export const INCIDENT_HISTORY_MAX = 50;

/** One lifecycle step of an incident, with the event that caused it (for idempotent replays). */
export class IncidentHistoryEntry {
  @IsTimestamp()
  at!: string;

  @IsOneOf(INCIDENT_PHASES)
  phase!: IncidentPhase;

  @IsOneOf(EVENT_SOURCES)
  source!: EventSource;

  /** Id of the bus event that made this step; a redelivered event is recognised by it. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  event_id!: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  note?: string;
}

/**
 * An incident as kept in the `incidents` bucket (the ledger), keyed by its id.
 * Phases: detected → triaged → actioned → verified → resolved | escalated | reopened.
 */
export class IncidentRecord {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsText(FINGERPRINT_MAX_LENGTH)
  fingerprint!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH)
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH)
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsOneOf(INCIDENT_PHASES)
  phase!: IncidentPhase;

  @IsOneOf(EVENT_SOURCES)
  detected_by!: EventSource;

  @IsTimestamp()
  detected_at!: string;

  @IsTimestamp()
  updated_at!: string;

  @IsFiniteNumber()
  value!: number;

  @OptionalField()
  @IsFiniteNumber()
  threshold?: number;

  @OptionalField()
  @IsText(METRIC_NAME_MAX_LENGTH)
  metric?: string;

  /** Detections folded into this incident within the dedup window. */
  @IsInteger(1)
  count!: number;

  @IsFiniteNumber()
  last_value!: number;

  @IsFiniteNumber()
  peak_value!: number;

  @OptionalField()
  @IsFlag()
  informational?: boolean;

  /**
   * Who reported it (`incident.reported`: `alertmanager`, `cli`, …), most recent last, at most
   * 20. Absent on incidents only detected by the crew (and on records written before reports).
   */
  @OptionalField()
  @Reporters()
  reporters?: string[];

  /** The reporters' dedup keys that joined it, most recent last, at most 20: `GET /incidents?dedup_key=`. */
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

  @IsNestedArray(() => IncidentHistoryEntry, { maxItems: INCIDENT_HISTORY_MAX, minItems: 1 })
  history!: IncidentHistoryEntry[];
}
