import { Injectable, Logger, Module, type OnModuleInit } from '@nestjs/common';
import { Test } from '@nestjs/testing';
import { KV_BUCKETS } from '@opscrew/contracts';
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

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(60_000);

/** A stand-in for an app's config provider. */
@Injectable()
class FakeConfig {
  readonly namespace = testNamespace();
  bus(): MessagingModuleOptions {
    return { bus: testBusOptions(NATS_URL, this.namespace, 'module-test'), source: 'atlas' };
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
      this.seen.push(event.incident_id);
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

  it('connects, provisions, wires every service, and drains on shutdown', async () => {
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
    expect((await jsm.streams.info(bus.subjects.stream())).config.subjects).toHaveLength(9);
    expect(
      (await jsm.streams.info(`KV_${bus.subjects.bucket(KV_BUCKETS.locks)}`)).config
        .max_msgs_per_subject,
    ).toBe(1);

    const published = await app.get(EventPublisher).publish('incident.escalated', {
      incident_id: 'INC-20250131-042',
      level: 'L1',
      reason: 'runbook failed',
    });
    expect(published.event.source).toBe('atlas');
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
});
