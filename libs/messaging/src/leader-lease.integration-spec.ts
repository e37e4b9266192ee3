import { Logger } from '@nestjs/common';
import { KV_BUCKETS, LeaderRecord } from '@opscrew/contracts';
import { eventually, jestTimeout } from '@opscrew/testing';
import { KvFactory } from './kv-factory.service';
import { LeaderLease } from './leader-lease';
import { type NatsConnectionService } from './nats-connection.service';
import { openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { type TypedKv } from './typed-kv';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
const TTL_MS = 3_000;
const MARGIN_MS = 600;

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/** Ticks a lease every renew period, as LeadershipService does, until stopped. */
function driver(lease: LeaderLease): { stop: () => void } {
  const handle = setInterval(() => void lease.tick().catch(() => undefined), lease.renewIntervalMs);
  return { stop: () => clearInterval(handle) };
}

describe('LeaderLease against NATS JetStream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let otherBus: NatsConnectionService;
  let kvA: TypedKv<LeaderRecord>;
  let kvB: TypedKv<LeaderRecord>;
  let n = 0;

  /** Two replicas on two connections, each on a fresh key. */
  function pair(): { a: LeaderLease; b: LeaderLease; key: string } {
    const key = `ops-monitor.it-${++n}`;
    const options = { key, ttl_ms: TTL_MS, safety_margin_ms: MARGIN_MS };
    return {
      key,
      a: new LeaderLease(kvA, { ...options, holder: 'replica-a' }),
      b: new LeaderLease(kvB, { ...options, holder: 'replica-b' }),
    };
  }

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'leader-a'));
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'leader-b'));
    kvA = await new KvFactory(bus).open(KV_BUCKETS.leaders, { class: LeaderRecord });
    kvB = await new KvFactory(otherBus).open(KV_BUCKETS.leaders, { class: LeaderRecord });
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('two replicas racing for the key: exactly one leads, the other names it', async () => {
    for (let round = 0; round < 5; round++) {
      const { a, b } = pair();
      const roles = await Promise.all([a.tick(), b.tick()]);
      expect([...roles].sort()).toEqual(['leader', 'standby']);
      const standby = roles[0] === 'leader' ? b : a;
      const leader = roles[0] === 'leader' ? a : b;
      expect(standby.view().leader).toBe(leader.options.holder);
      expect(leader.token()?.term).toBe(1);
    }
  });

  it('kill the leader (it stops renewing): the standby takes over after the lease expires, never before', async () => {
    const { a, b, key } = pair();
    await a.tick();
    const driveA = driver(a);
    const driveB = driver(b);
    try {
      await eventually(async () => (await b.tick()) === 'standby' && a.isLeader(), 5_000);
      // Let a renew a few times, then "kill" it: its ticks stop.
      await new Promise((resolve) => setTimeout(resolve, TTL_MS));
      expect(a.isLeader()).toBe(true);
      expect(b.isLeader()).toBe(false);
      driveA.stop();
      const killedAt = Date.now();
      const lastRecord = (await kvA.get(key))?.value;
      let overlapSeen = false;
      await eventually(
        () => {
          if (a.isLeader() && b.isLeader()) overlapSeen = true;
          return b.isLeader();
        },
        4 * TTL_MS,
        20,
      );
      const takeoverMs = Date.now() - killedAt;
      expect(overlapSeen).toBe(false);
      // The dead one stepped down on its own (deadline) before b could take over.
      expect(a.isLeader()).toBe(false);
      const taken = (await kvB.get(key))?.value;
      expect(taken).toMatchObject({ holder: 'replica-b', term: 2 });
      // b took it only once a's last renew had expired.
      expect(Date.parse(taken!.acquired_at)).toBeGreaterThanOrEqual(
        Date.parse(lastRecord!.expires_at),
      );
      process.stdout.write(
        `leader-lease takeover after the leader stopped renewing: ${takeoverMs} ms ` +
          `(ttl ${TTL_MS} ms, renew every ${b.renewIntervalMs} ms)\n`,
      );
    } finally {
      driveA.stop();
      driveB.stop();
    }
  });

  it('a clean release hands over on the standby next tick, without waiting for the expiry', async () => {
    const { a, b, key } = pair();
    await a.tick();
    await b.tick();
    expect(await a.release()).toBe(true);
    expect((await kvA.get(key))?.value.released).toBe(true);
    expect(await b.tick()).toBe('leader');
    expect(b.token()?.term).toBe(2);
  });

  it('CAS fencing: a paused leader that resumes cannot renew over its successor, and its token is older', async () => {
    const { a, b, key } = pair();
    await a.tick();
    const oldToken = a.token()!;
    // a "pauses": the record expires without a renew; b takes over.
    const expired = (await kvA.get(key))!;
    await kvA.update(
      key,
      { ...expired.value, expires_at: new Date(Date.now() - 1).toISOString() },
      expired.revision,
    );
    expect(await b.tick()).toBe('leader');
    const newToken = b.token()!;
    // a resumes: its renew is a CAS on the revision it knew, which is gone.
    await a.tick();
    expect(a.isLeader()).toBe(false);
    expect(newToken.revision).toBeGreaterThan(oldToken.revision);
    expect(newToken.term).toBe(oldToken.term + 1);
    expect((await kvB.get(key))?.value.holder).toBe('replica-b');
  });
});
