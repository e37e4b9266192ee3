import { type Logger } from '@nestjs/common';
import { type SchedulerRegistry } from '@nestjs/schedule';
import { type OutboxItemRecord, errorMessage } from '@opscrew/contracts';
import { type Clock } from '@opscrew/messaging';
import { ClaimRenewal } from './claim-renewal';
import { iso, type Item, OutboxHaltedError, withoutClaim } from './outbox-item';
import { type OutboxOptions } from './outbox-options';
import { type OutboxStore } from './outbox.store';

/** Why a lane handed an item back instead of calling the vendor (OutboxClaims.stillHeld). */
export const CLAIM_UNSURE =
  'its claim is no longer sure to hold (renewals failing); handed back before the call';

/** What the claims need of the options. */
export type ClaimOptions = Pick<OutboxOptions, 'claim_ttl_ms' | 'ambiguous_create_retry_min_ms'>;

/**
 * The claims of one worker: an item is taken by CAS on its revision before it is sent (two
 * replicas never send one item), renewed every third of `claim_ttl_ms` while its delivery runs
 * (a slow vendor call is never taken over), handed back on shutdown (another instance takes the
 * item at once), and a crashed holder's claim, no longer renewed, lapses within one TTL.
 */
export class OutboxClaims {
  /** Renewals of the claims this worker holds, by item key. */
  private readonly renewals = new Map<string, ClaimRenewal>();
  /** Keys whose renewal found the claim taken (a CAS on another revision). */
  private readonly lost = new Set<string>();
  private renewalCounter = 0;

  constructor(
    private readonly store: OutboxStore,
    private readonly scheduler: SchedulerRegistry,
    private readonly clock: Clock,
    private readonly options: ClaimOptions,
    readonly workerId: string,
    private readonly logger: Logger,
  ) {}

  /** pending (due) or sending (claim expired) → sending, owned by this worker; null if lost. */
  async claim(item: Item): Promise<Item | null> {
    const now = this.clock.now();
    if (item.value.state === 'sending') {
      this.logger.warn(
        `taking over ${item.value.kind} ${item.value.idempotency_key}: claim of ${item.value.claimed_by ?? '?'} expired`,
      );
    }
    const next: OutboxItemRecord = {
      ...item.value,
      state: 'sending',
      attempts: item.value.attempts + 1,
      claimed_by: this.workerId,
      claim_expires_at: iso(now + this.options.claim_ttl_ms),
      updated_at: iso(now),
    };
    const revision = await this.store.update(item.key, next, item.revision);
    if (revision === null) return null;
    const claimed: Item = { key: item.key, value: next, revision };
    this.keepAlive(claimed);
    return claimed;
  }

  /**
   * Whether a vendor call may start under this claim now. A claim lapses only after its expiry,
   * but a call that starts just before that can still be in flight when another replica takes
   * the item over (two sends). While renewals work the claim always has more than two thirds of
   * its TTL left (one renews every third), so less than half left means renewals have been failing
   * (a NATS node went away mid-delivery): the call waits for a claim that is sure to hold.
   */
  stillHeld(claimed: Item): boolean {
    if (this.lost.has(claimed.key) || claimed.value.claimed_by !== this.workerId) return false;
    const expires = Date.parse(claimed.value.claim_expires_at ?? '');
    return expires - this.clock.now() >= this.options.claim_ttl_ms / 2;
  }

  /**
   * Renews a claim every third of its TTL until its delivery records an outcome: the claim
   * lapses only when this worker stops renewing it (a crash), never because a call is slow.
   * Renewals update `claimed` in place, so the final write uses the latest revision.
   */
  keepAlive(claimed: Item): void {
    const ttl = this.options.claim_ttl_ms;
    // The previous renewal of this key (if any) unregisters its interval before the new one.
    void this.renewals.get(claimed.key)?.stop();
    this.lost.delete(claimed.key);
    this.renewalCounter += 1;
    const renewal = new ClaimRenewal(
      this.scheduler,
      `outbox-claim:${this.workerId}:${this.renewalCounter}`,
      Math.max(1, Math.floor(ttl / 3)),
      async () => {
        const renew = async (): Promise<boolean> => {
          const next: OutboxItemRecord = {
            ...claimed.value,
            claim_expires_at: iso(this.clock.now() + ttl),
          };
          const revision = await this.store.update(claimed.key, next, claimed.revision);
          if (revision === null) return false;
          claimed.value = next;
          claimed.revision = revision;
          return true;
        };
        return (await renew()) || ((await this.reconcile(claimed)) && (await renew()));
      },
      () => {
        this.lost.add(claimed.key);
        this.logger.warn(
          `lost the claim on ${claimed.value.kind} ${claimed.value.idempotency_key} while delivering it`,
        );
      },
      (err) => {
        if (!(err instanceof OutboxHaltedError)) {
          this.logger.warn(`claim renewal of ${claimed.key} failed: ${errorMessage(err)}`);
        }
      },
    );
    this.renewals.set(claimed.key, renewal);
  }

  /**
   * After a CAS on a claimed item failed: was it our own earlier write whose reply was lost (a
   * NATS node died after storing it)? Then the item still carries this worker's claim of this
   * attempt at a newer revision, and `claimed` adopts it — without this, our own write looked
   * like a takeover, the claim lapsed unrecorded and another replica delivered the item again.
   */
  async reconcile(claimed: Item): Promise<boolean> {
    const current = await this.store.get(claimed.key);
    if (
      current === null ||
      current.value.state !== 'sending' ||
      current.value.claimed_by !== this.workerId ||
      current.value.attempts !== claimed.value.attempts
    ) {
      return false;
    }
    claimed.value = current.value;
    claimed.revision = current.revision;
    return true;
  }

  /** Ends a claim's renewal before the write that settles it (and on any exit). */
  async settleClaim(claimed: Item): Promise<void> {
    const renewal = this.renewals.get(claimed.key);
    if (renewal === undefined) return;
    this.renewals.delete(claimed.key);
    await renewal.stop();
    this.lost.delete(claimed.key);
  }

  /** Keys of the claims being renewed (deliveries in flight). */
  heldKeys(): string[] {
    return [...this.renewals.keys()];
  }

  /** Stops every renewal; `wait` waits for the renewals in flight (a halt does not). */
  async stopRenewals(wait: boolean): Promise<void> {
    const renewals = [...this.renewals.values()];
    this.renewals.clear();
    this.lost.clear();
    if (wait) for (const renewal of renewals) await renewal.stop();
    else for (const renewal of renewals) void renewal.stop();
  }

  /**
   * Hands every claim this worker holds back to the queue (shutdown). A call that never went out
   * is not an attempt; an `abandoned` one may have landed, so a creation then waits for the
   * tracker's search index like any ambiguous retry.
   */
  async releaseAll(all: readonly Item[], abandoned: ReadonlySet<string>): Promise<void> {
    const now = this.clock.now();
    let released = 0;
    for (const item of all) {
      const { state, claimed_by } = item.value;
      if (claimed_by !== this.workerId || (state !== 'sending' && state !== 'assembling')) continue;
      const next: OutboxItemRecord =
        state === 'assembling'
          ? // A half-built summary: expire the claim now, the next worker's recovery finishes it.
            { ...item.value, claim_expires_at: iso(now) }
          : withoutClaim({
              ...item.value,
              state: 'pending',
              ...(abandoned.has(item.key)
                ? {
                    next_attempt_at: iso(
                      now +
                        (item.value.kind === 'ticket.create'
                          ? this.options.ambiguous_create_retry_min_ms
                          : 0),
                    ),
                  }
                : { attempts: Math.max(0, item.value.attempts - 1), next_attempt_at: iso(now) }),
              updated_at: iso(now),
            });
      try {
        if ((await this.store.updateUnguarded(item.key, next, item.revision)) !== null) released++;
      } catch (err: unknown) {
        this.logger.warn(`could not release the claim on ${item.key}: ${errorMessage(err)}`);
      }
    }
    if (released > 0) {
      this.logger.log(`outbox ${this.workerId}: released ${released} claim(s) on shutdown`);
    }
  }
}
