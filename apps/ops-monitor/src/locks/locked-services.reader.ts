import { isDeliberateWorkLock, type LeaseRecord, serviceOfLockKey } from '@opscrew/contracts';
import { Inject, Injectable } from '@nestjs/common';
import { type KvItem, type TypedKv } from '@opscrew/messaging';
import { LOCKS_KV, MONITOR_CONFIG } from '../ops-monitor.tokens';

/** What the reader takes of the config (MONITOR_CONFIG): `thresholds.detection`'s lock timings. */
export interface LockTimingsConfig {
  readonly thresholds: {
    readonly detection: {
      /**
       * How long a service still counts as under deliberate work after its lock disappears
       * (released or lapsed): a load test's queues and timeouts drain for a while after it stops.
       */
      readonly after_lock_grace_s: number;
      /** How long a service counts as just restarted by the crew after its restart lease went. */
      readonly culprit: { readonly settle_s: number };
    };
  };
}

/**
 * Which services are held right now for deliberate work (a load test) — not
 * the crew's own remediation lease, under which anomalies are the incident
 * being fixed. Read from the `locks` bucket every cycle rather than from events:
 * NATS 2.9 watches do not see expiry, and each lease carries its own, so the
 * bucket is the only place that knows a crashed holder's lock has lapsed.
 * The grace memory is per process: an ops-monitor restarted inside a grace
 * period treats the service as free at once (a false alarm at worst).
 */
@Injectable()
export class LockedServicesReader {
  /** The last lease seen per service and when: the grace period runs from there. */
  private readonly lastSeen = new Map<string, { lease: LeaseRecord; at: number }>();
  /** The last time the crew's own restart lease was seen per service: the settle window runs from there. */
  private readonly restartSeen = new Map<string, number>();

  private readonly graceMs: number;
  private readonly settleMs: number;

  constructor(
    @Inject(LOCKS_KV) private readonly locks: TypedKv<LeaseRecord>,
    @Inject(MONITOR_CONFIG) { thresholds: { detection } }: LockTimingsConfig,
  ) {
    this.graceMs = detection.after_lock_grace_s * 1000;
    this.settleMs = detection.culprit.settle_s * 1000;
  }

  async read(now: Date = new Date()): Promise<Map<string, LeaseRecord>> {
    return (await this.view(now)).deliberate;
  }

  /**
   * Both kinds of hold in one read of the bucket: services under deliberate work (load tests,
   * with their grace), and services the crew is restarting or restarted less than the settle
   * window ago — their callers' errors are the restart, not a fault of their own.
   */
  async view(
    now: Date = new Date(),
  ): Promise<{ deliberate: Map<string, LeaseRecord>; restarting: Set<string> }> {
    const items = await this.locks.values();
    const restarting = new Set<string>();
    for (const item of items) {
      const service = serviceOfLockKey(item.key);
      if (
        service !== null &&
        !isDeliberateWorkLock(item.value.holder) &&
        Date.parse(item.value.expires_at) > now.getTime()
      )
        this.restartSeen.set(service, now.getTime());
    }
    for (const [service, at] of this.restartSeen) {
      if (now.getTime() - at <= this.settleMs) restarting.add(service);
      else this.restartSeen.delete(service);
    }
    return { deliberate: this.deliberate(items, now), restarting };
  }

  private deliberate(items: Array<KvItem<LeaseRecord>>, now: Date): Map<string, LeaseRecord> {
    const held = this.liveLocks(items, now);
    for (const [service, lease] of held) this.lastSeen.set(service, { lease, at: now.getTime() });
    for (const [service, seen] of this.lastSeen) {
      if (held.has(service)) continue;
      if (now.getTime() - seen.at < this.graceMs) held.set(service, seen.lease);
      else this.lastSeen.delete(service);
    }
    return held;
  }

  private liveLocks(items: Array<KvItem<LeaseRecord>>, now: Date): Map<string, LeaseRecord> {
    const held = new Map<string, LeaseRecord>();
    for (const item of items) {
      const service = serviceOfLockKey(item.key);
      if (
        service !== null &&
        isDeliberateWorkLock(item.value.holder) &&
        Date.parse(item.value.expires_at) > now.getTime()
      )
        held.set(service, item.value);
    }
    return held;
  }
}
