import {
  IDENTIFIER_MAX_LENGTH,
  NOTE_MAX_LENGTH,
  SEVERITIES,
  type Severity,
} from '../events/field-limits';
import {
  IsBoundedBytes,
  IsFlag,
  IsInteger,
  IsNested,
  IsNestedArray,
  IsOneOf,
  IsText,
  IsTextArray,
  IsTimestamp,
  OptionalField,
} from '../validation/field.validators';
import {
  IDEMPOTENCY_KEY_MAX_LENGTH,
  TICKET_HREF_MAX_LENGTH,
  TICKET_KEY_MAX_LENGTH,
  TICKET_KEY_PATTERN,
  TICKET_LABEL_MAX_LENGTH,
  TICKET_LABELS_MAX,
  TICKET_RECORD_STATUSES,
  type TicketRecordStatus,
  TICKET_SECTIONS_MAX,
  TICKET_SUMMARY_MAX_LENGTH,
} from './ticket.record';

/**
 * The `outbox` bucket: every outbound side effect (ticket, transition,
 * comment, notification) is persisted here BEFORE the first attempt, keyed by
 * its idempotency key, so a crash loses nothing and a retry duplicates nothing.
 * Keys: `item.<kind>.<hash>` → {@link OutboxItemRecord}; `rate.<channel>` →
 * {@link OutboxRateWindowRecord} (persisted delivery timestamps).
 */

export const OUTBOX_KINDS = [
  'ticket.create',
  'ticket.transition',
  'ticket.comment',
  'notify',
] as const;
export type OutboxKind = (typeof OUTBOX_KINDS)[number];

/**
 * pending → sending → delivered (or back to pending with a later
 * next_attempt_at, or failed). Rate-limited items go held → folded into a
 * summary notification; a summary is `assembling` while it collects them.
 */
export const OUTBOX_STATES = [
  'pending',
  'sending',
  'held',
  'assembling',
  'delivered',
  'folded',
  'failed',
] as const;
export type OutboxState = (typeof OUTBOX_STATES)[number];

export const NOTIFICATION_KINDS = [
  'incident',
  'escalation',
  'resolution',
  'report',
  'summary',
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];

/** Discord's own limits (title 256, description 4096, 25 fields of 256/1024): stored as sent. */
export const OUTBOX_TITLE_MAX_LENGTH = 256;
export const OUTBOX_TEXT_MAX_LENGTH = 4096;
export const OUTBOX_FIELDS_MAX = 25;
export const OUTBOX_FIELD_NAME_MAX_LENGTH = 256;
export const OUTBOX_FIELD_VALUE_MAX_LENGTH = 1024;
/** Ticket sections as drafted by ops-monitor: a paragraph each. */
export const OUTBOX_SECTION_TEXT_MAX_LENGTH = NOTE_MAX_LENGTH;
/** Role names, as in the escalation config; more than a few pings per message is noise. */
export const OUTBOX_MENTION_ROLES_MAX = 10;
/** Persisted delivery timestamps per channel; bounds the configurable rate limits. */
export const OUTBOX_RATE_ENTRIES_MAX = 500;

/**
 * A ticket status as an array item: IsTextArray with a pattern of exactly the statuses, so an
 * unknown one is refused with their list in the message (IsOneOf has no array form).
 */
const TICKET_STATUS_ITEM = {
  maxItems: TICKET_RECORD_STATUSES.length,
  maxLength: Math.max(...TICKET_RECORD_STATUSES.map((status) => status.length)),
  pattern: new RegExp(`^(${TICKET_RECORD_STATUSES.join('|')})$`),
  describe: `one of ${TICKET_RECORD_STATUSES.join(', ')}`,
};

/** UTF-8 bytes of a possibly empty text of at most `chars` characters (4 bytes each at worst). */
const bytesFor = (chars: number): number => chars * 4;

export class OutboxTicketSection {
  @IsText(256)
  label!: string;

  @IsBoundedBytes(bytesFor(OUTBOX_SECTION_TEXT_MAX_LENGTH))
  text!: string;

  @OptionalField()
  @IsText(TICKET_HREF_MAX_LENGTH)
  href?: string;
}

export class OutboxTicketDraft {
  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key!: string;

  @IsText(128)
  incident_id!: string;

  @IsText(TICKET_SUMMARY_MAX_LENGTH)
  summary!: string;

  @IsNestedArray(() => OutboxTicketSection, { maxItems: TICKET_SECTIONS_MAX })
  sections!: OutboxTicketSection[];

  @IsTextArray({ maxItems: TICKET_LABELS_MAX, maxLength: TICKET_LABEL_MAX_LENGTH })
  labels!: string[];

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsText(64)
  service!: string;
}

export class OutboxNotificationField {
  @IsBoundedBytes(bytesFor(OUTBOX_FIELD_NAME_MAX_LENGTH))
  name!: string;

  @IsBoundedBytes(bytesFor(OUTBOX_FIELD_VALUE_MAX_LENGTH))
  value!: string;

  @OptionalField()
  @IsFlag()
  inline?: boolean;
}

export class OutboxNotification {
  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key!: string;

  @IsOneOf(NOTIFICATION_KINDS)
  kind!: NotificationKind;

  @IsOneOf(SEVERITIES)
  severity!: Severity;

  @IsBoundedBytes(bytesFor(OUTBOX_TITLE_MAX_LENGTH))
  title!: string;

  @IsBoundedBytes(bytesFor(OUTBOX_TEXT_MAX_LENGTH))
  text!: string;

  @IsNestedArray(() => OutboxNotificationField, { maxItems: OUTBOX_FIELDS_MAX })
  fields!: OutboxNotificationField[];

  @OptionalField()
  @IsTextArray({ maxItems: OUTBOX_MENTION_ROLES_MAX, maxLength: 64 })
  mention_roles?: string[];

  @OptionalField()
  @IsText(TICKET_HREF_MAX_LENGTH)
  url?: string;

  @OptionalField()
  @IsText(128)
  incident_id?: string;
}

/** Which ticket a transition or comment is for: its key, or the idempotency key of its creation. */
export class OutboxTicketRef {
  @OptionalField()
  @IsText(TICKET_KEY_MAX_LENGTH, { pattern: TICKET_KEY_PATTERN, describe: 'PROJECT-123' })
  key?: string;

  @OptionalField()
  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key?: string;
}

export class OutboxItemRecord {
  @IsOneOf(OUTBOX_KINDS)
  kind!: OutboxKind;

  @IsOneOf(OUTBOX_STATES)
  state!: OutboxState;

  @IsText(IDEMPOTENCY_KEY_MAX_LENGTH)
  idempotency_key!: string;

  @IsTimestamp()
  created_at!: string;

  @IsTimestamp()
  updated_at!: string;

  /**
   * Enqueue order (epoch ms × 1000 + a per-process counter): steps for one
   * ticket (transition, comment, transition) are delivered in this order.
   */
  @IsInteger(0)
  order!: number;

  /** Delivery attempts started (a claim counts as an attempt: a crash mid-send is one). */
  @IsInteger(0)
  attempts!: number;

  @IsTimestamp()
  next_attempt_at!: string;

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  last_error?: string;

  /** The worker holding the item while it sends; its claim ends at claim_expires_at. */
  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  claimed_by?: string;

  @OptionalField()
  @IsTimestamp()
  claim_expires_at?: string;

  @OptionalField()
  @IsTimestamp()
  held_at?: string;

  @OptionalField()
  @IsTimestamp()
  delivered_at?: string;

  /** What the delivery produced: the ticket key of a creation. */
  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  result_ref?: string;

  /** The summary notification (its item key) this held item was folded into. */
  @OptionalField()
  @IsText(IDENTIFIER_MAX_LENGTH)
  folded_into?: string;

  /** For a summary: how many held items it folded. */
  @OptionalField()
  @IsInteger(0)
  folded_count?: number;

  @OptionalField()
  @IsNested(() => OutboxTicketDraft)
  ticket_draft?: OutboxTicketDraft;

  @OptionalField()
  @IsNested(() => OutboxNotification)
  notification?: OutboxNotification;

  @OptionalField()
  @IsNested(() => OutboxTicketRef)
  ticket?: OutboxTicketRef;

  @OptionalField()
  @IsOneOf(TICKET_RECORD_STATUSES)
  to_status?: TicketRecordStatus;

  /** A conditional transition: made only from these statuses, else delivered as a no-op. */
  @OptionalField()
  @IsTextArray(TICKET_STATUS_ITEM)
  only_from_statuses?: TicketRecordStatus[];

  @OptionalField()
  @IsText(NOTE_MAX_LENGTH)
  comment?: string;
}

export class OutboxRateEntry {
  /** Epoch milliseconds of the delivery (reserved just before sending). */
  @IsInteger(0)
  at!: number;

  /** The item key that used the slot, so a definite failure can give it back. */
  @IsText(IDENTIFIER_MAX_LENGTH)
  ref!: string;
}

/** Deliveries in the current window of one channel: a restart does not reset the budget. */
export class OutboxRateWindowRecord {
  @IsNestedArray(() => OutboxRateEntry, { maxItems: OUTBOX_RATE_ENTRIES_MAX })
  entries!: OutboxRateEntry[];
}
