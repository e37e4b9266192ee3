import {
  OUTBOX_FIELD_NAME_MAX_LENGTH,
  OUTBOX_FIELD_VALUE_MAX_LENGTH,
  OUTBOX_FIELDS_MAX,
  OUTBOX_MENTION_ROLES_MAX,
  OUTBOX_SECTION_TEXT_MAX_LENGTH,
  OUTBOX_TEXT_MAX_LENGTH,
  OUTBOX_TITLE_MAX_LENGTH,
  type OutboxItemRecord,
  type OutboxNotification,
  type OutboxTicketDraft,
  TICKET_LABEL_MAX_LENGTH,
  TICKET_LABELS_MAX,
  TICKET_SECTIONS_MAX,
  TICKET_SUMMARY_MAX_LENGTH,
} from '@opscrew/contracts';
import { labelToken, type Notification, type TicketDraft, truncate } from '@opscrew/ports';
import { type OutboxCommand } from './outbox.commands';

/** NOTE_MAX_LENGTH of the record: a comment or transition note is a paragraph. */
const COMMENT_MAX_LENGTH = 2000;

/**
 * The stored form of a command: bounded to what the record (and the vendors)
 * accept, so an oversized field is cut here with an ellipsis instead of the
 * enqueue failing and the side effect being lost. Data is stored as given;
 * neutralisation happens in the adapters, right before it leaves.
 */
export function recordFromCommand(
  command: OutboxCommand,
  now: number,
  order: number,
): OutboxItemRecord {
  const at = new Date(now).toISOString();
  const base = {
    state: 'pending' as const,
    created_at: at,
    updated_at: at,
    order,
    attempts: 0,
    next_attempt_at: at,
  };
  switch (command.kind) {
    case 'ticket.create':
      return {
        ...base,
        kind: 'ticket.create',
        idempotency_key: command.draft.idempotency_key,
        ticket_draft: storedDraft(command.draft),
      };
    case 'ticket.transition':
      return {
        ...base,
        kind: 'ticket.transition',
        idempotency_key: command.idempotency_key,
        ticket: { ...command.ticket },
        to_status: command.to,
        // Deduplicated: the record holds each status at most once (maxItems is their count).
        ...(command.only_from === undefined
          ? {}
          : { only_from_statuses: [...new Set(command.only_from)] }),
        ...(command.comment === undefined || command.comment.trim() === ''
          ? {}
          : { comment: truncate(command.comment, COMMENT_MAX_LENGTH) }),
      };
    case 'ticket.comment':
      return {
        ...base,
        kind: 'ticket.comment',
        idempotency_key: command.idempotency_key,
        ticket: { ...command.ticket },
        comment: truncate(command.text.trim() === '' ? '-' : command.text, COMMENT_MAX_LENGTH),
      };
    case 'notify':
      return {
        ...base,
        kind: 'notify',
        idempotency_key: command.notification.idempotency_key,
        notification: storedNotification(command.notification),
      };
  }
}

export function storedDraft(draft: TicketDraft): OutboxTicketDraft {
  return {
    idempotency_key: draft.idempotency_key,
    incident_id: draft.incident_id,
    summary: truncate(draft.summary, TICKET_SUMMARY_MAX_LENGTH) || draft.incident_id,
    sections: draft.sections.slice(0, TICKET_SECTIONS_MAX).map((s) => ({
      label: truncate(s.label, 256) || '-',
      text: truncate(s.text, OUTBOX_SECTION_TEXT_MAX_LENGTH),
      ...(s.href === undefined || s.href === '' ? {} : { href: truncate(s.href, 2048) }),
    })),
    labels: [...new Set(draft.labels.map(labelToken).filter((l) => l !== ''))]
      .slice(0, TICKET_LABELS_MAX)
      .map((l) => l.slice(0, TICKET_LABEL_MAX_LENGTH)),
    severity: draft.severity,
    service: truncate(draft.service, 64) || '-',
  };
}

export function storedNotification(notification: Notification): OutboxNotification {
  return {
    idempotency_key: notification.idempotency_key,
    kind: notification.kind,
    severity: notification.severity,
    title: truncate(notification.title, OUTBOX_TITLE_MAX_LENGTH),
    text: truncate(notification.text, OUTBOX_TEXT_MAX_LENGTH),
    fields: notification.fields.slice(0, OUTBOX_FIELDS_MAX).map((f) => ({
      name: truncate(f.name, OUTBOX_FIELD_NAME_MAX_LENGTH),
      value: truncate(f.value, OUTBOX_FIELD_VALUE_MAX_LENGTH),
      ...(f.inline === undefined ? {} : { inline: f.inline }),
    })),
    ...(notification.mention_roles === undefined
      ? {}
      : {
          mention_roles: notification.mention_roles
            .filter((r) => r.trim() !== '')
            .slice(0, OUTBOX_MENTION_ROLES_MAX)
            .map((r) => r.slice(0, 64)),
        }),
    ...(notification.url === undefined || notification.url === ''
      ? {}
      : { url: truncate(notification.url, 2048) }),
    ...(notification.incident_id === undefined ? {} : { incident_id: notification.incident_id }),
  };
}

/** The port's view of a stored draft / notification (records are structurally the port types). */
export function draftOf(record: OutboxTicketDraft): TicketDraft {
  return record;
}

export function notificationOf(record: OutboxNotification): Notification {
  return record;
}
