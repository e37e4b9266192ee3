import { type LeaseRecord } from '@opscrew/contracts';
import { type KvItem, type TypedKv } from '@opscrew/messaging';

import { LockedServicesReader, type LockTimingsConfig } from './locked-services.reader';

const NOW = new Date('2026-11-25T10:00:00.000Z');

function lease(holder: string, expiresInMs: number): LeaseRecord {
  return {
    holder,
    acquired_at: new Date(NOW.getTime() - 1_000).toISOString(),
    expires_at: new Date(NOW.getTime() + expiresInMs).toISOString(),
    ttl_ms: 60_000,
    reason: 'test',
  };
}

function readerOver(items: Array<KvItem<LeaseRecord>>, graceMs = 0): LockedServicesReader {
  const kv = { values: () => Promise.resolve(items) } as unknown as TypedKv<LeaseRecord>;
  return new LockedServicesReader(kv, timings(graceMs));
}

function timings(graceMs: number, settleMs = 0): LockTimingsConfig {
  return {
    thresholds: {
      detection: { after_lock_grace_s: graceMs / 1000, culprit: { settle_s: settleMs / 1000 } },
    },
  };
}

describe('LockedServicesReader', () => {
  it('reports a live load-test lock as deliberate work on its service', async () => {
    const held = await readerOver([
      { key: 'service.cart', value: lease('demo-controller-h-1-abc:run-1', 30_000), revision: 3 },
    ]).read(NOW);
    expect([...held.keys()]).toEqual(['cart']);
    expect(held.get('cart')?.holder).toBe('demo-controller-h-1-abc:run-1');
  });

  it("ignores the crew's own remediation lease: anomalies then belong to the incident being fixed", async () => {
    const held = await readerOver([
      {
        key: 'service.cart',
        value: lease('jira-resolver-h-2-def:INC-20261125-001', 30_000),
        revision: 4,
      },
    ]).read(NOW);
    expect(held.size).toBe(0);
  });

  it('ignores lapsed leases and keys that are not service locks', async () => {
    const held = await readerOver([
      { key: 'service.ad', value: lease('demo-controller-h-1-abc:run-1', -1), revision: 5 },
      {
        key: 'scenario.active',
        value: lease('demo-controller-h-1-abc:run-2', 30_000),
        revision: 6,
      },
    ]).read(NOW);
    expect(held.size).toBe(0);
  });

  it('keeps a released service under deliberate work for the grace period, then lets it go', async () => {
    const items: Array<KvItem<LeaseRecord>> = [
      { key: 'service.cart', value: lease('demo-controller-h-1-abc:run-1', 30_000), revision: 3 },
    ];
    const reader = readerOver(items, 10_000);
    expect([...(await reader.read(NOW)).keys()]).toEqual(['cart']);
    items.length = 0; // the load test released its lock
    const at = (ms: number): Date => new Date(NOW.getTime() + ms);
    expect([...(await reader.read(at(9_999))).keys()]).toEqual(['cart']);
    expect((await reader.read(at(10_000))).size).toBe(0);
    expect((await reader.read(at(10_001))).size).toBe(0);
  });

  it("reports the crew's own restarts, and for the settle window after the lease went", async () => {
    const items: Array<KvItem<LeaseRecord>> = [
      {
        key: 'service.shipping',
        value: lease('jira-resolver-h-2-def:INC-20261125-001', 30_000),
        revision: 4,
      },
      { key: 'service.cart', value: lease('demo-controller-h-1-abc:run-1', 30_000), revision: 3 },
    ];
    const kv = { values: () => Promise.resolve(items) } as unknown as TypedKv<LeaseRecord>;
    const reader = new LockedServicesReader(kv, timings(0, 30_000));
    const during = await reader.view(NOW);
    expect([...during.restarting]).toEqual(['shipping']);
    expect([...during.deliberate.keys()]).toEqual(['cart']);
    items.splice(0, 1); // the run verified and released its lease
    const settling = await reader.view(new Date(NOW.getTime() + 20_000));
    expect([...settling.restarting]).toEqual(['shipping']);
    const settled = await reader.view(new Date(NOW.getTime() + 31_000));
    expect([...settled.restarting]).toEqual([]);
  });
});
