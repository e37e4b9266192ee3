import { type Clock } from '@opscrew/messaging';
import { type NotifierPort } from '@opscrew/ports';
import { isAmbiguous } from './outbox-backoff';
import { CLAIM_UNSURE, type OutboxClaims } from './outbox-claims';
import {
  byOrder,
  isDue,
  iso,
  type Item,
  isPage,
  isSummary,
  OutboxHaltedError,
  requireField,
} from './outbox-item';
import { notificationOf } from './outbox-item.factory';
import { type OutboxSettlement } from './outbox-settlement';
import { type OutboxStore } from './outbox.store';
import { type OutboxSweeper } from './outbox.sweeper';
import { type RateWindow } from './rate-window';
import { type StormFolder } from './storm.folder';

/**
 * The notification lane: pages first (never held by our own budget), then storm summaries
 * (they must not lose their slot to a newer single alert), then alerts in order, within the
 * persisted notification window; over it, alerts are held and the storm folder turns what is
 * held into one summary. Separate from the tracker lane, so a slow Jira never delays alerts.
 */
export class NotificationLane {
  constructor(
    private readonly store: OutboxStore,
    private readonly claims: OutboxClaims,
    private readonly settlement: OutboxSettlement,
    private readonly folder: StormFolder,
    private readonly sweeper: OutboxSweeper,
    private readonly notifyWindow: RateWindow,
    private readonly notifier: NotifierPort,
    private readonly clock: Clock,
    /** True once the worker halts or drains: a pass picks no new item. */
    private readonly stopping: () => boolean,
  ) {}

  async pass(): Promise<void> {
    // A fold creates a summary that is due at once: deliver it in the same pass.
    for (let round = 0; round < 2; round++) {
      await this.deliver(this.clock.now());
      if (!(await this.folder.fold())) return;
    }
  }

  private async deliver(now: number): Promise<void> {
    const all = await this.store.scan();
    await this.folder.recover(all, now);
    await this.sweeper.sweep(all, now);
    const candidates = all
      .filter(
        (i) =>
          i.value.kind === 'notify' && (i.value.state === 'pending' || i.value.state === 'sending'),
      )
      .sort(
        (a, b) =>
          Number(isPage(b.value)) - Number(isPage(a.value)) ||
          Number(isSummary(b.value)) - Number(isSummary(a.value)) ||
          byOrder(a, b),
      );
    // While alerts are held, new ones join them: they go out in the next summary, in order.
    let holding = all.some((i) => i.value.kind === 'notify' && i.value.state === 'held');
    for (const item of candidates) {
      if (this.stopping()) return;
      if (!isDue(item.value, now)) continue;
      const summary = isSummary(item.value);
      // A page wakes a human: it is never held or folded by our own alert budget
      // (the vendor's 429s still apply through retries).
      const page = isPage(item.value);
      if (holding && !summary && !page && item.value.state === 'pending') {
        await this.settlement.settle(item, 'held', { held_at: iso(now) });
        continue;
      }
      const claimed = await this.claims.claim(item);
      if (claimed === null) continue;
      try {
        holding = (await this.send(claimed, page, summary)) || holding;
      } finally {
        await this.claims.settleClaim(claimed);
      }
    }
  }

  /** Delivers one claimed notification; true when it was held (alerts are being held now). */
  private async send(claimed: Item, page: boolean, summary: boolean): Promise<boolean> {
    const slot = page
      ? { ok: true as const }
      : await this.notifyWindow.reserve(claimed.key, this.clock.now());
    if (!slot.ok) {
      if (summary) {
        await this.settlement.unclaim(claimed, slot.free_at);
        return false;
      }
      await this.settlement.hold(claimed, 'notification rate limit reached');
      return true;
    }
    try {
      const notification = notificationOf(
        requireField(claimed.value.notification, claimed.key, 'notification'),
      );
      if (!this.claims.stillHeld(claimed)) {
        if (!page) await this.notifyWindow.release(claimed.key);
        await this.settlement.handBack(claimed, CLAIM_UNSURE);
        return false;
      }
      await this.notifier.send(notification);
      await this.settlement.markDelivered(claimed);
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      if (!page && !isAmbiguous(err)) await this.notifyWindow.release(claimed.key);
      await this.settlement.retryOrFail(claimed, err, false);
    }
    return false;
  }
}
