import {
  type DynamicModule,
  type InjectionToken,
  Logger,
  Module,
  type ModuleMetadata,
  type OptionalFactoryDependency,
} from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { type Clock, systemClock } from './clock';
import { EventConsumer } from './event-consumer.service';
import { EventPublisher } from './event-publisher.service';
import { KvFactory } from './kv-factory.service';
import { LeaseService } from './lease.service';
import { type MessagingModuleOptions } from './messaging-module-options';
import { MESSAGING_CLOCK, MESSAGING_OPTIONS } from './messaging.tokens';
import { NatsConnectionService } from './nats-connection.service';
import { provisionAll } from './topology.provisioner';
import { JetStreamClient } from './transport/jetstream.client';
import { JetStreamServer } from './transport/jetstream.server';
import { waitForTopology } from './topology.verifier';

export interface MessagingModuleAsyncOptions {
  imports?: ModuleMetadata['imports'];
  inject?: Array<InjectionToken | OptionalFactoryDependency>;
  useFactory: (...args: never[]) => MessagingModuleOptions | Promise<MessagingModuleOptions>;
  /** Register globally (one bus per process); default true. */
  global?: boolean;
}

const logger = new Logger('MessagingModule');

/** `verify` mode's default wait for `opscrew bus provision` to have run. */
export const DEFAULT_TOPOLOGY_WAIT_MS = 60_000;

/**
 * Connection, publisher, consumers (and the Nest transport over them), KV and leases for a Nest app. The
 * connection provider connects and verifies (or, in `create` mode, provisions)
 * the topology before anything that depends on it is built, so a consumer never
 * starts on a missing stream.
 * Every class is also constructible with plain `new` (CLI, tests).
 */
@Module({})
export class MessagingModule {
  static forRoot(options: MessagingModuleOptions): DynamicModule {
    return MessagingModule.forRootAsync({ useFactory: () => options });
  }

  static forRootAsync(options: MessagingModuleAsyncOptions): DynamicModule {
    return {
      module: MessagingModule,
      global: options.global ?? true,
      imports: options.imports ?? [],
      providers: [
        {
          provide: MESSAGING_OPTIONS,
          useFactory: options.useFactory,
          inject: options.inject ?? [],
        },
        { provide: MESSAGING_CLOCK, useValue: systemClock },
        {
          provide: NatsConnectionService,
          inject: [MESSAGING_OPTIONS],
          useFactory: (moduleOptions: MessagingModuleOptions) => connectAndProvision(moduleOptions),
        },
        {
          provide: EventPublisher,
          inject: [NatsConnectionService, MESSAGING_OPTIONS],
          useFactory: (bus: NatsConnectionService, moduleOptions: MessagingModuleOptions) =>
            new EventPublisher(bus, moduleOptions.source, moduleOptions.publisher),
        },
        {
          provide: EventConsumer,
          // Optional: a process without Nest's ScheduleModule (a CLI) still consumes.
          inject: [
            NatsConnectionService,
            EventPublisher,
            MESSAGING_OPTIONS,
            { token: SchedulerRegistry, optional: true },
          ],
          useFactory: (
            bus: NatsConnectionService,
            publisher: EventPublisher,
            moduleOptions: MessagingModuleOptions,
            scheduler: SchedulerRegistry | undefined,
          ) => new EventConsumer(bus, publisher, moduleOptions.metrics, scheduler),
        },
        {
          // The Nest transport: `app.connectMicroservice({ strategy: app.get(JetStreamServer) })`
          // routes the app's @OnBusEvent handlers to its durables (only those it may pull).
          provide: JetStreamServer,
          inject: [EventConsumer, MESSAGING_OPTIONS],
          useFactory: (consumer: EventConsumer, moduleOptions: MessagingModuleOptions) =>
            new JetStreamServer(consumer, {
              ...(moduleOptions.durables === undefined ? {} : { durables: moduleOptions.durables }),
            }),
        },
        {
          provide: JetStreamClient,
          inject: [EventPublisher],
          useFactory: (publisher: EventPublisher) => new JetStreamClient(publisher),
        },
        {
          provide: KvFactory,
          inject: [NatsConnectionService],
          useFactory: (bus: NatsConnectionService) => new KvFactory(bus),
        },
        {
          provide: LeaseService,
          inject: [KvFactory, MESSAGING_CLOCK],
          // Opened on first use: a process that never takes a lease needs no locks bucket.
          useFactory: (kv: KvFactory, clock: Clock) =>
            new LeaseService(() => kv.open(KV_BUCKETS.locks, { class: LeaseRecord }), clock),
        },
      ],
      exports: [
        MESSAGING_OPTIONS,
        NatsConnectionService,
        EventPublisher,
        EventConsumer,
        JetStreamServer,
        JetStreamClient,
        KvFactory,
        LeaseService,
      ],
    };
  }
}

async function connectAndProvision(
  options: MessagingModuleOptions,
): Promise<NatsConnectionService> {
  const bus = new NatsConnectionService(options.bus);
  await bus.connect();
  const mode = options.provision ?? 'verify';
  if (mode === false) {
    return bus;
  }
  try {
    if (mode === 'verify') {
      await waitForTopology(
        await bus.jetstreamManager(),
        bus.subjects,
        { durables: options.durables ?? [] },
        {
          timeoutMs: options.topology_wait_ms ?? DEFAULT_TOPOLOGY_WAIT_MS,
          warn: (message) => logger.warn(message),
        },
      );
      logger.log('topology verified');
      return bus;
    }
    const report = await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
      replicas: bus.options.replicas,
    });
    const changed = [
      report.stream,
      report.deadLetterStream,
      ...report.consumers,
      ...report.buckets,
    ].filter((item) => item.action !== 'unchanged');
    logger.log(
      changed.length === 0
        ? 'topology up to date'
        : `topology provisioned: ${changed.map((i) => `${i.name} ${i.action}`).join(', ')}`,
    );
  } catch (err: unknown) {
    await bus.close();
    throw err;
  }
  return bus;
}
