import { type DynamicModule, Logger, Module, type Provider } from '@nestjs/common';
import {
  AGENT_NOTICES,
  AgentAuditModule,
  AgentCoreModule,
  AgentMetrics,
  AtlasWatcher,
  reportProviders,
} from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  AccuracyFeedbackRecord,
  type BucketName,
  CapacityHistoryRecord,
  FingerprintRecord,
  KV_BUCKETS,
  LeaseRecord,
} from '@opscrew/contracts';
import { CircuitBreakerModule, CircuitBreakerRegistry, OutboxModule } from '@opscrew/guardrails';
import { resolveSloSettings, validateSloLedger } from '@opscrew/incident';
import { createNotifier, createTracker, MetricsSourceModule } from '@opscrew/integrations';
import {
  createLlmClient,
  LLM_CLIENT,
  MCP_TOOLBOX,
  type McpToolbox,
  McpToolboxModule,
} from '@opscrew/llm';
import {
  EventPublisher,
  KvFactory,
  SilenceStore,
  type KvSchema,
  NatsConnectionService,
} from '@opscrew/messaging';
import { AUDIT, type AuditSink } from '@opscrew/ports';
import { FILE_SANDBOX, type FileAccessPolicy, SandboxModule } from '@opscrew/sandbox';
import { DetectionTriage } from './announce/detection-triage';
import { OutboxIncidentAnnouncer } from './announce/outbox-incident.announcer';
import { CapacityHistoryRecorder } from './capacity/capacity-history.recorder';
import { BusCycleReporter } from './cycle/bus-cycle.reporter';
import { MonitorCycleRunner } from './cycle/monitor-cycle.runner';
import { MonitorCycle } from './cycle/monitor-cycle.service';
import { DetectionEngine } from './detection/detection.engine';
import { usualSnapshotSchema, UsualLevelsStore } from './detection/usual-levels.store';
import {
  DriftPersistence,
  DriftRegistry,
  driftSnapshotSchema,
  DriftStateStore,
} from './detection/drift';
import { IncidentManager } from './incidents/incident-manager.service';
import { AlertmanagerController } from './intake/alertmanager/alertmanager.controller';
import { AlertmanagerIntake } from './intake/alertmanager/alertmanager-intake.service';
import { ReportIntakeController } from './intake/report-intake.controller';
import { ReportIntake } from './intake/report-intake.service';
import { LockedServicesReader } from './locks/locked-services.reader';
import {
  monitorConfigProviders,
  type MonitorConfigView,
  monitorSettingsOf,
} from './ops-monitor.config';
import {
  CAPACITY_KV,
  CYCLE_REPORTER,
  EXTERNAL_PUBLISHER,
  FINGERPRINTS_KV,
  INCIDENT_ANNOUNCER,
  DRIFT_STATE_STORE,
  USUAL_LEVELS_STORE,
  LEARNING_KV,
  LOCKS_KV,
  MONITOR_CONFIG,
  OUTBOX,
  SLO_KV,
  SLO_SETTINGS,
} from './ops-monitor.tokens';
import { AccuracyFeedbackReader } from './quality/accuracy-feedback.reader';
import { QualityController } from './quality/quality.controller';
import { QualityTracker } from './quality/quality.tracker';
import { SloAccountant } from './slo/slo-accountant.service';
import { OpsMonitorDailyReport } from './reports/ops-monitor-daily.report';
import { OpsMonitorMetricsCollector } from './telemetry/ops-monitor-metrics.collector';
import { OpsMonitorMetrics } from './telemetry/ops-monitor.metrics';

/**
 * ops-monitor: metrics → detection → incidents (deduplicated by CAS) → one
 * ticket and one alert each, through the outbox. Each port gets the adapter the
 * config chooses; the core loop is the same for the embedded demo and production.
 *
 * Its classes are Nest-wired (`@Injectable()`, class tokens or ops-monitor.tokens.ts) and read
 * narrow slices of the config (ops-monitor.config.ts); the factories here are the adapters the
 * config chooses (tracker, notifier, model), the buckets, and the drift-aware detection engine.
 */
@Module({})
export class OpsMonitorModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    // Checked before anything starts (QUALITY_TARGETS reads it again when the module is built).
    monitorSettingsOf(loaded.config);
    // One registry guards the metrics source and is reported on /metrics (the collector);
    // one MCP connection serves the signoz-mcp source and the triage model.
    const breakers = CircuitBreakerModule.register();
    const mcp = McpToolboxModule.register();
    // Security layer 3: every file ops-monitor opens goes through its sandbox.filesystem lists —
    // its own and the outbox's notifier's (the same module object: one instance).
    const sandbox = SandboxModule.register();
    // The daily report: built on its schedule by agent-core's ReportScheduler, forwarded by atlas.
    const reports = reportProviders([OpsMonitorDailyReport]);
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
      controllers: [
        QualityController,
        AlertmanagerController,
        ReportIntakeController,
        ...reports.controllers,
      ],
      providers: [
        // Who watches the watcher: a stale atlas is reported through this outbox.
        { provide: AGENT_NOTICES, useExisting: OUTBOX },
        AtlasWatcher,
        ...monitorConfigProviders,
        bucket(FINGERPRINTS_KV, KV_BUCKETS.fingerprints, { class: FingerprintRecord }),
        bucket(LOCKS_KV, KV_BUCKETS.locks, { class: LeaseRecord }),
        bucket(LEARNING_KV, KV_BUCKETS.learning, { class: AccuracyFeedbackRecord }),
        bucket(CAPACITY_KV, KV_BUCKETS.capacity, { class: CapacityHistoryRecord }),
        bucket(SLO_KV, KV_BUCKETS.slo, { validate: validateSloLedger }),
        {
          // thresholds.slo with the SRE workbook's burn alerts for any left out.
          provide: SLO_SETTINGS,
          inject: [MONITOR_CONFIG],
          useFactory: ({ thresholds }: MonitorConfigView) => resolveSloSettings(thresholds.slo),
        },
        SloAccountant,
        {
          provide: OpsMonitorMetrics,
          inject: [AgentMetrics],
          useFactory: (agentMetrics: AgentMetrics) => new OpsMonitorMetrics(agentMetrics.registry),
        },
        {
          // Claude when integrations.llm is configured (with SigNoz's MCP tools when connected),
          // the rules otherwise: a triage comment on every new ticket.
          provide: LLM_CLIENT,
          inject: [LOADED_CONFIG, AUDIT, MCP_TOOLBOX],
          useFactory: ({ config }: LoadedConfig, audit: AuditSink, tools: McpToolbox) =>
            createLlmClient({
              config,
              agent: 'ops-monitor',
              audit,
              toolProviders: [tools],
              logger: new Logger('Reasoning'),
            }),
        },
        {
          // Alertmanager is outside the crew: its reports are `external`, named `alertmanager`;
          // ops-monitor relays them, so they go out as its own (`incident.reported.ops-monitor`).
          provide: EXTERNAL_PUBLISHER,
          inject: [NatsConnectionService],
          useFactory: (bus: NatsConnectionService) =>
            new EventPublisher(bus, 'external', 'ops-monitor'),
        },
        {
          // The drift detectors, kept so their learning can be saved and restored (takeover).
          provide: DriftRegistry,
          inject: [MONITOR_CONFIG],
          useFactory: ({ thresholds }: MonitorConfigView) =>
            new DriftRegistry(thresholds.detection.drift, new Logger(DriftRegistry.name)),
        },
        {
          // Drift detection on every metric; the dependency graph inhibits callers' symptoms.
          provide: DetectionEngine,
          inject: [MONITOR_CONFIG, DriftRegistry],
          useFactory: ({ thresholds, services }: MonitorConfigView, drift: DriftRegistry) =>
            new DetectionEngine(
              thresholds.alerting,
              thresholds.detection,
              drift.create,
              (service) => services.watched.get(service)?.depends_on ?? [],
            ),
        },
        {
          provide: DRIFT_STATE_STORE,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new DriftStateStore(
              await kv.open(KV_BUCKETS.learning, driftSnapshotSchema),
              () => kv.listKeys(KV_BUCKETS.learning),
              new Logger(DriftStateStore.name),
            ),
        },
        {
          provide: USUAL_LEVELS_STORE,
          inject: [KvFactory],
          useFactory: async (kv: KvFactory) =>
            new UsualLevelsStore(
              await kv.open(KV_BUCKETS.learning, usualSnapshotSchema),
              () => kv.listKeys(KV_BUCKETS.learning),
              new Logger(UsualLevelsStore.name),
            ),
        },
        DriftPersistence,
        QualityTracker,
        DetectionTriage,
        OutboxIncidentAnnouncer,
        { provide: INCIDENT_ANNOUNCER, useExisting: OutboxIncidentAnnouncer },
        IncidentManager,
        // One view of the deliberate-work locks (and their grace period) for the detection
        // cycle and the report intake alike: a report is informational exactly when a
        // detection would be.
        LockedServicesReader,
        // Maintenance windows (/silence), read by the cycle and the report intake alike.
        {
          provide: SilenceStore,
          inject: [KvFactory],
          useFactory: (kv: KvFactory) => SilenceStore.open(kv),
        },
        ReportIntake,
        AlertmanagerIntake,
        BusCycleReporter,
        { provide: CYCLE_REPORTER, useExisting: BusCycleReporter },
        // The capacity history each cycle's samples feed (GET /forecast on atlas, weekly report).
        CapacityHistoryRecorder,
        MonitorCycle,
        OpsMonitorMetricsCollector,
        AccuracyFeedbackReader,
        MonitorCycleRunner,
        ...reports.providers,
      ],
    };
  }
}

/** A bucket ops-monitor uses, opened once as a TypedKv of its record class. */
function bucket<T>(provide: symbol, name: BucketName, schema: KvSchema<T>): Provider {
  return { provide, inject: [KvFactory], useFactory: (kv: KvFactory) => kv.open(name, schema) };
}
