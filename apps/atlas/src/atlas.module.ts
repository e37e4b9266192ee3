import { type DynamicModule, Logger, Module } from '@nestjs/common';
import {
  AgentAuditModule,
  AgentCoreModule,
  NoticeOutboxModule,
  reportProviders,
} from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { createLlmClient, LLM_CLIENT } from '@opscrew/llm';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { SandboxModule } from '@opscrew/sandbox';
import { AgentsController } from './agents.controller';
import { AtlasBusController } from './atlas-bus.controller';
import { IncidentsController } from './incidents.controller';
import { IncidentsView } from './ledger/incidents-view.service';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { LivenessService } from './liveness/liveness.service';
import { AtlasMcpModule } from './mcp/atlas-mcp.module';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';
import { DeadLetterSummaryReport } from './reports/dead-letter-summary.report';
import { ReportForwarder } from './reports/report-forwarder.service';
import { ReportWriter } from './reports/report-writer.service';

/**
 * atlas: agent liveness, the incident ledger, reports, postmortem drafts, and
 * the crew's MCP server on /mcp.
 */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const audit = AgentAuditModule.forAgent(loaded, 'atlas');
    // atlas's own reports (the dead-letter summary) on agent-core's ReportScheduler; every
    // agent's report.* is forwarded to the notifier by ReportForwarder (atlas-reports).
    const reports = reportProviders([DeadLetterSummaryReport]);
    return {
      module: AtlasModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'atlas', loaded, runtime }),
        audit,
        // Stale and recovered agents become notifications: enqueued in the shared outbox,
        // delivered by ops-monitor's and jira-resolver's workers.
        NoticeOutboxModule.enqueueOnly('atlas'),
        ...(loaded.config.mcp_server.enabled ? [AtlasMcpModule.forRoot(loaded, audit)] : []),
        // Security layer 3: every file atlas opens goes through its sandbox.filesystem lists.
        SandboxModule.register(),
      ],
      // AtlasBusController: the bus handlers (JetStream transport, started by runAgent).
      controllers: [
        AgentsController,
        IncidentsController,
        AtlasBusController,
        ...reports.controllers,
      ],
      providers: [
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
        // GET /incidents answers from memory, kept current by a watch on the incidents bucket.
        IncidentsView,
        ReportWriter,
        PostmortemWriter,
        ReportForwarder,
        ...reports.providers,
      ],
    };
  }
}
