import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import {
  AGENT_NOTICES,
  AgentAuditModule,
  AgentCoreModule,
  AtlasWatcher,
  reportProviders,
} from '@opscrew/agent-core';
import { loadConfig, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  CommandRunRecord,
  KV_BUCKETS,
  RemediationRunRecord,
  RestartLogRecord,
  TicketClaimRecord,
} from '@opscrew/contracts';
import {
  CircuitBreakerModule,
  CircuitBreakerRegistry,
  EscalationService,
  openEscalationKv,
  OutboxModule,
  type OutboxService,
  sandboxViolationReporter,
} from '@opscrew/guardrails';
import {
  createNotifier,
  createRuntime,
  createTracker,
  METRICS_SOURCE,
  type MetricsSource,
  MetricsSourceModule,
  RUNTIME,
  type RuntimePort,
} from '@opscrew/integrations';
import { createLlmClient, MCP_TOOLBOX, type McpToolbox, McpToolboxModule } from '@opscrew/llm';
import {
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  LeaseService,
  SilenceStore,
} from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { type FileAccessPolicy, fileSandboxFor, runtimePolicyFor } from '@opscrew/sandbox';
import { CommandController } from './commands/command.controller';
import { ManualRestart } from './commands/manual-restart.service';
import { IncidentIntakeController } from './intake/incident-intake.controller';
import { IncidentIntakeService } from './intake/incident-intake.service';
import { JiraResolverLifecycle } from './jira-resolver.lifecycle';
import {
  CATALOG,
  ESCALATION,
  MANUAL_RESTART,
  OBSERVE_MODE,
  OUTBOX,
  REPLICA_HOLDER,
} from './jira-resolver.tokens';
import { composeRemediation } from './remediation/remediation.composition';
import { RemediationRunsRepository } from './remediation/remediation-runs.repository';
import { RemediationEngine } from './remediation/remediation.engine';
import { RemediationWorker } from './remediation/remediation.worker';
import { JiraResolverDailyReport } from './reports/jira-resolver-daily.report';
import { RunbookCatalog } from './runbooks/runbook.catalog';
import { TicketGateway } from './tickets/ticket.gateway';
import { TodoTicketPoller } from './tickets/todo-ticket.poller';

/**
 * jira-resolver: incidents in, runbooks run through the sandboxed runtime,
 * fixes proven with metrics, tickets moved, and the rest escalated L1 → L2 → L3.
 */
@Module({})
export class JiraResolverModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const { config } = loaded;
    const agent = config.agents.get('jira-resolver');
    if (!agent) throw new Error('agents.jira-resolver is required');
    const observe = agent.mode === 'observe';
    const mcp = McpToolboxModule.register();
    // One audit trail for the app and the outbox's notifier (the same module object: one instance).
    const audit = AgentAuditModule.forAgent(loaded, 'jira-resolver');
    // The daily report: built on its schedule by agent-core's ReportScheduler, forwarded by atlas.
    const reports = reportProviders([JiraResolverDailyReport]);
    return {
      module: JiraResolverModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'jira-resolver', loaded, runtime }),
        // The MCP servers that list jira-resolver (none in the embedded config): tools for its
        // model, and SigNoz's service list when metrics.source is signoz-mcp.
        mcp,
        MetricsSourceModule.register({
          imports: [CircuitBreakerModule.register(), mcp],
          guards: CircuitBreakerRegistry,
          mcp: MCP_TOOLBOX,
        }),
        audit,
        OutboxModule.forAgent('jira-resolver', {
          token: OUTBOX,
          imports: [audit],
          tracker: {
            inject: [KvFactory],
            useFactory: async (kv: KvFactory) =>
              createTracker(config, {
                ticketsKv: await kv.raw(KV_BUCKETS.tickets),
                listTicketKeys: () => kv.listKeys(KV_BUCKETS.tickets),
              }),
          },
          // Security layer 3: the notifier's files (a webhook URL file, the console log) go through
          // jira-resolver's sandbox.filesystem lists, refusals logged and audited. (Nothing else
          // in jira-resolver opens files through a sandbox: the runtime has its own policy.)
          notifier: {
            inject: [AUDIT],
            useFactory: (auditSink: AuditSink) =>
              createNotifier(config, loaded.resolvePath, auditedSandbox(loaded, auditSink)),
          },
        }),
      ],
      // The bus handlers (JetStream transport, started by runAgent).
      controllers: [IncidentIntakeController, CommandController, ...reports.controllers],
      providers: [
        // Who watches the watcher: a stale atlas is reported through this outbox.
        { provide: AGENT_NOTICES, useExisting: OUTBOX },
        AtlasWatcher,
        {
          provide: RUNTIME,
          inject: [LeaseService, AUDIT],
          useFactory: (leases: LeaseService, audit: AuditSink) =>
            createRuntime(config, 'jira-resolver', {
              fencing: (key, revision) => leases.isCurrent(key, revision),
              audit,
              logger: new Logger('Runtime'),
              ...(config.integrations.runtime.process
                ? { process: config.integrations.runtime.process }
                : {}),
            }),
        },
        {
          provide: ESCALATION,
          inject: [KvFactory, OUTBOX, EventPublisher, AUDIT, SchedulerRegistry],
          useFactory: async (
            kv: KvFactory,
            outbox: OutboxService,
            publisher: EventPublisher,
            audit: AuditSink,
            scheduler: SchedulerRegistry,
          ) =>
            new EscalationService({
              kv: await openEscalationKv(kv),
              outbox,
              publisher,
              audit,
              config: config.thresholds.escalation,
              logger: new Logger('Escalation'),
              scheduler,
            }),
        },
        {
          provide: CATALOG,
          inject: [SchedulerRegistry],
          useFactory: (scheduler: SchedulerRegistry) =>
            new RunbookCatalog(
              loaded,
              () =>
                loadConfig({
                  configDir: loaded.source,
                  env: runtime.env,
                  ...(runtime.dotenvPath ? { dotenvPath: runtime.dotenvPath } : {}),
                }),
              scheduler,
            ),
        },
        {
          provide: RemediationRunsRepository,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new RemediationRunsRepository(
              await kv.open(KV_BUCKETS.remediations, { class: RemediationRunRecord }),
              await kv.open(KV_BUCKETS.remediations, { class: RestartLogRecord }),
              () => kv.listKeys(KV_BUCKETS.remediations),
              await kv.open(KV_BUCKETS.remediations, { class: TicketClaimRecord }),
            ),
        },
        { provide: OBSERVE_MODE, useValue: observe },
        // Unique per process: replicas in containers often share pid 1.
        {
          provide: REPLICA_HOLDER,
          useValue: `jira-resolver-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`,
        },
        // Maintenance windows (/silence): the crew never restarts a silenced service on its own.
        {
          provide: SilenceStore,
          inject: [KvFactory],
          useFactory: (kv: KvFactory) => SilenceStore.open(kv),
        },
        {
          // A human's /restart (command.restart): the runbook restart's guardrails, audited.
          provide: MANUAL_RESTART,
          inject: [
            KvFactory,
            RUNTIME,
            LeaseService,
            RemediationRunsRepository,
            EventPublisher,
            AUDIT,
            REPLICA_HOLDER,
          ],
          useFactory: async (
            kv: KvFactory,
            runtimePort: RuntimePort,
            leases: LeaseService,
            runs: RemediationRunsRepository,
            publisher: EventPublisher,
            audit: AuditSink,
            holder: string,
          ) =>
            new ManualRestart({
              config,
              policy: runtimePolicyFor(config, 'jira-resolver'),
              runtime: runtimePort,
              leases,
              restarts: runs,
              commands: await kv.open(KV_BUCKETS.remediations, { class: CommandRunRecord }),
              publisher,
              audit,
              now: () => new Date(),
              holder,
            }),
        },
        TicketGateway,
        {
          provide: RemediationEngine,
          inject: [
            CATALOG,
            RUNTIME,
            METRICS_SOURCE,
            LeaseService,
            RemediationRunsRepository,
            TicketGateway,
            ESCALATION,
            EventPublisher,
            IncidentLedger,
            AUDIT,
            MCP_TOOLBOX,
            REPLICA_HOLDER,
            SilenceStore,
          ],
          useFactory: (
            catalog: RunbookCatalog,
            runtimePort: RuntimePort,
            metrics: MetricsSource,
            leases: LeaseService,
            runs: RemediationRunsRepository,
            tickets: TicketGateway,
            escalation: EscalationService,
            publisher: EventPublisher,
            ledger: IncidentLedger,
            audit: AuditSink,
            mcp: McpToolbox,
            holder: string,
            silences: SilenceStore,
          ) =>
            composeRemediation({
              config,
              catalog,
              runtime: runtimePort,
              metrics,
              leases,
              runs,
              tickets,
              escalation,
              publisher,
              ledger,
              audit,
              now: () => new Date(),
              holder,
              mode: agent.mode,
              silences,
              // Claude when integrations.llm is configured, the rules otherwise: advice only.
              reasoning: createLlmClient({
                config,
                agent: 'jira-resolver',
                audit,
                toolProviders: [mcp],
                logger: new Logger('Reasoning'),
              }),
            }),
        },
        RemediationWorker,
        {
          // Only the Jira tracker has tickets humans file by hand; the local tracker's come from the crew.
          provide: TodoTicketPoller,
          inject: [
            KvFactory,
            RemediationEngine,
            RemediationRunsRepository,
            IncidentLedger,
            IncidentIdAllocator,
            EventPublisher,
          ],
          useFactory: async (
            kv: KvFactory,
            engine: RemediationEngine,
            runs: RemediationRunsRepository,
            ledger: IncidentLedger,
            ids: IncidentIdAllocator,
            publisher: EventPublisher,
          ) =>
            config.integrations.tracker.kind === 'jira'
              ? new TodoTicketPoller(
                  createTracker(config, { ticketsKv: await kv.raw(KV_BUCKETS.tickets) }),
                  engine,
                  runs,
                  ledger,
                  ids,
                  publisher,
                  config,
                )
              : null,
        },
        IncidentIntakeService,
        JiraResolverLifecycle,
        ...reports.providers,
      ],
    };
  }
}

/** jira-resolver's filesystem sandbox (security layer 3): refusals logged and audited. */
function auditedSandbox(loaded: LoadedConfig, audit: AuditSink): FileAccessPolicy {
  return fileSandboxFor(loaded.config, loaded.projectRoot, 'jira-resolver', {
    onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox'), audit }),
  });
}
