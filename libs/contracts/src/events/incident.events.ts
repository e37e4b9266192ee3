import {
  IsFiniteNumber,
  IsFlag,
  IsFlatRecord,
  IsInteger,
  IsNested,
  IsOneOf,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  FINGERPRINT_MAX_LENGTH,
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  LABEL_MAX_LENGTH,
  METRIC_NAME_MAX_LENGTH,
  METRIC_NAME_PATTERN,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from './field-limits';

const IncidentId = (): PropertyDecorator =>
  IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: 'INC-YYYYMMDD-NNN' });

/**
 * Evidence is a flat bag of numbers and short strings (sample values, query
 * windows); 50 keys is far more than a detector attaches and stops a runaway
 * payload.
 */
const EVIDENCE_LIMITS = {
  maxKeys: 50,
  maxKeyLength: 64,
  maxStringLength: 1024,
  allowBoolean: true,
};

export const INCIDENT_PHASES = [
  'detected',
  'triaged',
  'actioned',
  'verified',
  'resolved',
  'escalated',
  'reopened',
] as const;
export type IncidentPhase = (typeof INCIDENT_PHASES)[number];

export const ESCALATION_LEVELS = ['L1', 'L2', 'L3'] as const;
export type EscalationLevel = (typeof ESCALATION_LEVELS)[number];

/** `incident.detected`: a new incident opened by ops-monitor. */
export class IncidentDetectedEvent extends EventEnvelope {
  @IncidentId()
  incident_id!: string;

  @IsText(FINGERPRINT_MAX_LENGTH)
  fingerprint!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  /** The observed value that tripped the detector, in the metric's unit. */
  @IsFiniteNumber()
  value!: number;

  @OptionalField()
  @IsFiniteNumber()
  threshold?: number;

  @OptionalField()
  @IsText(METRIC_NAME_MAX_LENGTH, { pattern: METRIC_NAME_PATTERN })
  metric?: string;

  @IsTimestamp()
  detected_at!: string;

  /** True when a lock was held (deliberate load): record it, do not remediate. */
  @OptionalField()
  @IsFlag()
  informational?: boolean;

  @OptionalField()
  @IsFlatRecord(EVIDENCE_LIMITS)
  evidence?: Record<string, string | number | boolean>;
}

/** `incident.updated`: a lifecycle or dedup update of an open incident. */
export class IncidentUpdatedEvent extends EventEnvelope {
  @IncidentId()
  incident_id!: string;

  @IsText(FINGERPRINT_MAX_LENGTH)
  fingerprint!: string;

  @OptionalField()
  @IsOneOf(INCIDENT_PHASES)
  phase?: IncidentPhase;

  /** Raised when later sightings are worse than the first (severity never goes down here). */
  @OptionalField()
  @IsOneOf(SEVERITIES)
  severity?: Severity;

  /** How many detections were folded into this incident within the dedup window. */
  @OptionalField()
  @IsInteger(1)
  count?: number;

  @OptionalField()
  @IsFiniteNumber()
  last_value?: number;

  @OptionalField()
  @IsFiniteNumber()
  peak_value?: number;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  note?: string;
}

/** The metrics that proved a fix. */
export class ResolutionVerification {
  /** Consecutive passing checks. */
  @IsInteger(0)
  checks!: number;

  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  error_rate_ratio?: number;

  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  latency_p99_ms?: number;
}

/** `incident.resolved`. */
export class IncidentResolvedEvent extends EventEnvelope {
  @IncidentId()
  incident_id!: string;

  /** An agent name, `human:<name>` or a runbook run: who closed it. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  resolved_by!: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  note?: string;

  @OptionalField()
  @IsNested(() => ResolutionVerification)
  verification?: ResolutionVerification;
}

/** `incident.escalated`: L1 automatic, L2 on-call mention, L3 lead. */
export class IncidentEscalatedEvent extends EventEnvelope {
  @IncidentId()
  incident_id!: string;

  @IsOneOf(ESCALATION_LEVELS)
  level!: EscalationLevel;

  @IsText(NOTE_MAX_LENGTH)
  reason!: string;

  /** Who is paged (a handle or role); neutralised by the notifier before sending. */
  @OptionalField()
  @IsText(LABEL_MAX_LENGTH)
  mention?: string;
}
