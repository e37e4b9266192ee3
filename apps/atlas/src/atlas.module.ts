import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { AgentAuditModule, AgentCoreModule, NoticeOutboxModule } from '@opscrew/agent-core';
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
import { ReportWriter } from './reports/report-writer.service';
import { SloDailyReport } from './slo/slo-daily.report';
import { SloDailySchedule } from './slo/slo-daily.schedule';
import { SloView } from './slo/slo-view.service';
import { SloController } from './slo/slo.controller';

/**
 * atlas: agent liveness, the incident ledger, reports, postmortem drafts, and
 * the crew's MCP server on /mcp.
 */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const audit = AgentAuditModule.forAgent(loaded, 'atlas');
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
      controllers: [AgentsController, IncidentsController, AtlasBusController, SloController],
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
        // GET /slo and the slo-daily report: ops-monitor's SLI counts (the slo bucket), judged.
        SloView,
        SloDailyReport,
        SloDailySchedule,
      ],
    };
  }
}
