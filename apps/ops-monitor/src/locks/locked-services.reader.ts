import { isDeliberateWorkLock, type LeaseRecord, serviceOfLockKey } from '@opscrew/contracts';
import { type KvItem, type TypedKv } from '@opscrew/messaging';

/**
 * Which services are held right now for deliberate work (a load test) — not
 * the crew's own remediation lease, under which anomalies are the incident
 * being fixed. Read from the `locks` bucket every cycle rather than from events:
 * NATS 2.9 watches do not see expiry, and each lease carries its own, so the
 * bucket is the only place that knows a crashed holder's lock has lapsed.
 * The grace memory is per process: an ops-monitor restarted inside a grace
 * period treats the service as free at once (a false alarm at worst).
 */
export class LockedServicesReader {
  /** The last lease seen per service and when: the grace period runs from there. */
  private readonly lastSeen = new Map<string, { lease: LeaseRecord; at: number }>();

  /**
   * @param graceMs how long a service still counts as under deliberate work
   *   after its lock disappears (released or lapsed): a load test's queues and
   *   timeouts drain for a while after the load stops.
   */
  constructor(
    private readonly locks: TypedKv<LeaseRecord>,
    private readonly graceMs = 0,
  ) {}

  async read(now: Date = new Date()): Promise<Map<string, LeaseRecord>> {
    const held = this.liveLocks(await this.locks.values(), now);
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
