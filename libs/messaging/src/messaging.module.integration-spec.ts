import { Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KV_BUCKETS } from '@opscrew/contracts';
import { jestTimeout } from '@opscrew/testing';
import { type ConsumerHandle } from './consumer-loop';
import { EventConsumer } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { KvFactory } from './kv-factory.service';
import { LeaseService } from './lease.service';
import { MessagingModule } from './messaging.module';
import { MESSAGING_OPTIONS } from './messaging.tokens';
import { type MessagingModuleOptions } from './messaging-module-options';
import { NatsConnectionService } from './nats-connection.service';
import { eventually, removeTestTopology, testBusOptions } from './testing/integration-bus';
import { testNamespace } from './testing/test-namespace';
import { STREAM_SUBJECTS } from './topology';
import { provisionAll } from './topology.provisioner';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(60_000));

/** A stand-in for an app's config provider. */
@Injectable()
class FakeConfig {
  readonly namespace = testNamespace();
  bus(): MessagingModuleOptions {
    return {
      bus: testBusOptions(NATS_URL, this.namespace, 'module-test'),
      source: 'atlas',
      // The open test bus: nobody ran `opscrew bus provision` for this namespace.
      provision: 'create',
    };
  }
}

@Module({ providers: [FakeConfig], exports: [FakeConfig] })
class FakeConfigModule {}

/** What an app's service looks like: injected bus pieces, consumes on init. */
@Injectable()
class LedgerService implements OnModuleInit {
  readonly seen: string[] = [];
  handle: ConsumerHandle | null = null;

  constructor(private readonly consumers: EventConsumer) {}

  async onModuleInit(): Promise<void> {
    this.handle = await this.consumers.consume('atlas-ledger', (event) => {
      if ('incident_id' in event) this.seen.push(event.incident_id);
    });
  }
}

describe('MessagingModule', () => {
  beforeAll(() => {
    Logger.overrideLogger(['error']);
  });
  afterAll(() => {
    Logger.overrideLogger(['log', 'error', 'warn', 'debug', 'verbose', 'fatal']);
  });

  it('connects, provisions (create mode), wires every service, and drains on shutdown', async () => {
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRootAsync({
          imports: [FakeConfigModule],
          inject: [FakeConfig],
          useFactory: (config: FakeConfig) => config.bus(),
        }),
      ],
      providers: [LedgerService],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    app.enableShutdownHooks();
    await app.init();

    const bus = app.get(NatsConnectionService);
    expect(bus.status()).toBe('connected');
    expect(app.get<MessagingModuleOptions>(MESSAGING_OPTIONS).source).toBe('atlas');
    const jsm = await bus.jetstreamManager();
    expect((await jsm.streams.info(bus.subjects.stream())).config.subjects).toHaveLength(
      STREAM_SUBJECTS.length,
    );
    expect((await jsm.streams.info(bus.subjects.deadLetterStream())).config.subjects).toEqual([
      bus.subjects.toWire('deadletter.>'),
    ]);
    expect(
      (await jsm.streams.info(`KV_${bus.subjects.bucket(KV_BUCKETS.locks)}`)).config
        .max_msgs_per_subject,
    ).toBe(1);

    // Something atlas publishes (its acks): the consumers refuse a subject its user does not send.
    const published = await app.get(EventPublisher).publish('incident.updated', {
      incident_id: 'INC-20250131-042',
      fingerprint: 'checkout:oom_kill',
      phase: 'triaged',
    });
    expect(published.event.source).toBe('atlas');
    expect(app.get(EventPublisher).publisher).toBe('atlas');
    const ledger = app.get(LedgerService);
    await eventually(() => ledger.seen.includes('INC-20250131-042'));

    const lease = await app.get(LeaseService).acquire('checkout', 'atlas', 5_000, 'module test');
    expect(lease.ok).toBe(true);
    expect(app.get(KvFactory)).toBeInstanceOf(KvFactory);

    await app.close();
    expect(bus.status()).toBe('closed');
    expect(ledger.handle).not.toBeNull();
    await ledger.handle?.done; // the consumer was stopped before the drain

    // Clean up with a fresh connection (the app's is closed).
    const cleanup = new NatsConnectionService(
      testBusOptions(NATS_URL, app.get(FakeConfig).namespace),
    );
    await cleanup.connect();
    await removeTestTopology(cleanup);
    await cleanup.close();
  });

  it('forRoot with plain options, provisioning off', async () => {
    const namespace = testNamespace();
    const moduleRef = await Test.createTestingModule({
      imports: [
        MessagingModule.forRoot({
          bus: testBusOptions(NATS_URL, namespace),
          source: 'cli',
          provision: false,
        }),
      ],
    }).compile();
    const app = moduleRef.createNestApplication({ logger: false });
    await app.init();
    const bus = app.get(NatsConnectionService);
    const jsm = await bus.jetstreamManager();
    await expect(jsm.streams.info(bus.subjects.stream())).rejects.toThrow(/stream not found/);
    await app.close();
    expect(bus.status()).toBe('closed');
  });

  it('verify mode (the default): waits for the topology, then fails naming what is missing and the remedy', async () => {
    const namespace = testNamespace();
    const warnings: string[] = [];
    const warn = jest.spyOn(Logger.prototype, 'warn').mockImplementation((message: unknown) => {
      warnings.push(String(message));
    });
    try {
      const started = Date.now();
      await expect(
        Test.createTestingModule({
          imports: [
            MessagingModule.forRoot({
              bus: testBusOptions(NATS_URL, namespace),
              source: 'atlas',
              durables: ['atlas-ledger'],
              topology_wait_ms: 1_500,
            }),
          ],
        }).compile(),
      ).rejects.toThrow(
        new RegExp(
          `bus topology missing: stream OPS_${namespace}, stream DEADLETTERS_${namespace}, bucket ${namespace}_\\w+.*; run \`opscrew bus provision\` with admin credentials`,
        ),
      );
      expect(Date.now() - started).toBeGreaterThanOrEqual(1_400);
      expect(warnings.join('\n')).toMatch(/bus topology missing: .*waiting up to 2 s/);
    } finally {
      warn.mockRestore();
    }
  });

  it('verify mode: starts once an admin step has provisioned, and names a missing durable', async () => {
    const namespace = testNamespace();
    const admin = new NatsConnectionService(testBusOptions(NATS_URL, namespace, 'module-admin'));
    await admin.connect();
    try {
      await provisionAll(await admin.jetstreamManager(), admin.subjects, {
        duplicate_window_ms: admin.options.duplicate_window_ms,
      });
      const moduleRef = await Test.createTestingModule({
        imports: [
          MessagingModule.forRoot({
            bus: testBusOptions(NATS_URL, namespace),
            source: 'atlas',
            provision: 'verify',
            durables: ['atlas-ledger', 'atlas-deadletters'],
            topology_wait_ms: 1_000,
          }),
        ],
      }).compile();
      const app = moduleRef.createNestApplication({ logger: false });
      await app.init();
      expect(app.get(NatsConnectionService).status()).toBe('connected');
      await app.close();

      // A durable deleted behind its back: the message names it (stream and name).
      const jsm = await admin.jetstreamManager();
      await jsm.consumers.delete(admin.subjects.stream(), 'atlas-ledger');
      await expect(
        Test.createTestingModule({
          imports: [
            MessagingModule.forRoot({
              bus: testBusOptions(NATS_URL, namespace),
              source: 'atlas',
              durables: ['atlas-ledger'],
              topology_wait_ms: 300,
            }),
          ],
        }).compile(),
      ).rejects.toThrow(`bus topology missing: consumer OPS_${namespace}/atlas-ledger;`);
    } finally {
      await removeTestTopology(admin);
      await admin.close();
    }
  });
});
