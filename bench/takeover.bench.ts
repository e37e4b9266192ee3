import { Logger } from '@nestjs/common';
import { KV_BUCKETS, LeaderRecord } from '@opscrew/contracts';
import {
  KvFactory,
  LeaderLease,
  NatsConnectionService,
  provisionAll,
  removeBusTopology,
} from '@opscrew/messaging';
import { emit, median, nowMs, round } from './bench-output';

/** The shipped `bus.leader_lease` (config/opscrew.json5). */
const TTL_MS = 10_000;
const MARGIN_MS = 2_000;

/**
 * The time from a leader replica's death to another replica leading, on real NATS with the
 * shipped lease: each replica is a LeaderLease on its own connection, ticked every renew period
 * as LeadershipService does. "kill": the leader stops renewing without a word (kill -9), so the
 * standby waits out the lease; "clean": the leader releases on shutdown, so the standby takes
 * over on its next tick. Targets: ttl + one renew period + 1 s for a kill, one renew period +
 * 1 s for a clean stop (what the lease promises, plus a second of scheduling on a loaded host).
 */
export async function benchTakeover(natsUrl: string, rounds = 3): Promise<void> {
  Logger.overrideLogger(['error']);
  const namespace = `takeover${Date.now().toString(36)}`;
  const connect = async (name: string): Promise<NatsConnectionService> => {
    const bus = new NatsConnectionService({
      servers: [natsUrl],
      name,
      namespace,
      wait_on_first_connect: false,
    });
    await bus.connect();
    return bus;
  };
  const busA = await connect('bench-takeover-a');
  const busB = await connect('bench-takeover-b');
  try {
    await provisionAll(await busA.jetstreamManager(), busA.subjects, {
      duplicate_window_ms: busA.options.duplicate_window_ms,
    });
    const kvA = await new KvFactory(busA).open(KV_BUCKETS.leaders, { class: LeaderRecord });
    const kvB = await new KvFactory(busB).open(KV_BUCKETS.leaders, { class: LeaderRecord });
    const measured: Record<'kill' | 'clean', number[]> = { kill: [], clean: [] };
    let renewMs = 0;
    for (let round_ = 0; round_ < rounds; round_++) {
      for (const how of ['kill', 'clean'] as const) {
        const options = { key: `ops-monitor.bench-${how}-${round_}`, ttl_ms: TTL_MS };
        const leader = new LeaderLease(kvA, {
          ...options,
          holder: 'replica-a',
          safety_margin_ms: MARGIN_MS,
        });
        const standby = new LeaderLease(kvB, {
          ...options,
          holder: 'replica-b',
          safety_margin_ms: MARGIN_MS,
        });
        renewMs = leader.renewIntervalMs;
        if ((await leader.tick()) !== 'leader') throw new Error('takeover bench: no first leader');
        const ticking = setInterval(() => void standby.tick().catch(() => undefined), renewMs);
        try {
          await standby.tick();
          const stoppedAt = nowMs();
          if (how === 'clean') await leader.release();
          // A kill: the leader's ticks simply stop.
          while (!standby.isLeader()) {
            if (nowMs() - stoppedAt > 4 * TTL_MS) throw new Error('takeover bench: no takeover');
            await new Promise((resolve) => setTimeout(resolve, 20));
          }
          measured[how].push(nowMs() - stoppedAt);
        } finally {
          clearInterval(ticking);
          await standby.release().catch(() => undefined);
        }
      }
    }
    const targets = { kill: TTL_MS + renewMs + 1_000, clean: renewMs + 1_000 };
    for (const how of ['kill', 'clean'] as const) {
      const worst = Math.max(...measured[how]);
      emit({
        bench: 'leader_takeover',
        how,
        ttl_ms: TTL_MS,
        rounds,
        median_ms: round(median(measured[how]), 0),
        max_ms: round(worst, 0),
        target_ms: targets[how],
        ok: worst <= targets[how],
      });
    }
  } finally {
    await removeBusTopology(busA);
    await busB.close();
    await busA.close();
  }
}
