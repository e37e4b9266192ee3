import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { sandboxViolationReporter } from '@opscrew/guardrails';
import { FILE_SANDBOX, fileSandboxFor } from '@opscrew/sandbox';
import { AgentsController } from './agents.controller';
import { IncidentsController } from './incidents.controller';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { LivenessService } from './liveness/liveness.service';
import { AtlasMcpModule } from './mcp/atlas-mcp.module';
import { ReportWriter } from './reports/report-writer.service';

/** atlas: agent liveness, the incident ledger, reports, and the crew's MCP server on /mcp. */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    return {
      module: AtlasModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'atlas', loaded, runtime }),
        ...(loaded.config.mcp_server.enabled ? [AtlasMcpModule.forRoot(loaded)] : []),
      ],
      controllers: [AgentsController, IncidentsController],
      providers: [
        {
          // Security layer 3: every file atlas opens goes through its sandbox.filesystem lists.
          provide: FILE_SANDBOX,
          useFactory: () =>
            fileSandboxFor(loaded.config, loaded.projectRoot, 'atlas', {
              onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox') }),
            }),
        },
        LivenessService,
        LedgerRecorder,
        ReportWriter,
      ],
    };
  }
}
