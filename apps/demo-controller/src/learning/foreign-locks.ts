import {
  type LockAcquiredEvent,
  type LockReleasedEvent,
  type ObservedLockHold,
} from '@opscrew/contracts';

/**
 * Other holders' locks seen on the bus and not released yet (ours are recorded by the runner,
 * precisely): a run that starts while one is held gets a copy.
 */
export class ForeignLocks {
  private readonly holds = new Map<string, ObservedLockHold>();

  constructor(private readonly ownHolderPrefix: string) {}

  /** The hold to record for a foreign lock taken; null for one of ours. */
  acquired(event: LockAcquiredEvent): ObservedLockHold | null {
    if (event.holder.startsWith(this.ownHolderPrefix)) return null;
    const hold: ObservedLockHold = {
      service: event.service,
      holder: event.holder,
      revision: event.revision,
      own: false,
      from: event.at,
      until: event.expires_at,
      released: false,
    };
    this.holds.set(key(event), hold);
    return hold;
  }

  /** The release to record for a foreign lock given back; null for one of ours. */
  released(event: LockReleasedEvent): { service: string; holder: string; at: string } | null {
    if (event.holder.startsWith(this.ownHolderPrefix)) return null;
    this.holds.delete(key(event));
    return { service: event.service, holder: event.holder, at: event.at };
  }

  /** Holds still live at `now` (copies); expired ones are forgotten. */
  live(now: number): ObservedLockHold[] {
    const live: ObservedLockHold[] = [];
    for (const [k, hold] of this.holds) {
      if (Date.parse(hold.until) <= now) this.holds.delete(k);
      else live.push({ ...hold });
    }
    return live;
  }
}

function key(event: { service: string; holder: string }): string {
  return `${event.service}\u0000${event.holder}`;
}
