import { serviceLockKey } from '@opscrew/contracts';
import { RecordingPublisher } from '@opscrew/testing';
import { fakeLeases } from '../testing/fakes';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { type LockHold, ServiceLockSet } from './service-lock.set';

const SERVICES = ['frontend', 'cart', 'checkout'];

function setup(options: { lease_ms?: number; max_hold_ms?: number } = {}) {
  const clock = new ManualScheduler();
  const { leases, kv } = fakeLeases(clock);
  const publisher = new RecordingPublisher('demo-controller', clock);
  const logger = { log: jest.fn(), warn: jest.fn() };
  const lost: string[] = [];
  const holds: LockHold[] = [];
  const set = new ServiceLockSet(
    { leases, publisher, scheduler: clock, logger },
    {
      holder: 'demo-controller-test:stress-1',
      reason: 'load scenario stress',
      lease_ms: options.lease_ms ?? 60_000,
      max_hold_ms: options.max_hold_ms ?? 1_800_000,
    },
    {
      onLost: (service, why) => lost.push(`${service}: ${why}`),
      onHold: (hold) => holds.push(hold),
    },
  );
  return { clock, leases, kv, publisher, logger, lost, holds, set };
}

describe('ServiceLockSet', () => {
  it('takes every service, renews at 75 % of the lease, releases all and says so on the bus', async () => {
    const { clock, leases, publisher, set, holds } = setup();
    const taken = await set.acquire(SERVICES);
    expect(taken).toEqual({ held: SERVICES, skipped: [] });
    expect(publisher.of('lock.acquired').map((e) => e.service)).toEqual(SERVICES);
    const first = await leases.current(serviceLockKey('cart'));
    expect(first).toMatchObject({ holder: 'demo-controller-test:stress-1', ttl_ms: 60_000 });

    await clock.advance(44_999);
    expect((await leases.current(serviceLockKey('cart')))?.revision).toBe(first?.revision);
    await clock.advance(1);
    const renewed = await leases.current(serviceLockKey('cart'));
    expect(renewed?.revision).toBeGreaterThan(first?.revision ?? 0);
    expect(Date.parse(renewed?.expires_at ?? '')).toBe(clock.now() + 60_000);
    // Renewed again and again: three minutes of load, still held.
    await clock.advance(180_000);
    expect(await leases.current(serviceLockKey('checkout'))).not.toBeNull();

    await set.releaseAll();
    for (const service of SERVICES)
      expect(await leases.current(serviceLockKey(service))).toBeNull();
    expect(publisher.of('lock.released').map((e) => [e.service, e.reason])).toEqual(
      SERVICES.map((service) => [service, 'released']),
    );
    expect(holds.filter((h) => h.released).map((h) => h.service)).toEqual(SERVICES);
    expect(clock.waiting).toBe(0);
  });

  it('skips a service someone else holds (a restart in progress), with a log line', async () => {
    const { leases, set, logger, publisher } = setup();
    await leases.acquire(
      serviceLockKey('cart'),
      'jira-resolver-x:INC-20250131-001',
      300_000,
      'restart',
    );
    const taken = await set.acquire(SERVICES);
    expect(taken).toEqual({
      held: ['frontend', 'checkout'],
      skipped: [{ service: 'cart', held_by: 'jira-resolver-x:INC-20250131-001' }],
    });
    expect(logger.log).toHaveBeenCalledWith(
      expect.stringMatching(
        /^lock cart: held by jira-resolver-x:INC-20250131-001 until .*; the load runs without it$/,
      ),
    );
    expect(publisher.of('lock.acquired')).toHaveLength(2);
    await set.releaseAll();
    expect((await leases.current(serviceLockKey('cart')))?.holder).toBe(
      'jira-resolver-x:INC-20250131-001',
    );
  });

  it('never holds past max_hold: the last renew is shortened, then the set reports it', async () => {
    const { clock, leases, set, lost } = setup({ lease_ms: 60_000, max_hold_ms: 100_000 });
    await set.acquire(['frontend']);
    // The renew at 45 s would reach 105 s: it is capped at the 100 s deadline instead.
    await clock.advance(45_000);
    expect(Date.parse((await leases.current(serviceLockKey('frontend')))?.expires_at ?? '')).toBe(
      clock.now() + 55_000,
    );
    await clock.advance(60_000);
    expect(lost).toEqual(['frontend: max hold of 100 s reached']);
    // Not renewed past the deadline: expired at 100 s.
    expect(await leases.current(serviceLockKey('frontend'))).toBeNull();
  });

  it('a crashed holder (no more renewals) frees the service within one lease; the set reports a lost lease', async () => {
    const { clock, leases, set, lost, publisher } = setup({ lease_ms: 60_000 });
    await set.acquire(['cart']);
    set.abandon();
    await clock.advance(60_001);
    const other = await leases.acquire(
      serviceLockKey('cart'),
      'jira-resolver-y',
      60_000,
      'restart',
    );
    expect(other.ok).toBe(true);
    expect(lost).toEqual([]);

    // A live set whose lease was taken over meanwhile stops acting at its next renew.
    const second = setup({ lease_ms: 2_000 });
    await second.set.acquire(['cart']);
    // The key changes hands behind the holder's back (as after an event-loop stall past expiry).
    await second.kv.delete(serviceLockKey('cart'));
    await second.leases.acquire(serviceLockKey('cart'), 'other', 60_000, 'restart');
    await second.clock.advance(2_000);
    expect(second.lost).toEqual([expect.stringMatching(/^cart: lease lost: /)]);
    expect(second.publisher.of('lock.released')).toEqual([
      expect.objectContaining({ service: 'cart', reason: 'expired' }),
    ]);
    await second.set.releaseAll();
    expect((await second.leases.current(serviceLockKey('cart')))?.holder).toBe('other');
    expect(publisher.of('lock.released')).toEqual([]);
  });

  it('a renew that fails for a transient reason is retried while the lease lasts', async () => {
    const { clock, leases, set, logger } = setup({ lease_ms: 10_000 });
    await set.acquire(['cart']);
    const renew = jest.spyOn(leases, 'renew').mockRejectedValueOnce(new Error('NATS reconnecting'));
    await clock.advance(7_500);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('renew failed (NATS reconnecting); retrying'),
    );
    await clock.advance(1_000);
    expect(renew).toHaveBeenCalledTimes(2);
    expect(Date.parse((await leases.current(serviceLockKey('cart')))?.expires_at ?? '')).toBe(
      clock.now() + 10_000,
    );
    await set.releaseAll();
  });
});
