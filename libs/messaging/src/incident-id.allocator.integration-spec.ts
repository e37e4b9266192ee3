import { Logger } from '@nestjs/common';
import { INCIDENT_ID_PATTERN, KV_BUCKETS } from '@opscrew/contracts';
import { jestTimeout } from '@opscrew/testing';
import { counterSchema, INCIDENT_EPOCH_KEY, IncidentIdAllocator } from './incident-id.allocator';
import { KvFactory } from './kv-factory.service';
import { type NatsConnectionService } from './nats-connection.service';
import { openTestBus, removeTestTopology } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { bucketStreamName, provisionAll } from './topology.provisioner';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

jest.setTimeout(jestTimeout(60_000));

describe('IncidentIdAllocator against NATS JetStream (ids unique across store resets)', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let otherBus: NatsConnectionService;

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'ids-a'));
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'ids-b'));
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  /** A reset NATS store: the sequences bucket destroyed and provisioned again, empty. */
  const resetStore = async (): Promise<void> => {
    const jsm = await bus.jetstreamManager();
    await jsm.streams.delete(bucketStreamName(bus.subjects.bucket(KV_BUCKETS.sequences)));
    await provisionAll(jsm, bus.subjects, { duplicate_window_ms: bus.options.duplicate_window_ms });
  };

  it('hands out a different id after the store is reset the same day', async () => {
    const allocator = new IncidentIdAllocator(
      await new KvFactory(bus).open(KV_BUCKETS.sequences, counterSchema),
    );
    const day = new Date('2026-12-06T10:00:00Z');
    const before = await allocator.next(day);
    expect(before).toMatch(/^INC-20261206-001-[0-9a-z]{4}$/);
    expect(before).toMatch(INCIDENT_ID_PATTERN);

    await resetStore();
    // The same process (and allocator) keeps running across the reset: the epoch is re-read.
    const after = await allocator.next(day);
    expect(after).toMatch(/^INC-20261206-001-[0-9a-z]{4}$/);
    expect(after).not.toBe(before);
    expect(await allocator.next(day)).toBe(after.replace('-001-', '-002-'));
  });

  it('gives concurrent allocators of two processes unique ids under one epoch', async () => {
    await resetStore();
    const a = new IncidentIdAllocator(
      await new KvFactory(bus).open(KV_BUCKETS.sequences, counterSchema),
    );
    const b = new IncidentIdAllocator(
      await new KvFactory(otherBus).open(KV_BUCKETS.sequences, counterSchema),
    );
    const day = new Date('2026-12-07T10:00:00Z');
    // Both race to create the fresh store's epoch and then the day counter.
    const ids = await Promise.all(
      Array.from({ length: 40 }, (_, i) => (i % 2 === 0 ? a : b).next(day)),
    );
    expect(new Set(ids).size).toBe(40);
    const epochs = new Set(ids.map((id) => id.slice(-4)));
    expect(epochs.size).toBe(1);
    const numbers = ids.map((id) => Number(id.split('-')[2])).sort((x, y) => x - y);
    expect(numbers).toEqual(Array.from({ length: 40 }, (_, i) => i + 1));
    const stored = await (
      await new KvFactory(bus).open(KV_BUCKETS.sequences, counterSchema)
    ).get(INCIDENT_EPOCH_KEY);
    expect(stored).not.toBeNull();
  });
});
