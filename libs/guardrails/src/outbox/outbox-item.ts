import { type OutboxItemRecord, type OutboxState } from '@opscrew/contracts';
import { type KvItem } from '@opscrew/messaging';
import { DeliveryError } from '@opscrew/ports';
import { SUMMARY_KEY_PREFIX } from './outbox-keys';

/** An outbox item as read: its key, its value and the revision every change is CASed on. */
export type Item = KvItem<OutboxItemRecord>;

/** Thrown on a write after halt(): a halted worker behaves like a dead process. */
export class OutboxHaltedError extends Error {
  override readonly name = 'OutboxHaltedError';
}

/** States a delivery lane still has work for. */
export function isActive(state: OutboxState): boolean {
  return state === 'pending' || state === 'sending' || state === 'held';
}

/** Pending and due, or sending under a claim that lapsed (its holder crashed). */
export function isDue(value: OutboxItemRecord, now: number): boolean {
  if (value.state === 'pending') return Date.parse(value.next_attempt_at) <= now;
  if (value.state === 'sending') return claimExpired(value, now);
  return false;
}

export function claimExpired(value: OutboxItemRecord, now: number): boolean {
  return value.claim_expires_at === undefined || Date.parse(value.claim_expires_at) <= now;
}

export function isSummary(value: OutboxItemRecord): boolean {
  return value.kind === 'notify' && value.idempotency_key.startsWith(SUMMARY_KEY_PREFIX);
}

/** An escalation page (L2/L3 mention): sent ahead of alerts and outside the alert budget. */
export function isPage(item: OutboxItemRecord): boolean {
  return item.kind === 'notify' && item.notification?.kind === 'escalation';
}

/** Enqueue order (ties broken by key, so every replica sorts alike). */
export function byOrder(a: Item, b: Item): number {
  return a.value.order - b.value.order || a.key.localeCompare(b.key);
}

/** The ticket a step is for, as one string (steps of one ticket go in order). */
export function ticketRefId(value: OutboxItemRecord): string {
  const ref = value.ticket;
  return ref?.key !== undefined ? `key:${ref.key}` : `idem:${ref?.idempotency_key ?? ''}`;
}

export function checkTicketRef(record: OutboxItemRecord): void {
  const ref = record.ticket;
  if (ref === undefined || (ref.key === undefined) === (ref.idempotency_key === undefined)) {
    throw new Error(
      `outbox: ${record.kind} needs exactly one of ticket.key or ticket.idempotency_key`,
    );
  }
}

export function withoutClaim(value: OutboxItemRecord): OutboxItemRecord {
  const next = { ...value };
  delete next.claimed_by;
  delete next.claim_expires_at;
  return next;
}

/** A field the item's kind needs; missing means a malformed item, which no retry fixes. */
export function requireField<T>(value: T | undefined, key: string, field: string): T {
  if (value === undefined) throw new DeliveryError(`outbox item ${key} has no ${field}`, false);
  return value;
}

export function iso(ms: number): string {
  return new Date(ms).toISOString();
}
