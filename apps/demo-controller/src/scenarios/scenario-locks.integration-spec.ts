import { createServer, type Server } from 'node:http';
import { Logger } from '@nestjs/common';
import {
  type AnyEvent,
  KV_BUCKETS,
  LeaseRecord,
  LockAcquiredEvent,
  LockReleasedEvent,
  ScenarioFinishedEvent,
  ScenarioStartedEvent,
  serviceLockKey,
} from '@opscrew/contracts';
import { BuiltinLoadDriver } from '@opscrew/integrations';
import {
  type ConsumerHandle,
  EventConsumer,
  EventPublisher,
  KvFactory,
  LeaseService,
  type NatsConnectionService,
} from '@opscrew/messaging';
import {
  eventually,
  openTestBus,
  removeTestTopology,
  testNamespace,
} from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { ServiceLockSet } from '../locks/service-lock.set';
import { FakeFlags, shippedConfig, withController } from '../testing/fakes';
import { MemoryJournal } from '../testing/memory.journal';
import { systemScheduler } from '../support/scheduler';
import { SHOP_LOAD_MIX } from '../load/shop-task.mix';
import { ScenarioCatalog } from './scenario.catalog';
import { ScenarioRunner } from './scenario.runner';
import { ShopFaultClient } from './shop-fault.client';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

const SHOP = [
  'frontend',
  'ad',
  'cart',
  'checkout',
  'currency',
  'payment',
  'product-catalog',
  'recommendation',
  'shipping',
];
/** A lease of 1.5 s renews every ~1.1 s: several renewals within a few seconds of load. */
const LEASE_MS = 1_500;

describe('scenario locks against NATS JetStream', () => {
  const namespace = testNamespace();
  let bus: NatsConnectionService;
  let otherBus: NatsConnectionService;
  let leases: LeaseService;
  let otherLeases: LeaseService;
  let publisher: EventPublisher;
  let consumers: EventConsumer;
  let handle: ConsumerHandle;
  const lockEvents: AnyEvent[] = [];
  const scenarioEvents: AnyEvent[] = [];
  let scenarioHandle: ConsumerHandle;
  let shop: Server;
  let shopUrl: string;
  const logger = { log: jest.fn(), warn: jest.fn(), error: jest.fn() };

  beforeAll(async () => {
    Logger.overrideLogger(['error']);
    ({ bus } = await openTestBus(NATS_URL, namespace, 'demo-controller-a'));
    // Another process: the competing holder (jira-resolver) has its own connection.
    ({ bus: otherBus } = await openTestBus(NATS_URL, namespace, 'demo-controller-b'));
    leases = new LeaseService(
      await new KvFactory(bus).open(KV_BUCKETS.locks, { class: LeaseRecord }),
    );
    otherLeases = new LeaseService(
      await new KvFactory(otherBus).open(KV_BUCKETS.locks, { class: LeaseRecord }),
    );
    publisher = new EventPublisher(bus, 'demo-controller');
    consumers = new EventConsumer(bus, publisher);
    handle = await consumers.consume('demo-controller-locks', (event) => {
      lockEvents.push(event);
    });
    scenarioHandle = await consumers.consume('ops-monitor-scenarios', (event) => {
      scenarioEvents.push(event);
    });
    shop = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.end('ok'));
    });
    await new Promise<void>((resolve) => shop.listen(0, '127.0.0.1', resolve));
    const address = shop.address();
    shopUrl = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });

  afterAll(async () => {
    await handle.stop();
    await scenarioHandle.stop();
    await new Promise((resolve) => shop.close(resolve));
    await removeTestTopology(bus);
    await otherBus.close();
    await bus.close();
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it("stress takes every loaded service's lease, renews it, releases it at the end and says so on the bus", async () => {
    const config = withController(shippedConfig().config, { load_host: shopUrl });
    const load = new BuiltinLoadDriver(SHOP_LOAD_MIX);
    const runner = new ScenarioRunner(
      new ScenarioCatalog(config),
      load,
      new FakeFlags(),
      new ShopFaultClient('t'),
      leases,
      publisher,
      new MemoryJournal(),
      'demo-controller-it',
      {
        lock: { lease_ms: LEASE_MS, max_hold_ms: 1_800_000 },
        alerting: config.thresholds.alerting,
      },
      systemScheduler,
      logger,
    );
    // 180 s × 0.025 = 4.5 s of load.
    const started = await runner.start('stress', { durationScale: 0.025 });
    const holder = `demo-controller-it:${started.run_id}`;
    expect(started.locked).toEqual(SHOP);
    const first = new Map<string, number>();
    for (const service of SHOP) {
      const lease = await otherLeases.current(serviceLockKey(service));
      expect(lease?.holder).toBe(holder);
      first.set(service, lease?.revision ?? 0);
    }
    // The crew cannot take a locked service meanwhile.
    const denied = await otherLeases.acquire(
      serviceLockKey('cart'),
      'jira-resolver-it',
      60_000,
      'restart',
    );
    expect(denied).toMatchObject({ ok: false, held_by: { holder } });

    // Past two renew periods the leases are still ours, at later revisions, never expired.
    await new Promise((resolve) => setTimeout(resolve, 2_600));
    for (const service of SHOP) {
      const lease = await otherLeases.current(serviceLockKey(service));
      expect(lease?.holder).toBe(holder);
      expect(lease?.revision).toBeGreaterThan(first.get(service) ?? 0);
    }
    expect((await load.stats()).requests).toBeGreaterThan(0);

    const result = await started.done;
    expect(result.outcome).toBe('completed');
    expect(result.load?.requests).toBeGreaterThan(0);
    for (const service of SHOP)
      expect(await otherLeases.current(serviceLockKey(service))).toBeNull();

    await eventually(
      () => lockEvents.filter((e) => e instanceof LockReleasedEvent).length >= SHOP.length,
    );
    const acquired = lockEvents.filter(
      (e): e is LockAcquiredEvent => e instanceof LockAcquiredEvent,
    );
    const released = lockEvents.filter(
      (e): e is LockReleasedEvent => e instanceof LockReleasedEvent,
    );
    expect(acquired.map((e) => e.service).sort()).toEqual([...SHOP].sort());
    expect(released.map((e) => [e.service, e.holder, e.reason])).toEqual(
      expect.arrayContaining(SHOP.map((service) => [service, holder, 'released'])),
    );
    await eventually(() => scenarioEvents.some((e) => e instanceof ScenarioFinishedEvent));
    expect(scenarioEvents.find((e) => e instanceof ScenarioStartedEvent)).toMatchObject({
      scenario: 'stress',
      run_id: started.run_id,
      services: SHOP,
      expected: { informational_only: true, remediation_expected: false },
    });
    await load.close();
  });

  it('a killed holder stops renewing: its lease expires on its own and another holder takes the service', async () => {
    const set = new ServiceLockSet(
      { leases, publisher, scheduler: systemScheduler, logger },
      {
        holder: 'demo-controller-killed:run-1',
        reason: 'stress',
        lease_ms: LEASE_MS,
        max_hold_ms: 60_000,
      },
    );
    expect((await set.acquire(['cart'])).held).toEqual(['cart']);
    // "kill -9": no more renewals, no release.
    set.abandon();
    expect(
      (await otherLeases.acquire(serviceLockKey('cart'), 'jira-resolver-it', 60_000, 'restart')).ok,
    ).toBe(false);
    await eventually(
      async () =>
        (await otherLeases.acquire(serviceLockKey('cart'), 'jira-resolver-it', 60_000, 'restart'))
          .ok,
      5_000,
      100,
    );
    expect((await leases.current(serviceLockKey('cart')))?.holder).toBe('jira-resolver-it');
  });
});
