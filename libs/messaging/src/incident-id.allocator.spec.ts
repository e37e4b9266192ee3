import { formatEpoch } from '@opscrew/incident';
import { counterSchema, INCIDENT_EPOCH_KEY, IncidentIdAllocator } from './incident-id.allocator';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

const DAY = new Date('2026-12-06T10:00:00Z');

describe('IncidentIdAllocator (fake KV)', () => {
  let fake: FakeKv;
  let sequences: TypedKv<number>;

  beforeEach(() => {
    fake = new FakeKv('sequences');
    sequences = new TypedKv(fake.asKv(), 'sequences', counterSchema);
  });

  it('creates the epoch once (one draw) and counts per day under it', async () => {
    const random = jest.fn(() => 0.5);
    const allocator = new IncidentIdAllocator(sequences, random);
    const epoch = formatEpoch(Math.floor(0.5 * 32 ** 4));
    expect(await allocator.next(DAY)).toBe(`INC-20261206-001-${epoch}`);
    expect(await allocator.next(DAY)).toBe(`INC-20261206-002-${epoch}`);
    expect(await allocator.next(new Date('2026-12-07T00:00:00Z'))).toBe(
      `INC-20261207-001-${epoch}`,
    );
    expect(random).toHaveBeenCalledTimes(1);
  });

  it('serves requests waiting together for one day in one counter write, numbered in call order', async () => {
    const allocator = new IncidentIdAllocator(sequences, () => 0.5);
    await allocator.next(DAY);
    const writes: string[] = [];
    fake.beforeWrite = (key) => {
      writes.push(key);
      return Promise.resolve();
    };
    const ids = await Promise.all(Array.from({ length: 5 }, () => allocator.next(DAY)));
    expect(ids.map((id) => id.split('-')[2])).toEqual(['002', '003', '004', '005', '006']);
    // The first request found no round running and started one; the other four share the next.
    expect(writes).toEqual(['incident.20261206', 'incident.20261206']);
    expect(await allocator.next(DAY)).toMatch(/^INC-20261206-007-/);
  });

  it('keeps the order of requests across a change of day, each day counted on its own', async () => {
    const allocator = new IncidentIdAllocator(sequences, () => 0.5);
    const next = new Date('2026-12-07T00:00:00Z');
    const ids = await Promise.all([DAY, DAY, next, DAY].map((at) => allocator.next(at)));
    expect(ids.map((id) => id.slice(4, 16))).toEqual([
      '20261206-001',
      '20261206-002',
      '20261207-001',
      '20261206-003',
    ]);
  });

  it('fails every request of a round that fails, and serves the next ones', async () => {
    const allocator = new IncidentIdAllocator(sequences, () => 0.5);
    await allocator.next(DAY);
    fake.beforeWrite = () => Promise.reject(new Error('bus down'));
    const failed = await Promise.allSettled([allocator.next(DAY), allocator.next(DAY)]);
    expect(failed.map((r) => r.status)).toEqual(['rejected', 'rejected']);
    fake.beforeWrite = null;
    expect(await allocator.next(DAY)).toMatch(/^INC-20261206-002-/);
  });

  it('gives two processes racing on the counter distinct, consecutive numbers', async () => {
    const a = new IncidentIdAllocator(sequences, () => 0.1);
    const b = new IncidentIdAllocator(
      new TypedKv(fake.asKv(), 'sequences', counterSchema),
      () => 0.9,
    );
    let raced = 0;
    fake.beforeWrite = async () => {
      // Let the other process's read happen before each of the first writes lands.
      if (raced++ < 6) await new Promise((resolve) => setImmediate(resolve));
    };
    const ids = await Promise.all([a.next(DAY), b.next(DAY), a.next(DAY), b.next(DAY)]);
    const numbers = ids.map((id) => id.split('-')[2]).sort();
    expect(numbers).toEqual(['001', '002', '003', '004']);
    // One epoch for the store, whoever created it.
    expect(new Set(ids.map((id) => id.split('-')[3])).size).toBe(1);
  });

  it('allocates again under the new epoch when the store is reset mid-allocation', async () => {
    const draws = [0.1, 0.7];
    const allocator = new IncidentIdAllocator(sequences, () => draws.shift() ?? 0.3);
    const first = await allocator.next(DAY);
    let reset = false;
    fake.beforeWrite = async (key) => {
      if (reset || key !== 'incident.20261206') return;
      reset = true;
      // The store is wiped between the epoch read and the counter write.
      await sequences.delete(INCIDENT_EPOCH_KEY);
      await sequences.delete('incident.20261206');
    };
    const second = await allocator.next(DAY);
    expect(second.split('-')[3]).not.toBe(first.split('-')[3]);
    expect(second.split('-')[3]).toBe(formatEpoch(Math.floor(0.7 * 32 ** 4)));
  });
});
