import { HEARTBEAT_BOARD, type HeartbeatSource } from '@opscrew/agent-core';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { type LoadedConfig } from '@opscrew/config';
import { EventPublisher, KvFactory, NatsConnectionService } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { openCrewMcpTools } from './crew-mcp.wiring';
import { CREW_MCP_TOOLS, McpController } from './mcp.controller';

/**
 * atlas's `/mcp`: the crew's MCP tools over streamable HTTP, every call in
 * atlas's audit log (`var/audit/atlas.jsonl`, also published as `audit.atlas`).
 * Imported only when `mcp_server.enabled`: otherwise there is no route at all.
 */
@Module({})
export class AtlasMcpModule {
  /** `audit`: atlas's AgentAuditModule, the same instance atlas imports (one log, one writer). */
  static forRoot(loaded: LoadedConfig, audit: DynamicModule): DynamicModule {
    return {
      module: AtlasMcpModule,
      imports: [audit],
      controllers: [McpController],
      providers: [
        {
          provide: CREW_MCP_TOOLS,
          inject: [KvFactory, EventPublisher, AUDIT, NatsConnectionService, HEARTBEAT_BOARD],
          useFactory: (
            factory: KvFactory,
            publisher: EventPublisher,
            audit: AuditSink,
            bus: NatsConnectionService,
            heartbeats: HeartbeatSource,
          ) =>
            openCrewMcpTools({
              factory,
              publisher,
              bus,
              heartbeats,
              config: loaded.config,
              audit,
              logger: new Logger('IncidentAck'),
            }),
        },
      ],
    };
  }
}
