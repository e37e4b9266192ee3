import { type Logger } from '@nestjs/common';
import { type Clock } from '@opscrew/messaging';
import { DeliveryError, type TrackerPort } from '@opscrew/ports';
import { isAmbiguous } from './outbox-backoff';
import { CLAIM_UNSURE, type OutboxClaims } from './outbox-claims';
import {
  byOrder,
  isActive,
  isDue,
  type Item,
  OutboxHaltedError,
  requireField,
  ticketRefId,
} from './outbox-item';
import { draftOf } from './outbox-item.factory';
import { itemKey } from './outbox-keys';
import { type OutboxSettlement } from './outbox-settlement';
import { type OutboxStore } from './outbox.store';
import { type RateWindow } from './rate-window';

/** Outcome of an item's delivery attempt, for ordering the steps of one ticket. */
type StepOutcome = 'done' | 'waiting';

/**
 * The tracker lane: ticket creations (rate-limited by the persisted ticket window, and looked up
 * by idempotency key first so a retry after a timeout never opens a second ticket) and the steps
 * of each ticket (transitions, comments) in enqueue order, after its creation.
 */
export class TrackerLane {
  constructor(
    private readonly store: OutboxStore,
    private readonly claims: OutboxClaims,
    private readonly settlement: OutboxSettlement,
    private readonly ticketWindow: RateWindow,
    private readonly tracker: TrackerPort,
    private readonly clock: Clock,
    private readonly logger: Logger,
    /** True once the worker halts or drains: a pass picks no new item. */
    private readonly stopping: () => boolean,
  ) {}

  async pass(): Promise<void> {
    const now = this.clock.now();
    const all = await this.store.scan();
    const byKey = new Map(all.map((item) => [item.key, item]));
    const candidates = all
      .filter((i) => i.value.kind !== 'notify' && isActive(i.value.state))
      .sort(byOrder);
    // Steps of one ticket go in enqueue order: a waiting step blocks the later ones.
    const blocked = new Set<string>();
    for (const item of candidates) {
      if (this.stopping()) return;
      if (item.value.kind === 'ticket.create') {
        if (isDue(item.value, now)) await this.deliverCreate(item);
        continue;
      }
      const ref = ticketRefId(item.value);
      if (blocked.has(ref)) continue;
      if (!isDue(item.value, now) || (await this.deliverStep(item, byKey)) === 'waiting') {
        blocked.add(ref);
      }
    }
  }

  private async deliverCreate(item: Item): Promise<void> {
    const claimed = await this.claims.claim(item);
    if (claimed === null) return;
    try {
      await this.sendCreate(claimed);
    } finally {
      // Whatever happened (even a failed write), this worker no longer renews the claim.
      await this.claims.settleClaim(claimed);
    }
  }

  private async sendCreate(claimed: Item): Promise<void> {
    const draft = draftOf(requireField(claimed.value.ticket_draft, claimed.key, 'ticket_draft'));
    let reserved = false;
    try {
      // Out of budget: hold at once, without a request (a storm must not cost one lookup per item).
      if (!(await this.ticketWindow.peek(this.clock.now())).ok) {
        await this.settlement.hold(claimed, 'ticket creation rate limit reached');
        return;
      }
      // A previous attempt may have created it (timeout after success), or the item was
      // re-enqueued after its retention: look first.
      const existing = await this.tracker.findByIdempotencyKey(draft.idempotency_key);
      if (existing !== null) {
        await this.settlement.markDelivered(claimed, existing.key);
        return;
      }
      const slot = await this.ticketWindow.reserve(claimed.key, this.clock.now());
      if (!slot.ok) {
        await this.settlement.hold(claimed, 'ticket creation rate limit reached');
        return;
      }
      reserved = true;
      if (!this.claims.stillHeld(claimed)) {
        await this.ticketWindow.release(claimed.key);
        await this.settlement.handBack(claimed, CLAIM_UNSURE);
        return;
      }
      const ticket = await this.tracker.create(draft);
      await this.settlement.markDelivered(claimed, ticket.key);
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      // A definite refusal did not create anything: give the slot back.
      if (reserved && !isAmbiguous(err)) await this.ticketWindow.release(claimed.key);
      await this.settlement.retryOrFail(claimed, err, true);
    }
  }

  private async deliverStep(item: Item, byKey: ReadonlyMap<string, Item>): Promise<StepOutcome> {
    const value = item.value;
    const ref = requireField(value.ticket, item.key, 'ticket');
    let ticketKey = ref.key;
    if (ticketKey === undefined && ref.idempotency_key !== undefined) {
      const creation = byKey.get(itemKey('ticket.create', ref.idempotency_key));
      switch (creation?.value.state) {
        case undefined:
          break; // Not outboxed here (or swept): the tracker lookup below decides.
        case 'delivered':
          ticketKey = creation.value.result_ref;
          break;
        case 'folded':
          // The ticket was never opened (rate limit): its steps go with it into the summary's record.
          await this.settlement.settle(item, 'folded', {
            ...(creation.value.folded_into === undefined
              ? {}
              : { folded_into: creation.value.folded_into }),
            last_error: 'ticket never opened (rate limit); incident listed in a storm summary',
          });
          return 'done';
        case 'failed':
          await this.settlement.settle(item, 'failed', {
            last_error: `ticket creation failed: ${creation.value.last_error ?? 'unknown'}`,
          });
          this.logger.error(
            `outbox: ${value.kind} ${value.idempotency_key} failed: its ticket was never created`,
          );
          return 'done';
        default:
          return 'waiting'; // The creation is still on its way.
      }
    }
    const claimed = await this.claims.claim(item);
    if (claimed === null) return 'waiting';
    try {
      return await this.sendStep(claimed, ticketKey);
    } finally {
      await this.claims.settleClaim(claimed);
    }
  }

  private async sendStep(claimed: Item, known: string | undefined): Promise<StepOutcome> {
    const value = claimed.value;
    const ref = requireField(value.ticket, claimed.key, 'ticket');
    let ticketKey = known;
    try {
      if (ticketKey === undefined) {
        const idem = ref.idempotency_key ?? '';
        const found = await this.tracker.findByIdempotencyKey(idem);
        if (found === null)
          throw new DeliveryError(`no ticket exists for idempotency key ${idem}`, false);
        ticketKey = found.key;
      }
      if (!this.claims.stillHeld(claimed)) {
        await this.settlement.handBack(claimed, CLAIM_UNSURE);
        return 'waiting';
      }
      const options = { idempotency_key: value.idempotency_key };
      if (value.kind === 'ticket.transition') {
        const to = requireField(value.to_status, claimed.key, 'to_status');
        const onlyFrom = value.only_from_statuses;
        await this.tracker.transition(ticketKey, to, value.comment, {
          ...options,
          ...(onlyFrom === undefined ? {} : { only_from: onlyFrom }),
        });
      } else {
        await this.tracker.comment(
          ticketKey,
          requireField(value.comment, claimed.key, 'comment'),
          options,
        );
      }
      await this.settlement.markDelivered(claimed, ticketKey);
      return 'done';
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      return (await this.settlement.retryOrFail(claimed, err, false)) === 'failed'
        ? 'done'
        : 'waiting';
    }
  }
}
