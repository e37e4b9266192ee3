import { Logger } from '@nestjs/common';
import { KV_BUCKETS, LeaseRecord, errorMessage } from '@opscrew/contracts';
import { jestTimeout, ManualClock } from '@opscrew/testing';
import { KvCorruptValueError } from './kv-errors';
import { KvFactory } from './kv-factory.service';
import { LeaseLostError } from './lease-lost.error';
import { type Lease, LeaseService } from './lease.service';
import { type NatsConnectionService } from './nats-connection.service';
import { openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { type TypedKv } from './typed-kv';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

interface Ticket {
  title: string;
  status: string;
}
const ticketSchema = {
  validate: (raw: unknown) => {
    const t = raw as Partial<Ticket> | null;
    return typeof t?.title === 'string' && typeof t.status === 'string'
      ? { ok: true as const, value: t as Ticket }
      : { ok: false as const, reason: 'title, status: must be strings' };
  },
};

describe('KV and leases against NATS JetStream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  /** A second, independent connection: the competing process. */
  let otherBus: NatsConnectionService;
  let tickets: TypedKv<Ticket>;
  let clock: ManualClock;
  let leases: LeaseService;
  let otherLeases: LeaseService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'kv-a'));
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'kv-b'));
    const kv = new KvFactory(bus);
    tickets = await kv.open(KV_BUCKETS.tickets, ticketSchema);
    clock = new ManualClock(Date.now());
    leases = new LeaseService(await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }), clock);
    otherLeases = new LeaseService(
      await new KvFactory(otherBus).open(KV_BUCKETS.locks, { class: LeaseRecord }),
      clock,
    );
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  describe('TypedKv', () => {
    it('refuses a second create of the same key', async () => {
      const rev = await tickets.create('T-1', { title: 'a', status: 'todo' });
      expect(rev).toBeGreaterThan(0);
      expect(await tickets.create('T-1', { title: 'b', status: 'todo' })).toBeNull();
      expect(await tickets.get('T-1')).toEqual({
        value: { title: 'a', status: 'todo' },
        revision: rev,
      });
    });

    it('refuses a stale update (compare-and-swap)', async () => {
      const rev = (await tickets.create('T-2', { title: 'a', status: 'todo' })) as number;
      const next = await tickets.update('T-2', { title: 'a', status: 'in_progress' }, rev);
      expect(next).toBeGreaterThan(rev);
      expect(await tickets.update('T-2', { title: 'a', status: 'done' }, rev)).toBeNull();
      expect((await tickets.get('T-2'))?.value.status).toBe('in_progress');
    });

    it('deletes at a revision, recreates after delete, lists keys and values', async () => {
      const rev = (await tickets.create('T-3', { title: 'c', status: 'todo' })) as number;
      expect(await tickets.delete('T-3', rev + 100)).toBe(false);
      expect(await tickets.delete('T-3', rev)).toBe(true);
      expect(await tickets.get('T-3')).toBeNull();
      expect(await tickets.keys()).toEqual(['T-1', 'T-2']);
      expect(await tickets.create('T-3', { title: 'c2', status: 'todo' })).not.toBeNull();
      const values = await tickets.values();
      expect(values.map((v) => [v.key, v.value.title])).toEqual([
        ['T-1', 'a'],
        ['T-2', 'a'],
        ['T-3', 'c2'],
      ]);
    });

    it('names bucket and key when a stored value is corrupted', async () => {
      const raw = await new KvFactory(bus).raw(KV_BUCKETS.tickets);
      await raw.put('T-bad', new TextEncoder().encode('{"title": 1}'));
      const error = await tickets.get('T-bad').catch((e: unknown) => e);
      expect(error).toBeInstanceOf(KvCorruptValueError);
      expect(errorMessage(error)).toMatch(
        /^kv tickets: value of key "T-bad" \(revision \d+\) is invalid: title, status: must be strings$/,
      );
    });

    it('refuses to open a bucket that was not provisioned', async () => {
      const jsm = await bus.jetstreamManager();
      await jsm.streams.delete(`KV_${bus.subjects.bucket(KV_BUCKETS.escalations)}`);
      await expect(new KvFactory(bus).open(KV_BUCKETS.escalations, ticketSchema)).rejects.toThrow(
        /bucket \w+_escalations does not exist; provision the buckets first/,
      );
    });
  });

  describe('LeaseService', () => {
    const acquire = async (
      service: LeaseService,
      key: string,
      holder: string,
      ttl = 10_000,
    ): Promise<Lease> => {
      const result = await service.acquire(key, holder, ttl, 'integration');
      if (!result.ok) throw new Error(`${holder} could not acquire ${key}`);
      return result.lease;
    };

    it('acquires, conflicts, renews and releases', async () => {
      const lease = await acquire(leases, 'checkout', 'demo-controller:run-1');
      expect(await leases.isCurrent('checkout', lease.revision)).toBe(true);

      const refused = await otherLeases.acquire(
        'checkout',
        'jira-resolver:INC-1',
        10_000,
        'restart',
      );
      expect(refused).toEqual({
        ok: false,
        held_by: {
          holder: 'demo-controller:run-1',
          expires_at: lease.expires_at,
          revision: lease.revision,
        },
      });

      clock.advance(7_500);
      const renewed = await leases.renew(lease, 10_000);
      expect(renewed.revision).toBeGreaterThan(lease.revision);
      expect(Date.parse(renewed.expires_at)).toBe(clock.now() + 10_000);
      expect(await leases.isCurrent('checkout', lease.revision)).toBe(false);
      expect(await leases.isCurrent('checkout', renewed.revision)).toBe(true);

      expect(await leases.release(lease)).toBe(false); // the old revision cannot release
      expect(await leases.release(renewed)).toBe(true);
      expect(await leases.current('checkout')).toBeNull();
      const again = await acquire(otherLeases, 'checkout', 'jira-resolver:INC-1');
      expect(await otherLeases.release(again)).toBe(true);
    });

    it('lets exactly one of two concurrent takers win an expired lease', async () => {
      const stale = await acquire(leases, 'frontend', 'crashed-holder', 5_000);
      clock.advance(5_001);
      const [a, b] = await Promise.all([
        leases.acquire('frontend', 'taker-a', 10_000, 'takeover'),
        otherLeases.acquire('frontend', 'taker-b', 10_000, 'takeover'),
      ]);
      const winners = [a, b].filter((r) => r.ok);
      const losers = [a, b].filter((r) => !r.ok);
      expect(winners).toHaveLength(1);
      expect(losers).toHaveLength(1);
      const winner = winners[0];
      const loser = losers[0];
      if (!winner?.ok || loser === undefined || loser.ok) throw new Error('unreachable');
      expect(loser.held_by).toEqual({
        holder: winner.lease.holder,
        expires_at: winner.lease.expires_at,
        revision: winner.lease.revision,
      });
      expect(await leases.isCurrent('frontend', winner.lease.revision)).toBe(true);

      // The crashed holder comes back: its renew fails and its revision is fenced off.
      const lost = await leases.renew(stale, 10_000).catch((e: unknown) => e);
      expect(lost).toBeInstanceOf(LeaseLostError);
      expect(lost).toMatchObject({
        key: 'frontend',
        holder: 'crashed-holder',
        revision: stale.revision,
      });
      expect(await leases.isCurrent('frontend', stale.revision)).toBe(false);
      expect(await leases.release(stale)).toBe(false);
      expect((await leases.current('frontend'))?.holder).toBe(winner.lease.holder);
    });

    it('runs many concurrent takeover races without ever granting two leases', async () => {
      for (let round = 0; round < 10; round++) {
        const key = `race-${round}`;
        await acquire(leases, key, 'old', 1_000);
        clock.advance(1_001);
        const results = await Promise.all([
          leases.acquire(key, 'a', 10_000, 'race'),
          otherLeases.acquire(key, 'b', 10_000, 'race'),
          leases.acquire(key, 'c', 10_000, 'race'),
          otherLeases.acquire(key, 'd', 10_000, 'race'),
        ]);
        expect(results.filter((r) => r.ok)).toHaveLength(1);
      }
    });
  });
});
