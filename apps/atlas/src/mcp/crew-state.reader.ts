import { type HeartbeatSource, outageWindow } from '@opscrew/agent-core';
import { type IncidentRecord, type LeaseRecord, serviceOfLockKey } from '@opscrew/contracts';
import {
  type Clock,
  type IncidentLedger,
  type KvItem,
  type NatsConnectionService,
  systemClock,
  type TypedKv,
} from '@opscrew/messaging';
import { type AgentLiveness } from '../liveness/agent-liveness';
import { livenessSnapshot, type LivenessSettings } from '../liveness/liveness-snapshot';

/** A lock as an operator reads it: who holds it, until when, and whether it still counts. */
export interface LockView {
  key: string;
  /** The locked service (`service.<name>` keys); null for other kinds of lock. */
  service: string | null;
  holder: string;
  reason: string;
  acquired_at: string;
  expires_at: string;
  /** live: still held; expired: its holder stopped renewing, the next taker wins it. */
  state: 'live' | 'expired';
  /** Seconds until expiry (negative: expired that long ago). */
  expires_in_s: number;
  /** The KV revision: the fencing token a holder's commands carry. */
  revision: number;
}

export interface CrewStateSources {
  readonly ledger: Pick<IncidentLedger, 'list' | 'get'>;
  readonly locks: Pick<TypedKv<LeaseRecord>, 'values'>;
  /** Every replica's last heartbeat (atlas's board). */
  readonly heartbeats: HeartbeatSource;
  /** `agents` of the loaded config: who should be sending heartbeats, and how often. */
  readonly agents: ReadonlyMap<string, LivenessSettings>;
  readonly clock?: Clock;
  /**
   * The reader's own bus link (atlas's): ages after its last outage count from the reconnect,
   * as LivenessService's do. Absent (`opscrew mcp`): plain ages.
   */
  readonly bus?: Pick<NatsConnectionService, 'lastOutage'>;
}

/**
 * The crew's shared state as the MCP tools show it, read fresh from the KV
 * buckets on every call (the buckets are the truth; nothing is cached here).
 */
export class CrewStateReader {
  private readonly clock: Clock;

  constructor(private readonly sources: CrewStateSources) {
    this.clock = sources.clock ?? systemClock;
  }

  /** Every incident in the ledger, newest first. */
  incidents(): Promise<IncidentRecord[]> {
    return this.sources.ledger.list();
  }

  incident(id: string): Promise<IncidentRecord | null> {
    return this.sources.ledger.get(id);
  }

  /** Every lock in the bucket, live ones first, then by key. */
  async locks(): Promise<LockView[]> {
    return lockViews(await this.sources.locks.values(), this.clock.now());
  }

  /** Every configured agent: alive, stale or never_seen, from its last heartbeat. */
  agents(): Promise<AgentLiveness[]> {
    return livenessSnapshot(
      this.sources.heartbeats,
      this.sources.agents,
      new Date(this.clock.now()),
      outageWindow(this.sources.bus?.lastOutage() ?? null),
    );
  }
}

/**
 * The locks as an operator reads them, live ones first, then by key: the one reading behind
 * the MCP tool `list_locks` and atlas's status page.
 */
export function lockViews(
  items: readonly Pick<KvItem<LeaseRecord>, 'key' | 'value' | 'revision'>[],
  now: number,
): LockView[] {
  const views = items.map((item): LockView => {
    const expiresAt = Date.parse(item.value.expires_at);
    return {
      key: item.key,
      service: serviceOfLockKey(item.key),
      holder: item.value.holder,
      reason: item.value.reason,
      acquired_at: item.value.acquired_at,
      expires_at: item.value.expires_at,
      // The same rule as LeaseService: expired at the instant of expiry.
      state: expiresAt <= now ? 'expired' : 'live',
      expires_in_s: Math.round((expiresAt - now) / 100) / 10,
      revision: item.revision,
    };
  });
  return views.sort(
    (a, b) =>
      Number(a.state === 'expired') - Number(b.state === 'expired') || a.key.localeCompare(b.key),
  );
}
