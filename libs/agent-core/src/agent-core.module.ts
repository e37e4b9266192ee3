import { type DynamicModule, Module } from '@nestjs/common';
import { ScheduleModule } from '@nestjs/schedule';
import { TerminusModule } from '@nestjs/terminus';
import { type LoadedConfig, OpscrewConfigModule, type RuntimeEnvironment } from '@opscrew/config';
import { type AgentName, HeartbeatRecord, IncidentRecord, KV_BUCKETS } from '@opscrew/contracts';
import {
  counterSchema,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  MessagingModule,
} from '@opscrew/messaging';
import { LoggerModule } from 'nestjs-pino';
import { AgentIdentity } from './agent-identity';
import { HEARTBEAT_STORE } from './agent-core.tokens';
import { busOptionsFromConfig } from './bus-options.mapper';
import { HealthController } from './health.controller';
import { HeartbeatService } from './heartbeat.service';
import { loggerOptions } from './logger.options';
import { NatsHealthIndicator } from './nats.health-indicator';

export interface AgentCoreOptions {
  readonly agent: AgentName;
  readonly loaded: LoadedConfig;
  readonly runtime: RuntimeEnvironment;
}

/**
 * What every agent has: its validated config, JSON logs, the bus (connected and
 * provisioned before anything else starts), heartbeats, `/health`, and typed
 * views of the shared buckets. Apps import this and add their own use-cases.
 */
@Module({})
export class AgentCoreModule {
  static forRoot(options: AgentCoreOptions): DynamicModule {
    const { agent, loaded, runtime } = options;
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
        }),
      ],
      controllers: [HealthController],
      providers: [
        { provide: AgentIdentity, useValue: new AgentIdentity(agent) },
        {
          provide: HEARTBEAT_STORE,
          inject: [KvFactory],
          useFactory: (kv: KvFactory) => kv.open(KV_BUCKETS.heartbeats, { class: HeartbeatRecord }),
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
        HEARTBEAT_STORE,
        IncidentLedger,
        IncidentIdAllocator,
        HeartbeatService,
      ],
    };
  }
}
