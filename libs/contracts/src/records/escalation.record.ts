import { EVENT_ID_MAX_LENGTH, EVENT_ID_PATTERN } from '../events/event-envelope';
import {
  IDENTIFIER_MAX_LENGTH,
  INCIDENT_ID_FORMAT,
  INCIDENT_ID_MAX_LENGTH,
  INCIDENT_ID_PATTERN,
  NOTE_MAX_LENGTH,
  SERVICE_NAME_MAX_LENGTH,
  SERVICE_NAME_PATTERN,
  SEVERITIES,
  type Severity,
  SYMPTOM_MAX_LENGTH,
  SYMPTOM_PATTERN,
} from '../events/field-limits';
import { ESCALATION_LEVELS, type EscalationLevel } from '../events/incident.events';
import {
  IsFlag,
  IsInteger,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/**
 * A term has at most a handful of steps (opened, an early escalation, L2, L3,
 * exhausted, closed, a resumed crash or two); 20 keeps the latest terms whole, and
 * the first step (when and why the chain began) is always kept when older ones are dropped.
 */
export const ESCALATION_HISTORY_MAX = 20;
/** History notes are one line each; 300 characters × 20 entries stays far below the 64 KiB value cap. */
export const ESCALATION_HISTORY_NOTE_MAX_LENGTH = 300;

export const ESCALATION_STATES = ['open', 'acked', 'resolved'] as const;
export type EscalationState = (typeof ESCALATION_STATES)[number];

/** What happened at one step of the chain. */
export const ESCALATION_HISTORY_EVENTS = [
  /** The record was created at L1 (automatic remediation). */
  'opened',
  /** The incident recurred after the chain was closed: a new term starts at L1. */
  'reopened',
  /** The automation gave up early: the current level's deadline was pulled in to now. */
  'requested',
  /** Moved to `level` (its side effects follow, under the pending marker). */
  'escalated',
  /** A stale pending marker was taken over: the level's side effects are performed again. */
  'resumed',
  /** The last level's timeout passed: nobody else to page. */
  'exhausted',
  'acked',
  'resolved',
] as const;
export type EscalationHistoryEvent = (typeof ESCALATION_HISTORY_EVENTS)[number];

export class EscalationHistoryEntry {
  @IsTimestamp()
  at!: string;

  @IsOneOf(ESCALATION_HISTORY_EVENTS)
  event!: EscalationHistoryEvent;

  /** The level the chain was at after this step. */
  @IsOneOf(ESCALATION_LEVELS)
  level!: EscalationLevel;

  @OptionalField()
  @IsText(ESCALATION_HISTORY_NOTE_MAX_LENGTH)
  note?: string;
}

/**
 * The `escalations` bucket, keyed by incident id: where an incident is in the
 * L1 → L2 → L3 chain and when it moves on (`term`: which run of it, when the incident recurred). The timers are these timestamps
 * (not in-process timeouts), so a restarted or second jira-resolver resumes the
 * chain exactly where it was; every change is a compare-and-swap on the entry's
 * revision, so each level is performed by exactly one replica.
 */
export class EscalationRecord {
  @IsText(INCIDENT_ID_MAX_LENGTH, { pattern: INCIDENT_ID_PATTERN, describe: INCIDENT_ID_FORMAT })
  incident_id!: string;

  @IsText(SERVICE_NAME_MAX_LENGTH, { pattern: SERVICE_NAME_PATTERN })
  service!: string;

  @IsText(SYMPTOM_MAX_LENGTH, { pattern: SYMPTOM_PATTERN, describe: 'a snake_case token' })
  symptom!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsOneOf(ESCALATION_LEVELS)
  level!: EscalationLevel;

  @IsOneOf(ESCALATION_STATES)
  state!: EscalationState;

  @IsTimestamp()
  opened_at!: string;

  /**
   * Which run of the chain this is: 1 for the incident's first, one more for each recurrence
   * after the chain was closed (resolved or acknowledged) — a recurrence pages again. Absent:
   * 1 (records written before terms existed). The side effects' keys carry it from term 2 on,
   * so a later term's page is not taken for a repeat of an earlier one's.
   */
  @OptionalField()
  @IsInteger(1)
  term?: number;

  /**
   * What started this term (the recurrence's event id): the same recurrence delivered again
   * finds it here and starts nothing, even after the term it started was closed.
   */
  @OptionalField()
  @IsText(EVENT_ID_MAX_LENGTH, {
    pattern: EVENT_ID_PATTERN,
    describe: 'printable ASCII without spaces',
  })
  term_key?: string;

  @IsTimestamp()
  level_started_at!: string;

  /** When the chain moves past `level` unless it is closed first. */
  @IsTimestamp()
  deadline_at!: string;

  /** Why the chain is at `level` (the page text repeats it). */
  @IsText(NOTE_MAX_LENGTH)
  reason!: string;

  /** The last level's timeout passed; the chain stays there and nobody is paged again. */
  @IsFlag()
  exhausted!: boolean;

  /** Set by an early escalation (remediation failed): the reason the next level is entered with. */
  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  escalate_reason?: string;

  /**
   * The crash marker: the level whose side effects (event, page, ticket steps,
   * audit) may not all have happened yet. Written in the same CAS that enters
   * the level, cleared after them; a stale marker is taken over and performed
   * again (every side effect is idempotent by key).
   */
  @OptionalField()
  @IsOneOf(ESCALATION_LEVELS)
  pending_level?: EscalationLevel;

  /** When the current holder of the pending marker claimed it. */
  @OptionalField()
  @IsTimestamp()
  pending_since?: string;

  /** An agent name or a person (`alice`): who acknowledged or resolved it. */
  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  closed_by?: string;

  @OptionalField()
  @IsTimestamp()
  closed_at?: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  close_note?: string;

  @IsNestedArray(() => EscalationHistoryEntry, { maxItems: ESCALATION_HISTORY_MAX, minItems: 1 })
  history!: EscalationHistoryEntry[];
}
