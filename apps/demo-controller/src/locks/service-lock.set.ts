import { type Logger } from '@nestjs/common';
import { errorMessage, serviceLockKey, SUBJECTS } from '@opscrew/contracts';
import {
  type Lease,
  LeaseLostError,
  type LeaseService,
  MIN_LEASE_TTL_MS,
} from '@opscrew/messaging';
import { type BusPublisher } from '../support/bus-publisher';
import { type Scheduler, type Timer } from '../support/scheduler';

/**
 * A renew that failed for a transient reason (NATS reconnecting) is retried
 * this often while the lease is still valid: a second is short against a
 * lease of a minute and long against a reconnect's first attempts.
 */
const RENEW_RETRY_MS = 1_000;

export type LockLeases = Pick<LeaseService, 'acquire' | 'renew' | 'release' | 'renewDelay'>;

export interface LockSetOptions {
  /** Who holds the leases (unique per process and run). */
  readonly holder: string;
  readonly reason: string;
  /** Lease length; renewed at ~75 % (LeaseService.renewDelay). */
  readonly lease_ms: number;
  /** No lease of this set outlives acquisition + this, renewed or not. */
  readonly max_hold_ms: number;
}

/** A lease held (or once held) by the set, as the scorecard needs it. */
export interface LockHold {
  readonly service: string;
  readonly holder: string;
  readonly revision: number;
  readonly from: string;
  /** Current expiry while held; the release time once released. */
  readonly until: string;
  readonly released: boolean;
}

export interface LockSetHooks {
  /** The set can no longer guarantee `service` is ours (lost, or its max hold reached): stop acting. */
  readonly onLost?: (service: string, why: string) => void;
  /** A hold began, was renewed or ended (feeds the scorecard's lock timeline). */
  readonly onHold?: (hold: LockHold) => void;
}

interface Held {
  readonly service: string;
  readonly deadline: number;
  lease: Lease;
  timer: Timer | null;
}

/**
 * The per-service exclusive leases a deliberate load holds (`service.<name>`
 * in the `locks` bucket), following the lease pattern: acquire with create,
 * renew at ~75 % with the revision, stop acting the moment a renew fails,
 * release with the revision. A service someone else holds (jira-resolver
 * restarting it) is skipped with a log line. If this process dies, renewals
 * stop and every lease expires by itself within one lease length.
 */
export class ServiceLockSet {
  private readonly held = new Map<string, Held>();
  private readonly ended: LockHold[] = [];
  private closed = false;

  constructor(
    private readonly deps: {
      readonly leases: LockLeases;
      readonly publisher: BusPublisher;
      readonly scheduler: Scheduler;
      readonly logger: Pick<Logger, 'log' | 'warn'>;
    },
    private readonly options: LockSetOptions,
    private readonly hooks: LockSetHooks = {},
  ) {
    if (options.lease_ms < MIN_LEASE_TTL_MS)
      throw new RangeError(
        `lock lease must be at least ${MIN_LEASE_TTL_MS} ms, got ${options.lease_ms}`,
      );
  }

  /** Takes every free service's lease; returns which were taken and which someone else holds. */
  async acquire(
    services: readonly string[],
  ): Promise<{ held: string[]; skipped: { service: string; held_by: string }[] }> {
    const taken: string[] = [];
    const skipped: { service: string; held_by: string }[] = [];
    for (const service of services) {
      if (this.closed) break;
      const now = this.deps.scheduler.now();
      const ttl = Math.min(this.options.lease_ms, this.options.max_hold_ms);
      const result = await this.deps.leases.acquire(
        serviceLockKey(service),
        this.options.holder,
        ttl,
        this.options.reason,
      );
      if (!result.ok) {
        skipped.push({ service, held_by: result.held_by.holder });
        this.deps.logger.log(
          `lock ${service}: held by ${result.held_by.holder} until ${result.held_by.expires_at}; the load runs without it`,
        );
        continue;
      }
      const held: Held = {
        service,
        deadline: now + this.options.max_hold_ms,
        lease: result.lease,
        timer: null,
      };
      this.held.set(service, held);
      taken.push(service);
      this.hooks.onHold?.(this.view(held));
      await this.publish(() =>
        this.deps.publisher.publish(SUBJECTS.lockAcquired, {
          service,
          holder: this.options.holder,
          revision: result.lease.revision,
          expires_at: result.lease.expires_at,
          reason: this.options.reason,
        }),
      );
      this.scheduleRenew(held);
    }
    return { held: taken, skipped };
  }

  /** Services held right now. */
  services(): string[] {
    return [...this.held.keys()];
  }

  /** Every hold of this set, current and ended. */
  holds(): LockHold[] {
    return [...this.ended, ...[...this.held.values()].map((held) => this.view(held))];
  }

  /** Releases every lease still ours and publishes `lock.released` (released, or expired when lost meanwhile). */
  async releaseAll(): Promise<void> {
    this.closed = true;
    for (const held of [...this.held.values()]) {
      held.timer?.cancel();
      this.held.delete(held.service);
      let ours = false;
      try {
        ours = await this.deps.leases.release(held.lease);
      } catch (error) {
        this.deps.logger.warn(
          `lock ${held.service}: release failed (${errorMessage(error)}); it expires at ${held.lease.expires_at}`,
        );
      }
      this.end(held, ours ? 'released' : 'expired');
      await this.publish(() =>
        this.deps.publisher.publish(SUBJECTS.lockReleased, {
          service: held.service,
          holder: this.options.holder,
          revision: held.lease.revision,
          reason: ours ? 'released' : 'expired',
        }),
      );
    }
  }

  /** Stops renewing without releasing: what a crash does (tests use it; the leases then expire). */
  abandon(): void {
    this.closed = true;
    for (const held of this.held.values()) held.timer?.cancel();
    this.held.clear();
  }

  private scheduleRenew(held: Held, delayMs?: number): void {
    if (this.closed) return;
    const delay = delayMs ?? this.deps.leases.renewDelay(held.lease);
    held.timer = this.deps.scheduler.after(delay, () => void this.renew(held));
  }

  private async renew(held: Held): Promise<void> {
    if (this.closed || this.held.get(held.service) !== held) return;
    const now = this.deps.scheduler.now();
    const ttl = Math.min(this.options.lease_ms, held.deadline - now);
    if (ttl < MIN_LEASE_TTL_MS) {
      // The lease runs out at its current expiry (≤ the deadline); never renewed past max_hold.
      this.hooks.onLost?.(
        held.service,
        `max hold of ${Math.round(this.options.max_hold_ms / 1000)} s reached`,
      );
      return;
    }
    try {
      held.lease = await this.deps.leases.renew(held.lease, ttl);
      this.hooks.onHold?.(this.view(held));
      this.scheduleRenew(held);
    } catch (error) {
      if (this.held.get(held.service) !== held) return;
      const expired = Date.parse(held.lease.expires_at) <= this.deps.scheduler.now();
      if (error instanceof LeaseLostError || expired) {
        this.held.delete(held.service);
        this.end(held, 'expired');
        this.deps.logger.warn(
          `lock ${held.service}: lost (${errorMessage(error)}); stopping the load on it`,
        );
        await this.publish(() =>
          this.deps.publisher.publish(SUBJECTS.lockReleased, {
            service: held.service,
            holder: this.options.holder,
            revision: held.lease.revision,
            reason: 'expired',
          }),
        );
        this.hooks.onLost?.(held.service, `lease lost: ${errorMessage(error)}`);
        return;
      }
      this.deps.logger.warn(
        `lock ${held.service}: renew failed (${errorMessage(error)}); retrying until ${held.lease.expires_at}`,
      );
      this.scheduleRenew(held, RENEW_RETRY_MS);
    }
  }

  private end(held: Held, reason: 'released' | 'expired'): void {
    const at =
      reason === 'released'
        ? new Date(this.deps.scheduler.now()).toISOString()
        : held.lease.expires_at;
    const ended: LockHold = { ...this.view(held), until: at, released: reason === 'released' };
    this.ended.push(ended);
    this.hooks.onHold?.(ended);
  }

  private view(held: Held): LockHold {
    return {
      service: held.service,
      holder: this.options.holder,
      revision: held.lease.revision,
      from: held.lease.acquired_at,
      until: held.lease.expires_at,
      released: false,
    };
  }

  /** Lock events inform the crew; the lease in KV is what counts, so a failed publish is logged, not fatal. */
  private async publish(send: () => Promise<unknown>): Promise<void> {
    try {
      await send();
    } catch (error) {
      this.deps.logger.warn(`lock event not published: ${errorMessage(error)}`);
    }
  }
}
