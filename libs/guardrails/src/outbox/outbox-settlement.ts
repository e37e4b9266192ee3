import { type Logger } from '@nestjs/common';
import { type OutboxItemRecord, type OutboxState, errorMessage } from '@opscrew/contracts';
import { type Clock } from '@opscrew/messaging';
import { ExponentialBackoff, handleWhen, retry, type RetryPolicy } from 'cockatiel';
import { isRetryable, retryDelayMs } from './outbox-backoff';
import { type OutboxClaims } from './outbox-claims';
import { iso, type Item, OutboxHaltedError, withoutClaim } from './outbox-item';
import { type OutboxOptions } from './outbox-options';
import { type OutboxStore } from './outbox.store';

/** What settling needs of the options. */
export type SettlementOptions = Pick<
  OutboxOptions,
  'backoff' | 'max_attempts' | 'ambiguous_create_retry_min_ms'
>;

/** The record of a delivered item: its claim and last error dropped. */
function deliveredRecord(
  value: OutboxItemRecord,
  now: number,
  result: string | undefined,
): OutboxItemRecord {
  const next: OutboxItemRecord = withoutClaim({
    ...value,
    state: 'delivered',
    delivered_at: iso(now),
    updated_at: iso(now),
    ...(result === undefined ? {} : { result_ref: result }),
  });
  delete next.last_error;
  return next;
}

/**
 * The outcomes of a delivery attempt, each one CAS write on the claimed item's latest revision
 * after its claim's renewal has stopped: delivered, held (rate limit), back to pending (a
 * summary waiting for its slot), retried with backoff, or parked as failed.
 */
export class OutboxSettlement {
  /**
   * The write that records a delivery, retried while the bus is away (a NATS node died, a
   * leader moves): the side effect has happened, so a failed record must not read as a failed
   * send (that retried it: a second notification). ~15 s of tries, about one claim TTL; a CAS
   * conflict (null) is an answer, not a failure, and a halted worker never writes.
   */
  private readonly recordPolicy: RetryPolicy = retry(
    handleWhen((err) => !(err instanceof OutboxHaltedError)),
    {
      maxAttempts: 10,
      backoff: new ExponentialBackoff({ initialDelay: 200, maxDelay: 2_000 }),
    },
  );

  constructor(
    private readonly store: OutboxStore,
    private readonly claims: OutboxClaims,
    private readonly clock: Clock,
    private readonly options: SettlementOptions,
    private readonly random: () => number,
    private readonly logger: Logger,
  ) {}

  async markDelivered(claimed: Item, result?: string): Promise<void> {
    await this.claims.settleClaim(claimed);
    const record = async (): Promise<number | null> => {
      for (let tries = 0; ; tries++) {
        const revision = await this.store.update(
          claimed.key,
          deliveredRecord(claimed.value, this.clock.now(), result),
          claimed.revision,
        );
        if (revision !== null) return revision;
        // A conflict with one of our own writes whose reply was lost (a NATS node died after
        // storing it) is no takeover: a retried record that had landed is done, a renewal that
        // had landed is adopted and written on top of.
        const current = await this.store.get(claimed.key);
        if (
          current?.value.state === 'delivered' &&
          current.value.attempts === claimed.value.attempts
        ) {
          return current.revision;
        }
        if (tries > 0 || !(await this.claims.reconcile(claimed))) return null;
      }
    };
    let revision: number | null;
    try {
      revision = await this.recordPolicy.execute(record);
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      // The one case nothing can close: sent, and the bus refused every record of it. The claim
      // lapses and another worker sends it again; said loudly so it can be counted.
      this.logger.error(
        `${claimed.value.kind} ${claimed.value.idempotency_key} was delivered but could not be recorded: ` +
          `${errorMessage(err)}; it may be delivered again once its claim lapses`,
      );
      return;
    }
    if (revision === null) {
      this.logger.warn(
        `${claimed.value.kind} ${claimed.value.idempotency_key} was delivered but its claim had been taken ` +
          `over (its renewals failed for longer than claim_ttl_ms?)`,
      );
    } else {
      this.logger.debug(
        `delivered ${claimed.value.kind} ${claimed.value.idempotency_key}${result === undefined ? '' : ` → ${result}`}`,
      );
    }
  }

  async hold(claimed: Item, reason: string): Promise<void> {
    await this.claims.settleClaim(claimed);
    const now = iso(this.clock.now());
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'held',
      held_at: now,
      updated_at: now,
      // Nothing was sent: the claim does not count as an attempt.
      attempts: Math.max(0, claimed.value.attempts - 1),
    });
    await this.store.update(claimed.key, next, claimed.revision);
    this.logger.warn(`held ${claimed.value.kind} ${claimed.value.idempotency_key}: ${reason}`);
  }

  /** Back to pending without an attempt counted (a summary waiting for its slot). */
  async unclaim(claimed: Item, nextAttemptAt: number): Promise<void> {
    await this.claims.settleClaim(claimed);
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'pending',
      attempts: Math.max(0, claimed.value.attempts - 1),
      next_attempt_at: iso(nextAttemptAt),
      updated_at: iso(this.clock.now()),
    });
    await this.store.update(claimed.key, next, claimed.revision);
  }

  /**
   * Hands a claimed item back untouched (no attempt counted) when its claim is no longer sure to
   * hold: the vendor call did not start. A failed write is only logged; the claim then lapses.
   */
  async handBack(claimed: Item, why: string): Promise<void> {
    this.logger.warn(`did not send ${claimed.value.kind} ${claimed.value.idempotency_key}: ${why}`);
    try {
      await this.unclaim(claimed, this.clock.now());
    } catch (err: unknown) {
      if (err instanceof OutboxHaltedError) throw err;
      this.logger.warn(
        `could not hand ${claimed.key} back: ${errorMessage(err)}; its claim lapses`,
      );
    }
  }

  /** A failed attempt: retried after a backoff, or parked as failed (non-retryable, or too many). */
  async retryOrFail(claimed: Item, err: unknown, isCreate: boolean): Promise<'retry' | 'failed'> {
    await this.claims.settleClaim(claimed);
    const now = this.clock.now();
    const message = errorMessage(err).slice(0, 1900);
    const { attempts, kind, idempotency_key } = claimed.value;
    if (!isRetryable(err) || attempts >= this.options.max_attempts) {
      const reason = isRetryable(err) ? `gave up after ${attempts} attempts: ${message}` : message;
      const next: OutboxItemRecord = withoutClaim({
        ...claimed.value,
        state: 'failed',
        last_error: reason,
        updated_at: iso(now),
      });
      await this.store.update(claimed.key, next, claimed.revision);
      this.logger.error(
        `outbox: ${kind} ${idempotency_key} FAILED and parked (visible in the outbox): ${reason}`,
      );
      return 'failed';
    }
    const delay = retryDelayMs(
      attempts,
      err,
      {
        backoff: this.options.backoff,
        ...(isCreate ? { ambiguousMinMs: this.options.ambiguous_create_retry_min_ms } : {}),
      },
      this.random,
    );
    const next: OutboxItemRecord = withoutClaim({
      ...claimed.value,
      state: 'pending',
      last_error: message,
      next_attempt_at: iso(now + delay),
      updated_at: iso(now),
    });
    await this.store.update(claimed.key, next, claimed.revision);
    this.logger.warn(
      `outbox: ${kind} ${idempotency_key} attempt ${attempts} failed, retry in ${delay} ms: ${message}`,
    );
    return 'retry';
  }

  /** A state change of an unclaimed item (CAS on the revision scanned). */
  async settle(item: Item, state: OutboxState, extra: Partial<OutboxItemRecord>): Promise<void> {
    const next: OutboxItemRecord = withoutClaim({
      ...item.value,
      ...extra,
      state,
      updated_at: iso(this.clock.now()),
    });
    await this.store.update(item.key, next, item.revision);
  }
}
