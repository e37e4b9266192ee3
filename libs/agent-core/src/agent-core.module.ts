import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { type LoadedConfig, OpscrewConfigModule, type RuntimeEnvironment } from '@opscrew/config';
import { type AgentName, HeartbeatRecord, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import {
  BUS_GRANTS,
  counterSchema,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  MessagingModule,
  type TypedKv,
} from '@opscrew/messaging';
import { LoggerModule } from 'nestjs-pino';
import { AgentIdentity, replicaId } from './agent-identity';
import { AgentMetrics } from './agent-metrics';
import { HEARTBEAT_BOARD, HEARTBEAT_STORE } from './agent-core.tokens';
import { busOptionsFromConfig } from './bus-options.mapper';
import { HealthController } from './health.controller';
import { DeadLetterMetrics } from './dead-letter.metrics';
import { HeartbeatService } from './heartbeat.service';
import { boardQuietMs, HeartbeatBoard } from './heartbeats/heartbeat-board';
import { loggerOptions } from './logger.options';
import { MetricsController } from './metrics.controller';
import { NatsHealthIndicator } from './nats.health-indicator';

export interface AgentCoreOptions {
  readonly agent: AgentName;
  readonly loaded: LoadedConfig;
  readonly runtime: RuntimeEnvironment;
}

/**
 * What every agent has: its validated config, JSON logs, the bus (connected and its
 * topology verified before anything else starts), heartbeats, `/health`, `/metrics`
 * (one registry per app: AgentMetrics; dead letters counted per consumer and
 * reason), and typed views of the shared buckets. Apps import this and add their
 * own use-cases.
 */
@Module({})
export class AgentCoreModule {
  static forRoot(options: AgentCoreOptions): DynamicModule {
    const { agent, loaded, runtime } = options;
    const metrics = new AgentMetrics();
    return {
      module: AgentCoreModule,
      global: true,
      imports: [
        OpscrewConfigModule.forRoot({ agent, loaded, runtime }),
        LoggerModule.forRoot(loggerOptions(agent, runtime.logLevel)),
        ScheduleModule.forRoot(),
        TerminusModule.forRoot({ logger: false }),
        MessagingModule.forRoot({
          bus: busOptionsFromConfig(loaded.config.bus, agent, {
            auth: loaded.config.agents.get(agent)?.bus_auth,
          }),
          source: agent,
          // Shipped: verify what `opscrew bus provision` made (agents may not change it).
          provision: loaded.config.bus.provision,
          durables: BUS_GRANTS[agent].consumes,
          topology_wait_ms: loaded.config.bus.topology_wait_s * 1000,
          metrics: new DeadLetterMetrics(metrics.registry, BUS_GRANTS[agent].consumes),
        }),
      ],
      controllers: [HealthController, MetricsController],
      providers: [
        {
          provide: AgentIdentity,
          useValue: new AgentIdentity(agent, undefined, replicaId(runtime.env)),
        },
        { provide: AgentMetrics, useValue: metrics },
        {
          provide: HEARTBEAT_STORE,
          inject: [KvFactory],
          useFactory: (kv: KvFactory) => kv.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord }),
        },
        {
          // Watched lazily: only a process that reads every replica (atlas, its watchers) pays.
          provide: HEARTBEAT_BOARD,
          inject: [KvFactory, HEARTBEAT_STORE],
          useFactory: (kv: KvFactory, store: TypedKv<HeartbeatRecord>) =>
            HeartbeatBoard.open(kv, store, new Logger(HeartbeatBoard.name), {
              quietMs: boardQuietMs(
                [...loaded.config.agents.values()].filter((a) => a.enabled).map((a) => a.max_age_s),
              ),
            }),
        },
        {
          provide: IncidentLedger,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new IncidentLedger(await kv.open(KV_BUCKETS.incidents, { class: IncidentRecord })),
        },
        {
          provide: IncidentIdAllocator,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new IncidentIdAllocator(await kv.open(KV_BUCKETS.sequences, counterSchema)),
        },
        HeartbeatService,
        NatsHealthIndicator,
      ],
      exports: [
        AgentIdentity,
        AgentMetrics,
        HEARTBEAT_STORE,
        HEARTBEAT_BOARD,
        IncidentLedger,
        IncidentIdAllocator,
        HeartbeatService,
      ],
    };
  }
}
