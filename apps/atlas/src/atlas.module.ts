import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { AUDIT, type AuditSink, sandboxViolationReporter } from '@opscrew/guardrails';
import { createLlmClient, LLM_CLIENT } from '@opscrew/llm';
import { FILE_SANDBOX, fileSandboxFor } from '@opscrew/sandbox';
import { AgentsController } from './agents.controller';
import { AtlasAuditModule } from './audit/atlas-audit.module';
import { IncidentsController } from './incidents.controller';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { LivenessService } from './liveness/liveness.service';
import { AtlasMcpModule } from './mcp/atlas-mcp.module';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';
import { ReportWriter } from './reports/report-writer.service';

/**
 * atlas: agent liveness, the incident ledger, reports, postmortem drafts, and
 * the crew's MCP server on /mcp.
 */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const audit = AtlasAuditModule.forRoot(loaded);
    return {
      module: AtlasModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'atlas', loaded, runtime }),
        audit,
        ...(loaded.config.mcp_server.enabled ? [AtlasMcpModule.forRoot(loaded, audit)] : []),
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
        {
          // Postmortem drafts: Claude when integrations.llm is configured, the template otherwise.
          provide: LLM_CLIENT,
          inject: [AUDIT],
          useFactory: (audit: AuditSink) =>
            createLlmClient({
              config: loaded.config,
              agent: 'atlas',
              audit,
              logger: new Logger('Reasoning'),
            }),
        },
        LivenessService,
        LedgerRecorder,
        ReportWriter,
        PostmortemWriter,
      ],
    };
  }
}
