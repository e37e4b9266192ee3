import { type DynamicModule, Logger, Module } from '@nestjs/common';
import {
  AgentAuditModule,
  AgentCoreModule,
  CapacityForecastModule,
  NoticeOutboxModule,
  reportProviders,
} from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { AgentRestartsRecord, KV_BUCKETS } from '@opscrew/contracts';
import { createLlmClient, LLM_CLIENT } from '@opscrew/llm';
import { KvFactory } from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { SandboxModule } from '@opscrew/sandbox';
import { AgentsController } from './agents.controller';
import { AtlasBusController } from './atlas-bus.controller';
import { ChatopsModule } from './chatops/chatops.module';
import { silencesStatusSource } from './chatops/silences-status.source';
import { ForecastController } from './forecast/forecast.controller';
import { IncidentsController } from './incidents.controller';
import { IncidentsView } from './ledger/incidents-view.service';
import { LedgerRecorder } from './ledger/ledger-recorder.service';
import { AgentRestarter } from './lifecycle/agent-restarter.service';
import { createAgentRuntime } from './lifecycle/agent-runtime.factory';
import { AGENT_RUNTIME } from './lifecycle/agent-runtime.port';
import { KvRestartHistoryStore, RESTART_HISTORY } from './lifecycle/restart-history.store';
import { HeartbeatPruner } from './liveness/heartbeat-pruner.service';
import { LivenessService } from './liveness/liveness.service';
import { AtlasMcpModule } from './mcp/atlas-mcp.module';
import { PostmortemWriter } from './postmortems/postmortem-writer.service';
import { DeadLetterSummaryReport } from './reports/dead-letter-summary.report';
import { ReportForwarder } from './reports/report-forwarder.service';
import { ReportWriter } from './reports/report-writer.service';
import { StatusController } from './status/status.controller';
import { statusProviders } from './status/status.providers';
import { SloDailyReport } from './slo/slo-daily.report';
import { SloView } from './slo/slo-view.service';
import { SloController } from './slo/slo.controller';
import { sloStatusSource } from './slo/slo-status.source';

/**
 * atlas: agent liveness (and restarting a stale agent), the incident ledger, reports, SLOs,
 * the capacity forecast, the status page, postmortem drafts, the crew's MCP server on /mcp, and
 * ChatOps (/chat, /discord/interactions).
 */
@Module({})
export class AtlasModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const audit = AgentAuditModule.forAgent(loaded, 'atlas');
    // atlas's own reports (dead-letter summary, slo-daily) on agent-core's ReportScheduler; every
    // agent's report.* is forwarded to the notifier by ReportForwarder (atlas-reports).
    const reports = reportProviders([DeadLetterSummaryReport, SloDailyReport]);
    return {
      module: AtlasModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'atlas', loaded, runtime }),
        audit,
        // Stale and recovered agents become notifications: enqueued in the shared outbox,
        // delivered by ops-monitor's and jira-resolver's workers.
        NoticeOutboxModule.enqueueOnly('atlas'),
        ...(loaded.config.mcp_server.enabled ? [AtlasMcpModule.forRoot(loaded, audit)] : []),
        // ChatOps: POST /chat (`opscrew chat`) and, when configured, POST /discord/interactions.
        ChatopsModule.forRoot(loaded, audit),
        // Security layer 3: every file atlas opens goes through its sandbox.filesystem lists.
        SandboxModule.register(),
        // GET /forecast: the capacity forecast from the history ops-monitor keeps.
        CapacityForecastModule,
      ],
      // AtlasBusController: the bus handlers (JetStream transport, started by runAgent).
      // StatusController: the status page on GET / (and GET /status.json).
      controllers: [
        AgentsController,
        IncidentsController,
        AtlasBusController,
        StatusController,
        ForecastController,
        SloController,
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
        // Deletes the heartbeat keys of replicas long gone (CAS: several atlas replicas agree).
        HeartbeatPruner,
        // Agent lifecycle: a stale agent restarted through its runtime (liveness.runtime), once
        // per episode, with the restart-loop history in the `lifecycle` bucket.
        {
          provide: AGENT_RUNTIME,
          useValue: createAgentRuntime(
            loaded.config.agents.get('atlas')?.liveness,
            runtime.supervisorControl,
          ),
        },
        {
          provide: RESTART_HISTORY,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new KvRestartHistoryStore(
              await kv.open(KV_BUCKETS.lifecycle, { class: AgentRestartsRecord }),
            ),
        },
        AgentRestarter,
        LedgerRecorder,
        // GET /incidents answers from memory, kept current by a watch on the incidents bucket.
        IncidentsView,
        ReportWriter,
        PostmortemWriter,
        ...statusProviders(loaded),
        // GET /slo and the slo-daily report: ops-monitor's SLI counts (the slo bucket), judged.
        SloView,
        // The status page's SLO section reads the same answer.
        sloStatusSource,
        // …and its silences section the windows /silence opened.
        silencesStatusSource,
        ReportForwarder,
        ...reports.providers,
      ],
    };
  }
}
