import { type OutboxKind } from '@opscrew/contracts';
import { idempotencyHash } from '@opscrew/ports';

/** Item keys: `item.<kind>.<40 hex of sha256(idempotency key)>` — a KV-safe form of the key. */
export const ITEM_PREFIX = 'item.';

const KIND_TOKENS: Readonly<Record<OutboxKind, string>> = {
  'ticket.create': 'ticket-create',
  'ticket.transition': 'ticket-transition',
  'ticket.comment': 'ticket-comment',
  notify: 'notify',
};

export function itemKey(kind: OutboxKind, idempotencyKey: string): string {
  // 160 bits: the key IS the identity of a side effect, so no collision may merge two.
  return `${ITEM_PREFIX}${KIND_TOKENS[kind]}.${idempotencyHash(idempotencyKey, 40)}`;
}

/** Persisted delivery timestamps per rate-limited channel. */
export const RATE_KEYS = {
  ticketCreates: 'rate.ticket-create',
  notifications: 'rate.notify',
} as const;

/** Storm summaries are notifications with this idempotency key prefix. */
export const SUMMARY_KEY_PREFIX = 'summary:';
