import { type DynamicModule, Logger, Module } from '@nestjs/common';
import {
  AgentAuditModule,
  AgentCoreModule,
  AgentMetrics,
  HeartbeatService,
} from '@opscrew/agent-core';
import { createLlmClient, MCP_TOOLBOX, type McpToolbox, McpToolboxModule } from '@opscrew/llm';
import { LOADED_CONFIG, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  AccuracyFeedbackRecord,
  FingerprintRecord,
  KV_BUCKETS,
  LeaseRecord,
  reportSubject,
} from '@opscrew/contracts';
import {
  CircuitBreakerModule,
  CircuitBreakerRegistry,
  OutboxModule,
  type OutboxService,
  QueryRateLimit,
} from '@opscrew/guardrails';
import {
  createNotifier,
  createTracker,
  METRICS_SOURCE,
  type MetricsSource,
  MetricsSourceModule,
} from '@opscrew/integrations';
import {
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
} from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { FILE_SANDBOX, type FileAccessPolicy, SandboxModule } from '@opscrew/sandbox';
import { DetectionTriage } from './announce/detection-triage';
import { OutboxIncidentAnnouncer } from './announce/outbox-incident.announcer';
import { dataQualityReport } from './cycle/data-quality.report';
import { monitoredServices } from './cycle/monitored-services';
import { AlertmanagerController } from './intake/alertmanager/alertmanager.controller';
import { AlertmanagerIntake } from './intake/alertmanager/alertmanager-intake.service';
import { ReportIntakeController } from './intake/report-intake.controller';
import { ReportIntake } from './intake/report-intake.service';
import { MonitorCycleRunner } from './cycle/monitor-cycle.runner';
import { MonitorCycle } from './cycle/monitor-cycle.service';
import { DetectionEngine } from './detection/detection.engine';
import { DriftDetector } from './detection/drift';
import { IncidentManager } from './incidents/incident-manager.service';
import { LockedServicesReader } from './locks/locked-services.reader';
import {
  ALERTMANAGER_INTAKE,
  LOCKED_SERVICES,
  METRICS_COLLECTOR,
  MONITOR_CYCLE,
  OUTBOX,
  REPORT_INTAKE,
} from './ops-monitor.tokens';
import { AccuracyFeedbackReader } from './quality/accuracy-feedback.reader';
import { QualityController } from './quality/quality.controller';
import { DailyReportService } from './reports/daily-report.service';
import { QualityTracker } from './quality/quality.tracker';
import { OpsMonitorMetricsCollector } from './telemetry/ops-monitor-metrics.collector';
import { OpsMonitorMetrics } from './telemetry/ops-monitor.metrics';

/**
 * ops-monitor: metrics → detection → incidents (deduplicated by CAS) → one
 * ticket and one alert each, through the outbox. Each port gets the adapter the
 * config chooses; the core loop is the same for the embedded demo and production.
 */
@Module({})
export class OpsMonitorModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const { config } = loaded;
    const monitor = config.agents.get('ops-monitor')?.monitor;
    if (!monitor) throw new Error('agents.ops-monitor.monitor is required');
    // One registry guards the metrics source and is reported on /metrics (the collector);
    // one MCP connection serves the signoz-mcp source and the triage model.
    const breakers = CircuitBreakerModule.register();
    const mcp = McpToolboxModule.register();
    // Security layer 3: every file ops-monitor opens goes through its sandbox.filesystem lists —
    // its own and the outbox's notifier's (the same module object: one instance).
    const sandbox = SandboxModule.register();
    return {
      module: OpsMonitorModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'ops-monitor', loaded, runtime }),
        breakers,
        // The MCP servers that list ops-monitor (none in the embedded config): SigNoz's service
        // list when metrics.source is signoz-mcp, and tools for its model.
        mcp,
        MetricsSourceModule.register({
          imports: [breakers, mcp],
          guards: CircuitBreakerRegistry,
          mcp: MCP_TOOLBOX,
        }),
        sandbox,
        // Its audit trail: model runs and their tool calls (ops-monitor takes no other action).
        AgentAuditModule.forAgent(loaded, 'ops-monitor'),
        OutboxModule.forAgent('ops-monitor', {
          token: OUTBOX,
          imports: [sandbox],
          tracker: {
            inject: [KvFactory, LOADED_CONFIG],
            useFactory: async (kv: KvFactory, current: LoadedConfig) =>
              createTracker(current.config, { ticketsKv: await kv.raw(KV_BUCKETS.tickets) }),
          },
          notifier: {
            inject: [LOADED_CONFIG, FILE_SANDBOX],
            useFactory: (current: LoadedConfig, files: FileAccessPolicy) =>
              createNotifier(current.config, current.resolvePath, files),
          },
        }),
      ],
      // `/metrics` is agent-core's: the registry below is the app's one (AgentMetrics).
      // ReportIntakeController: the bus handler (JetStream transport, started by runAgent).
      controllers: [QualityController, AlertmanagerController, ReportIntakeController],
      providers: [
        {
          provide: OpsMonitorMetrics,
          inject: [AgentMetrics],
          useFactory: (agentMetrics: AgentMetrics) => new OpsMonitorMetrics(agentMetrics.registry),
        },
        { provide: QualityTracker, useValue: new QualityTracker(monitor.quality_targets) },
        {
          provide: IncidentManager,
          inject: [
            KvFactory,
            IncidentLedger,
            IncidentIdAllocator,
            EventPublisher,
            OUTBOX,
            QualityTracker,
            METRICS_SOURCE,
            MCP_TOOLBOX,
            AUDIT,
          ],
          useFactory: async (
            kv: KvFactory,
            ledger: IncidentLedger,
            ids: IncidentIdAllocator,
            publisher: EventPublisher,
            outbox: OutboxService,
            quality: QualityTracker,
            source: MetricsSource,
            mcp: McpToolbox,
            audit: AuditSink,
          ) =>
            new IncidentManager(
              await kv.open(KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
              ledger,
              ids,
              publisher,
              new OutboxIncidentAnnouncer(
                outbox,
                config,
                quality,
                // Claude when integrations.llm is configured (with SigNoz's MCP tools when
                // connected), the rules otherwise: a triage comment on every new ticket.
                new DetectionTriage(
                  createLlmClient({
                    config,
                    agent: 'ops-monitor',
                    audit,
                    toolProviders: [mcp],
                    logger: new Logger('Reasoning'),
                  }),
                  source,
                  Date.now,
                  // A third of the SigNoz query budget at most: detection keeps the rest.
                  QueryRateLimit.perMinute(
                    'triage.searches',
                    Math.max(
                      2,
                      Math.floor(
                        config.thresholds.guardrails.rate_limits.signoz_queries_per_minute / 3,
                      ),
                    ),
                  ),
                ),
              ),
              {
                dedupWindowMs: config.thresholds.alerting.dedup.window_minutes * 60_000,
                keyFields: config.thresholds.alerting.dedup.key_fields,
              },
            ),
        },
        {
          // One view of the deliberate-work locks (and their grace period) for the detection
          // cycle and the report intake alike: a report is informational exactly when a
          // detection would be.
          provide: LOCKED_SERVICES,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new LockedServicesReader(
              await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }),
              config.thresholds.detection.after_lock_grace_s * 1000,
              config.thresholds.detection.culprit.settle_s * 1000,
            ),
        },
        {
          provide: REPORT_INTAKE,
          inject: [IncidentManager, LOCKED_SERVICES, EventPublisher],
          useFactory: (
            incidents: IncidentManager,
            locks: LockedServicesReader,
            publisher: EventPublisher,
          ) => new ReportIntake(config, incidents, locks, publisher),
        },
        {
          provide: ALERTMANAGER_INTAKE,
          inject: [NatsConnectionService, OpsMonitorMetrics],
          useFactory: (bus: NatsConnectionService, metrics: OpsMonitorMetrics) =>
            new AlertmanagerIntake(
              config.integrations.alertmanager,
              config.services,
              // Alertmanager is outside the crew: its reports are `external`, named `alertmanager`;
              // ops-monitor relays them, so they go out as its own (`incident.reported.ops-monitor`).
              new EventPublisher(bus, 'external', 'ops-monitor'),
              metrics,
            ),
        },
        {
          provide: MONITOR_CYCLE,
          inject: [
            METRICS_SOURCE,
            IncidentManager,
            LOCKED_SERVICES,
            QualityTracker,
            OpsMonitorMetrics,
            EventPublisher,
            HeartbeatService,
          ],
          useFactory: (
            source: MetricsSource,
            incidents: IncidentManager,
            locks: LockedServicesReader,
            quality: QualityTracker,
            metrics: OpsMonitorMetrics,
            publisher: EventPublisher,
            heartbeat: HeartbeatService,
          ) =>
            new MonitorCycle(
              monitoredServices(config),
              source,
              new DetectionEngine(
                config.thresholds.alerting,
                config.thresholds.detection,
                () => new DriftDetector(config.thresholds.detection.drift),
                (service) => config.services.watched.get(service)?.depends_on ?? [],
              ),
              incidents,
              locks,
              quality,
              metrics,
              {
                dataQuality: async (warning) => {
                  await publisher.publish(
                    reportSubject('data-quality'),
                    dataQualityReport(warning),
                  );
                },
                beat: (at) => heartbeat.reportCycle(at),
              },
            ),
        },
        {
          provide: METRICS_COLLECTOR,
          inject: [OpsMonitorMetrics, OUTBOX, CircuitBreakerRegistry, QualityTracker, AgentMetrics],
          useFactory: (
            metrics: OpsMonitorMetrics,
            outbox: OutboxService,
            breakers: CircuitBreakerRegistry,
            quality: QualityTracker,
            agentMetrics: AgentMetrics,
          ) => {
            const collector = new OpsMonitorMetricsCollector(
              metrics,
              outbox,
              breakers,
              quality,
              config.integrations.metrics.source,
            );
            agentMetrics.onScrape(() => collector.collect());
            return collector;
          },
        },
        { provide: OpsMonitorMetricsCollector, useExisting: METRICS_COLLECTOR },
        {
          provide: AccuracyFeedbackReader,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new AccuracyFeedbackReader(
              await kv.open(KV_BUCKETS.learning, { class: AccuracyFeedbackRecord }),
            ),
        },
        MonitorCycleRunner,
        DailyReportService,
      ],
    };
  }
}
