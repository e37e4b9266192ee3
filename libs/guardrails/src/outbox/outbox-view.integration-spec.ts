import { Logger } from '@nestjs/common';
import { KV_BUCKETS, type OutboxItemRecord } from '@opscrew/contracts';
import { bucketStreamName, type NatsConnectionService } from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { openOutboxBucket, type OutboxBucket } from './outbox-bucket';
import { recordFromCommand } from './outbox-item.factory';
import { itemKey } from './outbox-keys';
import { outboxOptions } from './outbox-options';
import { OutboxService } from './outbox.service';
import { OutboxStore } from './outbox.store';
import { FakeNotifier, FakeTracker } from './testing/fake-ports';
import { unitAlert } from './testing/outbox-units';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(30_000));

/** Items a storm leaves behind (delivered, kept for retention): what every scan used to read. */
const KEPT = 300;

describe('The outbox view against NATS KV', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let otherBus: NatsConnectionService;
  let bucket: OutboxBucket;
  let otherBucket: OutboxBucket;
  const running: OutboxService[] = [];

  const service = (on: OutboxBucket, notifier = new FakeNotifier()): OutboxService => {
    const box = new OutboxService({
      bucket: on,
      tracker: new FakeTracker(),
      notifier,
      // A slow poll: the requests counted are those of the passes the test runs.
      options: outboxOptions(
        { jira_issues_per_hour: 10, discord_messages_per_minute: 5 },
        { poll_interval_ms: 60_000, retention_ms: 60 * 60 * 1000 },
      ),
    });
    running.push(box);
    return box;
  };
  /** Messages this connection sent (requests, publishes) while `run` ran. */
  const requestsDuring = async (run: () => Promise<void>): Promise<number> => {
    const before = bus.connection().stats().outMsgs;
    await run();
    return bus.connection().stats().outMsgs - before;
  };

  beforeAll(async () => {
    ({ bus } = await openTestBus(NATS_URL, namespace, 'outbox-view-a'));
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'outbox-view-b'));
    bucket = await openOutboxBucket(bus);
    otherBucket = await openOutboxBucket(otherBus);
    const store = new OutboxStore(bucket, new Logger('outbox-view-spec'));
    const now = Date.now();
    for (let n = 1; n <= KEPT; n++) {
      const record: OutboxItemRecord = {
        ...recordFromCommand({ kind: 'notify', notification: unitAlert(n) }, now, n),
        state: 'delivered',
        delivered_at: new Date(now).toISOString(),
      };
      await store.create(itemKey('notify', record.idempotency_key), record);
    }
  });

  afterEach(async () => {
    for (const box of running.splice(0)) await box.stop();
  });

  afterAll(async () => {
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
  });

  it(`an idle pass over ${KEPT} kept items: a few requests once watching, not a listing and a read each`, async () => {
    const box = service(bucket);
    // Not started: every scan lists the keys and reads each one (the outbox before the view).
    const scanning = await requestsDuring(() => box.tick());
    box.start();
    await box.tick(); // the resync: one listing and a read per key, once
    const watching = await requestsDuring(() => box.tick());
    expect(scanning).toBeGreaterThanOrEqual(2 * (KEPT + 1));
    expect(watching).toBeLessThanOrEqual(2);
    expect((await box.depth()).map((d) => d.count)).toEqual([KEPT]);
  });

  it("delivers an item another replica enqueued: the watch brings it, the poll's pass sends it", async () => {
    const notifier = new FakeNotifier();
    const box = service(bucket, notifier);
    box.start();
    await box.tick();
    const enqueuer = service(otherBucket);
    await enqueuer.enqueue({ kind: 'notify', notification: unitAlert(KEPT + 1) });
    await eventually(async () => {
      await box.tick();
      return notifier.sent.length === 1;
    }, 10_000);
    expect(notifier.sent[0]?.idempotency_key).toBe(unitAlert(KEPT + 1).idempotency_key);
  });

  it(
    "keeps following the bucket after the server lost the watch's consumer",
    async () => {
      const notifier = new FakeNotifier();
      const box = service(bucket, notifier);
      box.start();
      await box.tick();
      const jsm = await bus.jetstreamManager();
      const stream = bucketStreamName(bus.subjects.bucket(KV_BUCKETS.outbox));
      for (const consumer of await jsm.consumers.list(stream).next()) {
        await jsm.consumers.delete(stream, consumer.name);
      }
      const enqueuer = service(otherBucket);
      await enqueuer.enqueue({ kind: 'notify', notification: unitAlert(KEPT + 2) });
      await eventually(async () => {
        await box.tick();
        return notifier.sent.length === 1;
        // The client notices a lost consumer by missed heartbeats (~10 s here), then resets it.
      }, 40_000);
    },
    jestTimeout(60_000),
  );
});
