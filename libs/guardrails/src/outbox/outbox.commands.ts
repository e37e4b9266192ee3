import { type OutboxKind, type OutboxState } from '@opscrew/contracts';
import { type Notification, type TicketDraft, type TicketStatus } from '@opscrew/ports';

/** Which ticket a step is for: its key, or the idempotency key of its (outboxed) creation. */
export type TicketRef = { readonly key: string } | { readonly idempotency_key: string };

/**
 * What the apps enqueue. Every command carries an idempotency key (the
 * draft's / notification's own, or an explicit one for ticket steps, e.g.
 * `transition:INC-20250131-001:in_progress`): enqueuing the same key twice
 * is a no-op, and it is the key the item is stored and delivered under.
 */
export type OutboxCommand =
  | { readonly kind: 'ticket.create'; readonly draft: TicketDraft }
  | {
      readonly kind: 'ticket.transition';
      readonly idempotency_key: string;
      readonly ticket: TicketRef;
      readonly to: TicketStatus;
      readonly comment?: string;
      /** Move only from these statuses, else deliver as a no-op (TrackerWriteOptions.only_from). */
      readonly only_from?: readonly TicketStatus[];
    }
  | {
      readonly kind: 'ticket.comment';
      readonly idempotency_key: string;
      readonly ticket: TicketRef;
      readonly text: string;
    }
  | { readonly kind: 'notify'; readonly notification: Notification };

export interface EnqueueResult {
  /** The item's key in the `outbox` bucket. */
  readonly key: string;
  /** False when an item with this idempotency key already existed (nothing was added). */
  readonly created: boolean;
  readonly state: OutboxState;
}

/** One gauge sample for /metrics: items of a kind in a state. */
export interface OutboxDepthEntry {
  readonly kind: OutboxKind;
  readonly state: OutboxState;
  readonly count: number;
}
