import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { agentAuditProvider, AgentCoreModule } from '@opscrew/agent-core';
import { loadConfig, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  KV_BUCKETS,
  RemediationRunRecord,
  RestartLogRecord,
  TicketClaimRecord,
} from '@opscrew/contracts';
import {
  AUDIT,
  type AuditSink,
  CircuitBreakerRegistry,
  EscalationService,
  openEscalationKv,
  openOutboxBucket,
  OutboxService,
  outboxOptions,
  sandboxViolationReporter,
} from '@opscrew/guardrails';
import {
  createMetricsSource,
  createNotifier,
  createRuntime,
  createTracker,
  METRICS_SOURCE,
  type MetricsSource,
  RUNTIME,
  type RuntimePort,
} from '@opscrew/integrations';
import { connectMcpToolbox, createLlmClient, MCP_TOOLBOX, type McpToolbox } from '@opscrew/llm';
import {
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  LeaseService,
  NatsConnectionService,
} from '@opscrew/messaging';
import { FILE_SANDBOX, type FileAccessPolicy, fileSandboxFor } from '@opscrew/sandbox';
import { IncidentIntakeService } from './intake/incident-intake.service';
import { JiraResolverLifecycle } from './jira-resolver.lifecycle';
import { CATALOG, ESCALATION, OUTBOX } from './jira-resolver.tokens';
import { RemediationRunsRepository } from './remediation/remediation-runs.repository';
import { RemediationEngine } from './remediation/remediation.engine';
import { RemediationWorker } from './remediation/remediation.worker';
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
    return {
      module: JiraResolverModule,
      imports: [AgentCoreModule.forRoot({ agent: 'jira-resolver', loaded, runtime })],
      providers: [
        agentAuditProvider(loaded, 'jira-resolver'),
        {
          // Security layer 3 for everything else jira-resolver opens: refusals logged and audited.
          provide: FILE_SANDBOX,
          inject: [AUDIT],
          useFactory: (audit: AuditSink) =>
            fileSandboxFor(config, loaded.projectRoot, 'jira-resolver', {
              onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox'), audit }),
            }),
        },
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
          // The MCP servers that list jira-resolver (none in the embedded config): tools for its
          // model, and SigNoz's service list when metrics.source is signoz-mcp.
          provide: MCP_TOOLBOX,
          useFactory: () => connectMcpToolbox(config, 'jira-resolver', loaded.projectRoot),
        },
        {
          provide: METRICS_SOURCE,
          inject: [MCP_TOOLBOX],
          useFactory: (mcp: McpToolbox) =>
            createMetricsSource(config, {
              guards: new CircuitBreakerRegistry(config.thresholds.guardrails.circuit_breaker, {
                logger: new Logger('CircuitBreaker'),
              }),
              logger: new Logger('MetricsSource'),
              mcp,
            }),
        },
        {
          provide: OUTBOX,
          inject: [KvFactory, NatsConnectionService, FILE_SANDBOX],
          useFactory: async (kv: KvFactory, bus: NatsConnectionService, files: FileAccessPolicy) =>
            new OutboxService({
              bucket: await openOutboxBucket(bus),
              tracker: createTracker(config, {
                ticketsKv: await kv.raw(KV_BUCKETS.tickets),
                listTicketKeys: () => kv.listKeys(KV_BUCKETS.tickets),
              }),
              notifier: createNotifier(config, loaded.resolvePath, files),
              options: outboxOptions(config.thresholds.guardrails.rate_limits),
            }),
        },
        {
          provide: ESCALATION,
          inject: [KvFactory, OUTBOX, EventPublisher, AUDIT],
          useFactory: async (
            kv: KvFactory,
            outbox: OutboxService,
            publisher: EventPublisher,
            audit: AuditSink,
          ) =>
            new EscalationService({
              kv: await openEscalationKv(kv),
              outbox,
              publisher,
              audit,
              config: config.thresholds.escalation,
              logger: new Logger('Escalation'),
            }),
        },
        {
          provide: CATALOG,
          useFactory: () =>
            new RunbookCatalog(loaded, () =>
              loadConfig({
                configDir: loaded.configRoot,
                env: runtime.env,
                ...(runtime.dotenvPath ? { dotenvPath: runtime.dotenvPath } : {}),
              }),
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
        {
          provide: TicketGateway,
          inject: [OUTBOX],
          useFactory: (outbox: OutboxService) => new TicketGateway(outbox, observe),
        },
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
          ) =>
            new RemediationEngine({
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
              // Unique per process: replicas in containers often share pid 1.
              holder: `jira-resolver-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`,
              mode: agent.mode,
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
        {
          provide: RemediationWorker,
          inject: [RemediationRunsRepository, RemediationEngine, SchedulerRegistry],
          useFactory: (
            runs: RemediationRunsRepository,
            engine: RemediationEngine,
            scheduler: SchedulerRegistry,
          ) => new RemediationWorker(runs, engine, scheduler),
        },
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
      ],
    };
  }
}
