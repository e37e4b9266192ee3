import { isDeliberateWorkLock, type LeaseRecord, serviceOfLockKey } from '@opscrew/contracts';
import { type TypedKv } from '@opscrew/messaging';

/**
 * Which services are held right now for deliberate work (a load test) — not
 * the crew's own remediation lease, under which anomalies are the incident
 * being fixed. Read from the `locks` bucket every cycle rather than from events:
 * NATS 2.9 watches do not see expiry, and each lease carries its own, so the
 * bucket is the only place that knows a crashed holder's lock has lapsed.
 */
export class LockedServicesReader {
  constructor(private readonly locks: TypedKv<LeaseRecord>) {}

  async read(now: Date = new Date()): Promise<Map<string, LeaseRecord>> {
    const held = new Map<string, LeaseRecord>();
    for (const item of await this.locks.values()) {
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
