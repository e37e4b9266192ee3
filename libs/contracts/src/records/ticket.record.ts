import { SEVERITIES, type Severity } from '../events/field-limits';
import {
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';

/**
 * The local tracker's tickets in the `tickets` bucket (the embedded default
 * when no Jira is configured). Three key families share the bucket:
 * `<PROJECT>-<n>` → {@link TicketRecord}, `idem.<hash>` → {@link TicketIndexRecord}
 * (the idempotency index), `seq.<PROJECT>` → a counter (a bare integer).
 */

/** Same lifecycle as the Jira workflow: todo → in_progress → in_review → done | escalated. */
export const TICKET_RECORD_STATUSES = [
  'todo',
  'in_progress',
  'in_review',
  'done',
  'escalated',
] as const;
export type TicketRecordStatus = (typeof TICKET_RECORD_STATUSES)[number];

/** `OPS-12`: a Jira-like key, also a valid KV key. */
export const TICKET_KEY_PATTERN = /^[A-Z][A-Z0-9_]{1,9}-[1-9][0-9]*$/;
/** A ten-letter project key, a dash and a counter of up to 19 digits. */
export const TICKET_KEY_MAX_LENGTH = 32;
/** Jira's own summary limit. */
export const TICKET_SUMMARY_MAX_LENGTH = 255;
/** Idempotency keys are `<kind>:<incident id>[:<step>]`; 512 leaves room for any caller. */
export const IDEMPOTENCY_KEY_MAX_LENGTH = 512;
/**
 * Section and comment text bounds keep one ticket (16 sections + 20 comments)
 * well under the bucket's 64 KiB value limit.
 */
export const TICKET_SECTION_TEXT_MAX_LENGTH = 1500;
export const TICKET_SECTIONS_MAX = 16;
export const TICKET_COMMENT_TEXT_MAX_LENGTH = 1000;
/** The last 20 comments are kept; a ticket that talks more is read in the audit log. */
export const TICKET_COMMENTS_MAX = 20;
/** The last 20 status changes: a full lifecycle with a few reopenings. */
export const TICKET_HISTORY_MAX = 20;
/** Jira labels are at most 255 characters; 20 labels is more than any of ours carry. */
export const TICKET_LABELS_MAX = 20;
export const TICKET_LABEL_MAX_LENGTH = 255;
/** URLs in sections (trace, dashboard): browsers handle far longer, 2048 is the safe common bound. */
export const TICKET_HREF_MAX_LENGTH = 2048;

export class TicketSectionRecord {
  @IsText(256)
  label!: string;

  @IsText(TICKET_SECTION_TEXT_MAX_LENGTH)
  text!: string;

  @OptionalField()
  @IsText(TICKET_HREF_MAX_LENGTH)
  href?: string;
}

export class TicketCommentRecord {
  @IsTimestamp()
  at!: string;

  @IsText(TICKET_COMMENT_TEXT_MAX_LENGTH)
  text!: string;

  /** Set when the comment came through the outbox: a retried comment is recognised by it. */
  @OptionalField()
  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key?: string;
}

export class TicketTransitionRecord {
  @IsTimestamp()
  at!: string;

  @IsOneOf(TICKET_RECORD_STATUSES)
  from!: TicketRecordStatus;

  @IsOneOf(TICKET_RECORD_STATUSES)
  to!: TicketRecordStatus;
}

export class TicketRecord {
  @IsText(TICKET_KEY_MAX_LENGTH, { pattern: TICKET_KEY_PATTERN, describe: 'PROJECT-123' })
  key!: string;

  @IsOneOf(TICKET_RECORD_STATUSES)
  status!: TicketRecordStatus;

  @IsText(TICKET_SUMMARY_MAX_LENGTH)
  summary!: string;

  @IsText(128)
  incident_id!: string;

  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key!: string;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsText(64)
  service!: string;

  @IsTextArray({ maxItems: TICKET_LABELS_MAX, maxLength: TICKET_LABEL_MAX_LENGTH })
  labels!: string[];

  @IsNestedArray(() => TicketSectionRecord, { maxItems: TICKET_SECTIONS_MAX })
  sections!: TicketSectionRecord[];

  @IsNestedArray(() => TicketCommentRecord, { maxItems: TICKET_COMMENTS_MAX })
  comments!: TicketCommentRecord[];

  @IsNestedArray(() => TicketTransitionRecord, { maxItems: TICKET_HISTORY_MAX })
  history!: TicketTransitionRecord[];

  @IsTimestamp()
  created_at!: string;

  @IsTimestamp()
  updated_at!: string;
}

/** `idem.<hash>` → the ticket created for an idempotency key; written with `create`, so one creator wins. */
export class TicketIndexRecord {
  @IsText(TICKET_KEY_MAX_LENGTH, { pattern: TICKET_KEY_PATTERN, describe: 'PROJECT-123' })
  ticket_key!: string;

  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key!: string;

  @IsTimestamp()
  created_at!: string;
}

/** Key prefixes of the non-ticket entries of the `tickets` bucket. */
export const TICKET_INDEX_PREFIX = 'idem.';
export const TICKET_COUNTER_PREFIX = 'seq.';
