import { type Logger } from '@nestjs/common';
import { type OutboxItemRecord } from '@opscrew/contracts';
import { type Clock } from '@opscrew/messaging';
import { randomUUID } from 'node:crypto';
import { type OutboxClaims } from './outbox-claims';
import { byOrder, claimExpired, iso, type Item, isSummary, withoutClaim } from './outbox-item';
import { storedNotification } from './outbox-item.factory';
import { itemKey, SUMMARY_KEY_PREFIX } from './outbox-keys';
import { type OutboxOptions } from './outbox-options';
import { type OutboxSettlement } from './outbox-settlement';
import { type OutboxStore } from './outbox.store';
import { type RateWindow } from './rate-window';
import { buildStormSummary, type StormSummaryLimits } from './storm-summary.builder';

/** What folding needs of the options: the windows (for the summary's text), the claim TTL, lines. */
export type StormFolderOptions = StormSummaryLimits &
  Pick<OutboxOptions, 'claim_ttl_ms' | 'summary_max_lines'>;

/**
 * Decides when a storm is folded and folds it: everything held (alerts and unopened tickets)
 * goes into ONE summary notification once the notification window has room, at most one
 * summary per window. Each held item is moved by CAS, so two replicas never fold one item
 * twice; the summary is written first (`assembling`, claimed) so a crash in between is finished
 * by whoever sees its claim expire (recover()).
 */
export class StormFolder {
  constructor(
    private readonly store: OutboxStore,
    private readonly claims: OutboxClaims,
    private readonly settlement: OutboxSettlement,
    private readonly notifyWindow: RateWindow,
    private readonly clock: Clock,
    private readonly options: StormFolderOptions,
    private readonly logger: Logger,
    /** True once the worker halts or drains: nothing new is folded. */
    private readonly stopping: () => boolean,
  ) {}

  /**
   * Folds what is held into a summary when the window allows; a lone held alert (and no held
   * ticket) is simply released to go out as itself. True when something became due.
   */
  async fold(): Promise<boolean> {
    if (this.stopping()) return false;
    const now = this.clock.now();
    const all = await this.store.scan();
    // One summary per notification window: what is held meanwhile waits for the next one.
    if (all.some((i) => isSummary(i.value) && this.summaryIsRecent(i.value, now))) return false;
    const held = all
      .filter(
        (i) =>
          i.value.state === 'held' &&
          (i.value.kind === 'notify' || i.value.kind === 'ticket.create'),
      )
      .sort(byOrder);
    if (held.length === 0) return false;
    if (!(await this.notifyWindow.peek(now)).ok) return false;
    const only = held[0];
    if (held.length === 1 && only !== undefined && only.value.kind === 'notify') {
      await this.settlement.settle(only, 'pending', { next_attempt_at: iso(now) });
      return true;
    }
    const summary = await this.startSummary(now);
    if (summary === null) return false;
    const folded: OutboxItemRecord[] = [];
    try {
      for (const item of held) {
        const next: OutboxItemRecord = {
          ...item.value,
          state: 'folded',
          folded_into: summary.key,
          updated_at: iso(now),
        };
        if ((await this.store.update(item.key, next, item.revision)) !== null) folded.push(next);
      }
    } finally {
      await this.claims.settleClaim(summary);
    }
    if (folded.length === 0) {
      await this.store.forget(summary.key, summary.revision);
      return false;
    }
    await this.completeSummary(summary, folded, now);
    this.logger.warn(
      `rate limit: ${folded.length} held item(s) folded into one summary notification (${summary.key})`,
    );
    return true;
  }

  /** A summary whose assembler died: finish it from the items folded into it (or drop it if none). */
  async recover(all: readonly Item[], now: number): Promise<void> {
    for (const summary of all) {
      if (summary.value.state !== 'assembling' || !claimExpired(summary.value, now)) continue;
      const folded = all.filter(
        (i) =>
          i.value.folded_into === summary.key &&
          i.value.kind !== 'ticket.transition' &&
          i.value.kind !== 'ticket.comment',
      );
      if (folded.length === 0) {
        await this.store.forget(summary.key, summary.revision);
        continue;
      }
      this.logger.warn(`completing storm summary ${summary.key} left by a crashed worker`);
      await this.completeSummary(
        summary,
        folded.map((i) => i.value),
        now,
      );
    }
  }

  /** The summary's placeholder, claimed by this worker (null if it could not be written). */
  private async startSummary(now: number): Promise<Item | null> {
    const idempotencyKey = `${SUMMARY_KEY_PREFIX}${randomUUID()}`;
    const key = itemKey('notify', idempotencyKey);
    const at = iso(now);
    const placeholder: OutboxItemRecord = {
      kind: 'notify',
      state: 'assembling',
      idempotency_key: idempotencyKey,
      created_at: at,
      updated_at: at,
      order: now * 1000,
      attempts: 0,
      next_attempt_at: at,
      claimed_by: this.claims.workerId,
      claim_expires_at: iso(now + this.options.claim_ttl_ms),
      folded_count: 0,
      notification: {
        idempotency_key: idempotencyKey,
        kind: 'summary',
        severity: 'info',
        title: 'storm summary (assembling)',
        text: '',
        fields: [],
      },
    };
    const created = await this.store.createGuarded(key, placeholder);
    if (created === null) return null;
    // A long fold (a big storm) keeps its claim: another worker must not finish the summary
    // from the items folded so far while this one is still folding.
    const summary: Item = { key, value: placeholder, revision: created };
    this.claims.keepAlive(summary);
    return summary;
  }

  private summaryIsRecent(value: OutboxItemRecord, now: number): boolean {
    if (value.state === 'delivered') {
      return (
        now - Date.parse(value.delivered_at ?? value.updated_at) <
        this.options.notification_window_ms
      );
    }
    return value.state === 'pending' || value.state === 'sending' || value.state === 'assembling';
  }

  private async completeSummary(
    summary: Item,
    folded: readonly OutboxItemRecord[],
    now: number,
  ): Promise<void> {
    const notification = buildStormSummary(
      summary.value.idempotency_key,
      folded,
      this.options,
      this.options.summary_max_lines,
    );
    const at = iso(now);
    const next: OutboxItemRecord = withoutClaim({
      ...summary.value,
      state: 'pending',
      notification: storedNotification(notification),
      folded_count: folded.length,
      next_attempt_at: at,
      updated_at: at,
    });
    await this.store.update(summary.key, next, summary.revision);
  }
}
