import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { agentAuditProvider, AgentCoreModule, HeartbeatService } from '@opscrew/agent-core';
import { connectMcpToolbox, createLlmClient, MCP_TOOLBOX, type McpToolbox } from '@opscrew/llm';
import { LOADED_CONFIG, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  AccuracyFeedbackRecord,
  FingerprintRecord,
  KV_BUCKETS,
  LeaseRecord,
  reportSubject,
} from '@opscrew/contracts';
import {
  AUDIT,
  type AuditSink,
  CircuitBreakerRegistry,
  openOutboxBucket,
  OutboxService,
  outboxOptions,
  QueryRateLimit,
  sandboxViolationReporter,
} from '@opscrew/guardrails';
import {
  createMetricsSource,
  createNotifier,
  createTracker,
  METRICS_SOURCE,
  type MetricsSource,
} from '@opscrew/integrations';
import {
  EventPublisher,
  IncidentIdAllocator,
  IncidentLedger,
  KvFactory,
  NatsConnectionService,
} from '@opscrew/messaging';
import { FILE_SANDBOX, type FileAccessPolicy, fileSandboxFor } from '@opscrew/sandbox';
import { DetectionTriage } from './announce/detection-triage';
import { OutboxIncidentAnnouncer } from './announce/outbox-incident.announcer';
import { monitoredServices } from './cycle/monitored-services';
import { MonitorCycleRunner } from './cycle/monitor-cycle.runner';
import { MonitorCycle } from './cycle/monitor-cycle.service';
import { DetectionEngine } from './detection/detection.engine';
import { DriftDetector } from './detection/drift';
import { IncidentManager } from './incidents/incident-manager.service';
import { LockedServicesReader } from './locks/locked-services.reader';
import { BREAKERS, METRICS_COLLECTOR, MONITOR_CYCLE, OUTBOX } from './ops-monitor.tokens';
import { AccuracyFeedbackReader } from './quality/accuracy-feedback.reader';
import { QualityController } from './quality/quality.controller';
import { DailyReportService } from './reports/daily-report.service';
import { QualityTracker } from './quality/quality.tracker';
import { MetricsController } from './telemetry/metrics.controller';
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
    return {
      module: OpsMonitorModule,
      imports: [AgentCoreModule.forRoot({ agent: 'ops-monitor', loaded, runtime })],
      controllers: [QualityController, MetricsController],
      providers: [
        // Its audit trail: model runs and their tool calls (ops-monitor takes no other action).
        agentAuditProvider(loaded, 'ops-monitor'),
        { provide: OpsMonitorMetrics, useValue: new OpsMonitorMetrics() },
        { provide: QualityTracker, useValue: new QualityTracker(monitor.quality_targets) },
        {
          provide: BREAKERS,
          inject: [OpsMonitorMetrics],
          useFactory: () =>
            new CircuitBreakerRegistry(config.thresholds.guardrails.circuit_breaker, {
              logger: new Logger('CircuitBreaker'),
            }),
        },
        {
          // The MCP servers that list ops-monitor (none in the embedded config): SigNoz's service
          // list when metrics.source is signoz-mcp, and tools for its model.
          provide: MCP_TOOLBOX,
          useFactory: () => connectMcpToolbox(config, 'ops-monitor', loaded.projectRoot),
        },
        {
          provide: METRICS_SOURCE,
          inject: [BREAKERS, MCP_TOOLBOX],
          useFactory: (breakers: CircuitBreakerRegistry, mcp: McpToolbox) =>
            createMetricsSource(config, {
              guards: breakers,
              logger: new Logger('MetricsSource'),
              mcp,
            }),
        },
        {
          // Security layer 3: every file ops-monitor opens goes through its sandbox.filesystem lists.
          provide: FILE_SANDBOX,
          inject: [LOADED_CONFIG],
          useFactory: (current: LoadedConfig) =>
            fileSandboxFor(current.config, current.projectRoot, 'ops-monitor', {
              onViolation: sandboxViolationReporter({ logger: new Logger('FileSandbox') }),
            }),
        },
        {
          provide: OUTBOX,
          inject: [KvFactory, NatsConnectionService, LOADED_CONFIG, FILE_SANDBOX],
          useFactory: async (
            kv: KvFactory,
            bus: NatsConnectionService,
            current: LoadedConfig,
            files: FileAccessPolicy,
          ) =>
            new OutboxService({
              bucket: await openOutboxBucket(bus),
              tracker: createTracker(current.config, {
                ticketsKv: await kv.raw(KV_BUCKETS.tickets),
              }),
              notifier: createNotifier(current.config, current.resolvePath, files),
              options: outboxOptions(current.config.thresholds.guardrails.rate_limits),
            }),
        },
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
              { dedupWindowMs: config.thresholds.alerting.dedup.window_minutes * 60_000 },
            ),
        },
        {
          provide: MONITOR_CYCLE,
          inject: [
            METRICS_SOURCE,
            IncidentManager,
            KvFactory,
            QualityTracker,
            OpsMonitorMetrics,
            EventPublisher,
            HeartbeatService,
          ],
          useFactory: async (
            source: MetricsSource,
            incidents: IncidentManager,
            kv: KvFactory,
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
              new LockedServicesReader(
                await kv.open(KV_BUCKETS.locks, { class: LeaseRecord }),
                config.thresholds.detection.after_lock_grace_s * 1000,
              ),
              quality,
              metrics,
              {
                dataQuality: async (warning) => {
                  await publisher.publish(reportSubject('data-quality'), {
                    kind: 'data-quality',
                    title: `data_quality: ${warning.service} ${warning.metric}`,
                    text: warning.message,
                    fields: {
                      service: warning.service,
                      metric: warning.metric,
                      value: warning.value,
                      limit: warning.limit,
                    },
                  });
                },
                beat: (at) => heartbeat.reportCycle(at),
              },
            ),
        },
        {
          provide: METRICS_COLLECTOR,
          inject: [OpsMonitorMetrics, OUTBOX, BREAKERS, QualityTracker],
          useFactory: (
            metrics: OpsMonitorMetrics,
            outbox: OutboxService,
            breakers: CircuitBreakerRegistry,
            quality: QualityTracker,
          ) =>
            new OpsMonitorMetricsCollector(
              metrics,
              outbox,
              breakers,
              quality,
              config.integrations.metrics.source,
            ),
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
