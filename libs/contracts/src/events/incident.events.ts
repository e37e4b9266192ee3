// Over ~300 lines: declarations only: the incident.* event classes, each field with its bounds and why.
import {
  IsFiniteNumber,
  IsFlag,
  IsFlatRecord,
  IsInteger,
  IsNestedArray,
  IsNested,
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';
import { EventEnvelope } from './event-envelope';
import {
  FINGERPRINT_MAX_LENGTH,
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
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
  IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT });

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

/** Whether a reported condition is still going on (Alertmanager's `status`). */
export const REPORT_STATUSES = ['firing', 'resolved'] as const;
export type ReportStatus = (typeof REPORT_STATUSES)[number];

/**
 * A reporter's own correlation key (Alertmanager's alert fingerprint, a PagerDuty-style
 * `dedup_key`): printable ASCII, no spaces, so it can travel in headers and query strings.
 */
export const DEDUP_KEY_PATTERN = /^[\x21-\x7E]+$/;
/** PagerDuty's Events API v2 caps its dedup_key at 255 characters; so do we. */
export const DEDUP_KEY_MAX_LENGTH = 255;
/** A reporter names itself with a short token (`alertmanager`, `cli`, `billing-probe`). */
export const REPORTER_MAX_LENGTH = 64;
export const REPORTER_PATTERN = /^[A-Za-z0-9_-]+$/;
/**
 * An incident remembers the last 20 distinct reporters and dedup keys that joined it: enough
 * for every alert of a noisy Alertmanager group to find its incident, small enough that the
 * fingerprint entry and every incident event stay a few KiB.
 */
export const CORRELATION_MAX_ITEMS = 20;

/** The reporters that joined an incident (bounded, most recent last). */
export const Reporters = (): PropertyDecorator =>
  IsTextArray({
    maxItems: CORRELATION_MAX_ITEMS,
    maxLength: REPORTER_MAX_LENGTH,
    pattern: REPORTER_PATTERN,
    describe: '[A-Za-z0-9_-]+',
  });

/** The reporters' dedup keys that joined an incident (bounded, most recent last). */
export const DedupKeys = (): PropertyDecorator =>
  IsTextArray({
    maxItems: CORRELATION_MAX_ITEMS,
    maxLength: DEDUP_KEY_MAX_LENGTH,
    pattern: DEDUP_KEY_PATTERN,
    describe: 'printable ASCII without spaces',
  });

/**
 * `incident.reported`: "this looks broken", from anyone outside the crew — a plain NATS
 * client, `opscrew incident inject`, Prometheus Alertmanager's webhook. ops-monitor folds it
 * into the fingerprint ledger (`service:symptom`) exactly like one of its own detections: five
 * identical reports are one incident with count 5, one ticket, at most one remediation. The
 * crew mints the incident id; the reporter correlates through its `dedup_key`.
 */
export class IncidentReportedEvent extends EventEnvelope {
  /** A watched service by name or alias (`cartservice` → `cart`); unknown ones are dead-lettered. */
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  /** The observed value, in the unit of the symptom's metric (error rate 0–1, latency in ms). */
  @IsFiniteNumber()
  value!: number;

  /** Without it, severity comes from the configured alerting bands for the symptom's metric. */
  @OptionalField()
  @IsOneOf(SEVERITIES)
  severity?: Severity;

  @OptionalField()
  @IsFiniteNumber()
  threshold?: number;

  @OptionalField()
  @IsText(METRIC_NAME_MAX_LENGTH, { pattern: METRIC_NAME_PATTERN })
  metric?: string;

  /** Who reports it: a short token naming the system (`alertmanager`, `cli`, `billing-probe`). */
  @IsText(REPORTER_MAX_LENGTH, { pattern: REPORTER_PATTERN, describe: '[A-Za-z0-9_-]+' })
  reporter!: string;

  /** The reporter's correlation key; kept on the incident so the reporter can find it again. */
  @OptionalField()
  @IsText(DEDUP_KEY_MAX_LENGTH, {
    pattern: DEDUP_KEY_PATTERN,
    describe: 'printable ASCII without spaces',
  })
  dedup_key?: string;

  /** `firing` (default) or `resolved`: a resolved report is recorded, never taken as proof of a fix. */
  @OptionalField()
  @IsOneOf(REPORT_STATUSES)
  status?: ReportStatus;

  /** One human sentence: what the reporter saw. Data, never instructions. */
  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  summary?: string;

  @OptionalField()
  @IsFlatRecord(EVIDENCE_LIMITS)
  evidence?: Record<string, string | number | boolean>;
}

/** Symptoms one incident keeps: one fault shows as a few (errors, latency, their drifts). */
export const INCIDENT_SYMPTOMS_MAX = 12;
/** Callers an incident's fault reaches: a service's direct and indirect callers, bounded. */
export const INCIDENT_IMPACT_MAX = 20;

/** Every symptom the incident's own service showed, first one first (the primary `symptom`). */
export const Symptoms = (): PropertyDecorator =>
  IsTextArray({
    maxItems: INCIDENT_SYMPTOMS_MAX,
    maxLength: SYMPTOM_MAX_LENGTH,
    pattern: SYMPTOM_PATTERN,
    describe: 'a snake_case token',
  });

/**
 * A caller's symptom that the dependency graph explains by this incident's service: its impact,
 * attached here instead of opening the caller's own incident (nobody restarts a healthy
 * checkout because shipping is slow).
 */
export class IncidentImpact {
  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  /** The worst value seen, in the symptom's metric unit. */
  @IsFiniteNumber()
  peak_value!: number;

  @IsTimestamp()
  first_seen_at!: string;

  @IsTimestamp()
  last_seen_at!: string;
}

/** The callers this incident's fault reaches (bounded, most recent last). */
export const Impact = (): PropertyDecorator =>
  IsNestedArray(() => IncidentImpact, { maxItems: INCIDENT_IMPACT_MAX });

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

  /** Who reported it (`incident.reported`), when reports opened or joined it; absent for pure detections. */
  @OptionalField()
  @Reporters()
  reporters?: string[];

  /** The reporters' dedup keys that joined it: a reporter finds its incident by its own key. */
  @OptionalField()
  @DedupKeys()
  dedup_keys?: string[];

  @OptionalField()
  @Symptoms()
  symptoms?: string[];

  @OptionalField()
  @Impact()
  impact?: IncidentImpact[];
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

  /** The incident's reporters so far (bounded): merged into the ledger's list. */
  @OptionalField()
  @Reporters()
  reporters?: string[];

  /** The incident's dedup keys so far (bounded): merged into the ledger's list. */
  @OptionalField()
  @DedupKeys()
  dedup_keys?: string[];

  @OptionalField()
  @Symptoms()
  symptoms?: string[];

  @OptionalField()
  @Impact()
  impact?: IncidentImpact[];
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
