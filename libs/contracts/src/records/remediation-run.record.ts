// Over ~300 lines: declarations only: the remediation run record and its nested step, lease and deferral
// classes, each field with its bounds, kept together so the stored shape reads in one place.
import {
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  LABEL_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
} from '../events/field-limits';
import {
  REMEDIATION_MODES,
  type RemediationMode,
  STEP_RESULTS,
  type StepResult,
} from '../events/remediation.events';
import {
  IsFiniteNumber,
  IsFlag,
  IsInteger,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTimestamp,
  NullableField,
  OptionalField,
} from '../validation/field.validators';

export const RUN_STATES = [
  'queued',
  'running',
  'deferred',
  'verifying',
  'succeeded',
  'failed',
  'skipped',
] as const;
export type RunState = (typeof RUN_STATES)[number];
export const ACTIVE_RUN_STATES: readonly RunState[] = [
  'queued',
  'running',
  'deferred',
  'verifying',
];

/** Steps kept in a run record; runbooks have a handful, this only bounds a loop. */
export const RUN_STEPS_MAX = 50;

/** One executed (or skipped/refused) runbook step. */
export class RunStepRecord {
  @IsInteger(1)
  step!: number;

  @IsText(LABEL_MAX_LENGTH)
  action!: string;

  @IsOneOf(STEP_RESULTS)
  result!: StepResult;

  @IsText(NOTE_MAX_LENGTH)
  detail!: string;

  @IsTimestamp()
  at!: string;
}

/**
 * A restart's two-phase mark: `intent` is written (with the lease revision)
 * before the runtime is called, `done` after. A resolver that died in between
 * finds `intent` and asks the runtime whether the service restarted after
 * `intent_at` — so a restart is never issued twice.
 */
export class RestartMarkRecord {
  @IsOneOf(['intent', 'done'])
  state!: 'intent' | 'done';

  @IsTimestamp()
  intent_at!: string;

  @IsInteger(1)
  revision!: number;

  @NullableField()
  @IsTimestamp()
  started_before!: string | null;

  @OptionalField()
  @IsTimestamp()
  started_after?: string;
}

/** The lease a run holds on its service while it restarts and verifies. */
export class LeaseHoldRecord {
  @IsText(IDENTIFIER_MAX_LENGTH)
  key!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  @IsInteger(1)
  revision!: number;

  @IsTimestamp()
  acquired_at!: string;

  @IsTimestamp()
  expires_at!: string;

  @IsInteger(1)
  ttl_ms!: number;
}

/** Metric checks after a fix: N passes in a row succeed, the failure budget escalates. */
export class VerificationRecord {
  @IsTimestamp()
  started_at!: string;

  @IsInteger(0)
  checks!: number;

  @IsInteger(0)
  passes_in_row!: number;

  @IsInteger(0)
  failures!: number;

  /** Checks with nothing to judge (no traffic, no sample): neither pass nor failure. */
  @OptionalField()
  @IsInteger(0)
  inconclusive?: number;

  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  last_error_rate_ratio?: number;

  @OptionalField()
  @IsFiniteNumber({ min: 0 })
  last_latency_p99_ms?: number;

  /** The runbook step that asked for it; absent for the implicit check after a restart. */
  @OptionalField()
  @IsInteger(0)
  step_index?: number;
}

/**
 * Why a step waits: `lock` — someone holds the service's lease (a load test), the run resumes
 * when it is released; `guard` — a guardrail says "not now" (restart cooldown, restarts per
 * hour), the run retries at `until`. Neither is a failed fix.
 */
export const DEFERRAL_KINDS = ['lock', 'guard'] as const;
export type DeferralKind = (typeof DEFERRAL_KINDS)[number];

export class DeferralRecord {
  /** Absent on records written before guards deferred: a lock. */
  @OptionalField()
  @IsOneOf(DEFERRAL_KINDS)
  kind?: DeferralKind;

  /** The lease holder (lock), or the guard's name (`cooldown`, `restarts_per_hour`). */
  @IsText(IDENTIFIER_MAX_LENGTH)
  holder!: string;

  @IsTimestamp()
  until!: string;

  @IsText(NOTE_MAX_LENGTH)
  reason!: string;
}

/** check_latency_trend's first reading, kept across the wait before the second. */
export class LatencyProbeRecord {
  @IsTimestamp()
  at!: string;

  /** p99 in ms; null when the window had no traffic to measure. */
  @NullableField()
  @IsFiniteNumber({ min: 0 })
  p99_ms!: number | null;

  @NullableField()
  @IsFiniteNumber({ min: 0 })
  request_rate_rps!: number | null;

  /** Readings taken without a usable value (first scrape, no traffic): bounded retries. */
  @IsInteger(0)
  misses!: number;
}

/** How the service's own p99 moved over check_latency_trend's window. */
export const LATENCY_TRENDS = ['rising', 'steady', 'falling', 'unknown'] as const;
export type LatencyTrend = (typeof LATENCY_TRENDS)[number];

/** Who proposed an action when no runbook matched: Claude, or the deterministic rules. */
export const PROPOSERS = ['anthropic', 'rules'] as const;
export type Proposer = (typeof PROPOSERS)[number];

/** Parameters a proposal may carry: a handful of short values, never a paragraph. */
export const PROPOSAL_PARAMS_MAX = 8;

export class ProposalParamRecord {
  @IsText(64)
  name!: string;

  @IsText(200)
  value!: string;
}

/**
 * The action proposed when no runbook matched. Kept as proposed (not as the
 * runbook built from it) so every step re-validates it against the action
 * schemas: a record edited in the bucket cannot smuggle in another action.
 */
export class ProposalRecord {
  @IsOneOf(PROPOSERS)
  by!: Proposer;

  @IsText(64)
  action!: string;

  @IsNestedArray(() => ProposalParamRecord, { maxItems: PROPOSAL_PARAMS_MAX })
  params!: ProposalParamRecord[];
}

/**
 * One remediation run of one incident (`run.<incident id>` in the
 * `remediations` bucket): the persisted state machine jira-resolver drives.
 * Written by CAS only; `owner`/`owner_until` is the claim of the replica
 * driving it, taken over only once it has lapsed (the owner crashed).
 */
export class RemediationRunRecord {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsText(IDENTIFIER_MAX_LENGTH)
  run_id!: string;

  @IsInteger(1)
  attempt!: number;

  @IsText(SERVICE_NAME_MAX_LENGTH)
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH)
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsOneOf(REMEDIATION_MODES)
  mode!: RemediationMode;

  /** The tracker key of a ticket a human filed; absent: the incident's own `ticket:<id>` ticket. */
  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  ticket_key?: string;

  @IsOneOf(RUN_STATES)
  state!: RunState;

  @NullableField()
  @IsText(LABEL_MAX_LENGTH)
  runbook!: string | null;

  /** Index of the next runbook step to run. */
  @IsInteger(0)
  step_index!: number;

  @IsNestedArray(() => RunStepRecord, { maxItems: RUN_STEPS_MAX })
  steps!: RunStepRecord[];

  /** What triage saw (container state, matched log lines), for the ticket and for matching. */
  @IsText(NOTE_MAX_LENGTH)
  evidence!: string;

  @OptionalField()
  @IsFlag()
  resource_pressure?: boolean;

  /**
   * What check_dependencies found wrong with the services this one calls (absent: healthy):
   * a restart of this service would not fix a dependency's fault.
   */
  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  dependency_trouble?: string;

  /** check_latency_trend's reading of the service's own p99 over a short window. */
  @OptionalField()
  @IsOneOf(LATENCY_TRENDS)
  latency_trend?: LatencyTrend;

  @OptionalField()
  @IsNested(() => LatencyProbeRecord)
  latency_probe?: LatencyProbeRecord;

  @OptionalField()
  @IsNested(() => RestartMarkRecord)
  restart?: RestartMarkRecord;

  @OptionalField()
  @IsNested(() => LeaseHoldRecord)
  lease?: LeaseHoldRecord;

  @OptionalField()
  @IsNested(() => VerificationRecord)
  verification?: VerificationRecord;

  @OptionalField()
  @IsFlag()
  verified?: boolean;

  /** A watch step (verify_stability, monitor_*) in progress ends at this time. */
  @OptionalField()
  @IsTimestamp()
  watch_until?: string;

  @OptionalField()
  @IsNested(() => DeferralRecord)
  deferred?: DeferralRecord;

  /** Set when no runbook matched and a proposal was accepted; `runbook` is then PROPOSAL_RUNBOOK. */
  @OptionalField()
  @IsNested(() => ProposalRecord)
  proposal?: ProposalRecord;

  @IsText(IDENTIFIER_MAX_LENGTH)
  owner!: string;

  @IsTimestamp()
  owner_until!: string;

  @IsTimestamp()
  created_at!: string;

  @IsTimestamp()
  updated_at!: string;

  /** Not before this time (waits: after a restart, between checks, behind a lock). */
  @IsTimestamp()
  next_at!: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  outcome?: string;

  /** Failed attempts of the current step (a runtime or bus error), for backoff and the error budget. */
  @OptionalField()
  @IsInteger(0)
  errors?: number;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  last_error?: string;
}

/** `restart.<service>`: when the crew last restarted a service (cooldown, restarts per hour). */
export class RestartLogRecord {
  @IsText(SERVICE_NAME_MAX_LENGTH)
  service!: string;

  @IsTimestamp()
  at!: string;

  @IsText(INCIDENT_ID_MAX_LENGTH)
  incident_id!: string;
}

/** `ticket.<KEY>`: a human-filed ticket jira-resolver took on, and the incident it became (one taker). */
export class TicketClaimRecord {
  @IsText(IDENTIFIER_MAX_LENGTH)
  ticket_key!: string;

  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsTimestamp()
  at!: string;
}
