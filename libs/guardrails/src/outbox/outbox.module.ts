import { type DynamicModule, type InjectionToken, Module, type Provider } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { type AgentName } from '@opscrew/contracts';
import {
  LOADED_CONFIG,
  type LoadedConfig,
  type OutboxConfig,
  type RateLimitsConfig,
} from '@opscrew/config';
import { NatsConnectionService } from '@opscrew/messaging';
import { NOTIFIER, type NotifierPort, TRACKER, type TrackerPort } from '@opscrew/ports';
import { randomUUID } from 'node:crypto';
import { openOutboxBucket, type OutboxBucket } from './outbox-bucket';
import { outboxOptions, type OutboxOptions } from './outbox-options';
import { OutboxService } from './outbox.service';

/** The outbox's slices of the config, and what the module builds from them. */
export const OUTBOX_RATE_LIMITS = Symbol('OUTBOX_RATE_LIMITS');
export const OUTBOX_CONFIG = Symbol('OUTBOX_CONFIG');
export const OUTBOX_OPTIONS = Symbol('OUTBOX_OPTIONS');
export const OUTBOX_BUCKET = Symbol('OUTBOX_BUCKET');

/**
 * How the app builds one of the outbox's ports (the adapters live in @opscrew/integrations,
 * which this lib may not import). Its `inject` tokens resolve in the outbox module: global
 * providers (the config, the bus, KvFactory) or those of `imports`.
 */
export interface OutboxPortFactory<T> {
  readonly inject?: InjectionToken[];
  readonly useFactory: (...deps: never[]) => T | Promise<T>;
}

export interface OutboxModuleOptions {
  readonly tracker: OutboxPortFactory<TrackerPort>;
  readonly notifier: OutboxPortFactory<NotifierPort>;
  /** The app's own token for the outbox (its OUTBOX), an alias of OutboxService. */
  readonly token?: InjectionToken;
  /** Modules the port factories need besides the global ones. */
  readonly imports?: DynamicModule['imports'];
  /** Tests compress windows and intervals here. */
  readonly overrides?: Partial<OutboxOptions>;
}

/**
 * The outbox of one agent as a Nest module: its bucket, options built from the config's
 * rate-limit and outbox sections (the only slices it reads), the ports the app supplies, and
 * the scheduler the worker registers its intervals with. Apps import
 * `OutboxModule.forAgent('ops-monitor', { tracker, notifier, token: OUTBOX })` and inject
 * OutboxService (or their token); they start and stop the worker in their lifecycle, and Nest
 * stops it on shutdown in any case.
 */
@Module({})
export class OutboxModule {
  static forAgent(agent: AgentName, options: OutboxModuleOptions): DynamicModule {
    const alias: Provider[] =
      options.token === undefined ? [] : [{ provide: options.token, useExisting: OutboxService }];
    return {
      module: OutboxModule,
      imports: options.imports ?? [],
      providers: [
        {
          provide: OUTBOX_RATE_LIMITS,
          inject: [LOADED_CONFIG],
          useFactory: (loaded: LoadedConfig): RateLimitsConfig =>
            loaded.config.thresholds.guardrails.rate_limits,
        },
        {
          provide: OUTBOX_CONFIG,
          inject: [LOADED_CONFIG],
          useFactory: (loaded: LoadedConfig): OutboxConfig | null =>
            loaded.config.thresholds.guardrails.outbox ?? null,
        },
        {
          provide: OUTBOX_OPTIONS,
          inject: [OUTBOX_RATE_LIMITS, OUTBOX_CONFIG],
          useFactory: (rateLimits: RateLimitsConfig, outbox: OutboxConfig | null): OutboxOptions =>
            outboxOptions(
              rateLimits,
              // The agent in the claim's holder: a log line about a take-over names the app.
              { worker_id: `outbox-${agent}-${randomUUID().slice(0, 8)}`, ...options.overrides },
              outbox ?? undefined,
            ),
        },
        {
          provide: OUTBOX_BUCKET,
          inject: [NatsConnectionService],
          useFactory: (bus: NatsConnectionService): Promise<OutboxBucket> => openOutboxBucket(bus),
        },
        portProvider(TRACKER, options.tracker),
        portProvider(NOTIFIER, options.notifier),
        {
          provide: OutboxService,
          inject: [OUTBOX_BUCKET, TRACKER, NOTIFIER, OUTBOX_OPTIONS, SchedulerRegistry],
          useFactory: (
            bucket: OutboxBucket,
            tracker: TrackerPort,
            notifier: NotifierPort,
            outboxOptions: OutboxOptions,
            scheduler: SchedulerRegistry,
          ) => new OutboxService({ bucket, tracker, notifier, options: outboxOptions, scheduler }),
        },
        ...alias,
      ],
      exports: [OutboxService, ...(options.token === undefined ? [] : [options.token])],
    };
  }
}

function portProvider<T>(token: symbol, factory: OutboxPortFactory<T>): Provider {
  return {
    provide: token,
    inject: factory.inject ?? [],
    // Nest passes the injected values in `inject` order; the factory declared their types.
    useFactory: factory.useFactory as (...deps: unknown[]) => T | Promise<T>,
  };
}
