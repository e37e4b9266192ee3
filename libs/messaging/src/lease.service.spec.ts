import { LeaseRecord } from '@opscrew/contracts';
import { ManualClock } from '@opscrew/testing';
import { LeaseLostError } from './lease-lost.error';
import { type Lease, LeaseService, MAX_LEASE_TTL_MS } from './lease.service';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

describe('LeaseService (fake KV, fake clock)', () => {
  let fake: FakeKv;
  let clock: ManualClock;
  let leases: LeaseService;

  beforeEach(() => {
    fake = new FakeKv('locks');
    clock = new ManualClock();
    leases = new LeaseService(new TypedKv(fake.asKv(), 'locks', { class: LeaseRecord }), clock);
  });

  const acquired = async (holder: string, ttl = 10_000): Promise<Lease> => {
    const result = await leases.acquire('checkout', holder, ttl, 'load test');
    if (!result.ok) throw new Error(`expected ${holder} to acquire`);
    return result.lease;
  };

  it('acquires a free key with create', async () => {
    const lease = await acquired('demo-controller:run-1');
    expect(lease).toEqual({
      key: 'checkout',
      holder: 'demo-controller:run-1',
      revision: 1,
      acquired_at: '2025-01-31T12:00:00.000Z',
      expires_at: '2025-01-31T12:00:10.000Z',
      ttl_ms: 10_000,
      reason: 'load test',
    });
  });

  it('refuses while a live lease exists, naming the holder', async () => {
    await acquired('a');
    clock.advance(9_999);
    expect(await leases.acquire('checkout', 'b', 10_000, 'restart')).toEqual({
      ok: false,
      held_by: { holder: 'a', expires_at: '2025-01-31T12:00:10.000Z', revision: 1 },
    });
  });

  it('takes over an expired lease by CAS on the revision read', async () => {
    await acquired('a');
    clock.advance(10_000);
    const taken = await acquired('b');
    expect(taken.holder).toBe('b');
    expect(taken.revision).toBe(2);
    expect(await leases.isCurrent('checkout', 1)).toBe(false);
    expect(await leases.isCurrent('checkout', 2)).toBe(true);
  });

  it('lets exactly one of two takers win an expired lease', async () => {
    await acquired('a');
    clock.advance(60_000);
    let writes = 0;
    let competitor: Awaited<ReturnType<LeaseService['acquire']>> | null = null;
    fake.beforeWrite = async () => {
      writes += 1;
      if (writes === 2) {
        // Our create failed (write 1) and we read revision 1; before our CAS update
        // (write 2) lands, a competitor that read the same revision takes over.
        fake.beforeWrite = null;
        const other = new LeaseService(
          new TypedKv(fake.asKv(), 'locks', { class: LeaseRecord }),
          clock,
        );
        competitor = await other.acquire('checkout', 'c', 10_000, 'competitor');
      }
    };
    const result = await leases.acquire('checkout', 'b', 10_000, 'restart');
    expect(competitor).toMatchObject({ ok: true, lease: { holder: 'c', revision: 2 } });
    expect(result).toEqual({
      ok: false,
      held_by: { holder: 'c', expires_at: '2025-01-31T12:01:10.000Z', revision: 2 },
    });
    expect(await leases.isCurrent('checkout', 2)).toBe(true);
  });

  it('takes a key released while it was taking over the expired lease (decides again: free)', async () => {
    const old = await acquired('a');
    clock.advance(60_000);
    let writes = 0;
    fake.beforeWrite = async () => {
      writes += 1;
      if (writes === 2) {
        // Our create failed (write 1), we read the expired lease; before our CAS take-over
        // lands, its late holder releases it: the take-over loses, the next round finds it free.
        fake.beforeWrite = null;
        expect(await leases.release(old)).toBe(true);
      }
    };
    const result = await leases.acquire('checkout', 'b', 10_000, 'restart');
    expect(result).toMatchObject({ ok: true, lease: { holder: 'b', revision: 3 } });
    expect(await leases.isCurrent('checkout', 3)).toBe(true);
  });

  it('renews with the current revision and returns the new one', async () => {
    const lease = await acquired('a');
    clock.advance(7_500);
    const renewed = await leases.renew(lease, 10_000);
    expect(renewed.revision).toBe(2);
    expect(renewed.acquired_at).toBe(lease.acquired_at);
    expect(renewed.expires_at).toBe('2025-01-31T12:00:17.500Z');
    expect(await leases.isCurrent('checkout', renewed.revision)).toBe(true);
    expect(await leases.isCurrent('checkout', lease.revision)).toBe(false);
  });

  it('throws LeaseLostError on renew after a takeover, and the old revision is no longer current', async () => {
    const old = await acquired('a');
    clock.advance(10_001);
    const taker = await acquired('b');
    const error = await leases.renew(old, 10_000).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LeaseLostError);
    expect(error).toMatchObject({ key: 'checkout', holder: 'a', revision: 1 });
    expect(await leases.isCurrent('checkout', old.revision)).toBe(false);
    expect((await leases.current('checkout'))?.holder).toBe(taker.holder);
  });

  it('releases only its own lease', async () => {
    const old = await acquired('a');
    clock.advance(10_001);
    const taker = await acquired('b');
    expect(await leases.release(old)).toBe(false);
    expect((await leases.current('checkout'))?.holder).toBe('b');
    expect(await leases.release(taker)).toBe(true);
    expect(await leases.current('checkout')).toBeNull();
    expect((await leases.acquire('checkout', 'c', 10_000, 'after release')).ok).toBe(true);
  });

  it('reports an expired lease as no lease', async () => {
    const lease = await acquired('a');
    expect(await leases.current('checkout')).toEqual(lease);
    clock.advance(10_000);
    expect(await leases.current('checkout')).toBeNull();
    expect(await leases.isCurrent('checkout', lease.revision)).toBe(false);
  });

  it('tells when to renew: at 75 % of the lease', async () => {
    const lease = await acquired('a', 20_000);
    expect(leases.renewDelay(lease)).toBe(15_000);
    clock.advance(16_000);
    expect(leases.renewDelay(lease)).toBe(0);
  });

  it('bounds the TTL', async () => {
    await expect(leases.acquire('checkout', 'a', 999, 'x')).rejects.toThrow(RangeError);
    await expect(leases.acquire('checkout', 'a', MAX_LEASE_TTL_MS + 1, 'x')).rejects.toThrow(
      /between 1000 and 3600000/,
    );
    const lease = await acquired('a');
    await expect(leases.renew(lease, 1.5e3 + 0.5)).rejects.toThrow(RangeError);
  });
});
