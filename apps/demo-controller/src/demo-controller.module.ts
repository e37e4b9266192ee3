import { type DynamicModule, Logger, Module } from '@nestjs/common';
import {
  AgentAuditModule,
  AgentCoreModule,
  AgentIdentity,
  AtlasWatcher,
  CAPACITY_FORECAST_SUMMARY,
  type CapacityForecastSummary,
  CapacityForecastModule,
  NoticeOutboxModule,
  type ReportSection,
  reportProviders,
} from '@opscrew/agent-core';
import { LOADED_CONFIG, type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import { KV_BUCKETS, LeaseRecord } from '@opscrew/contracts';
import { createLoadDriver, FlagdFileWriter, FLAGS, LOAD_DRIVER } from '@opscrew/integrations';
import { KvFactory, LeaseService } from '@opscrew/messaging';
import { FILE_SANDBOX, type FileAccessPolicy, SandboxModule } from '@opscrew/sandbox';
import { SHOP_LOAD_MIX } from './load/shop-task.mix';
import { DemoControllerLifecycle } from './demo-controller.lifecycle';
import { controllerConfigProviders, controllerSettingsOf } from './demo-controller.config';
import {
  RUN_JOURNAL,
  SCENARIO_SLOT,
  SCHEDULER,
  WEEKLY_REPORT_SECTIONS,
} from './demo-controller.tokens';
import { CapacitySection } from './reports/capacity.section';
import { ScoringController } from './scoring.controller';
import { LearningService } from './learning/learning.service';
import { ScorecardController } from './learning/scorecard.controller';
import { DemoControllerWeeklyReport } from './reports/demo-controller-weekly.report';
import { ScenarioCatalog } from './scenarios/scenario.catalog';
import { ScenarioRunner } from './scenarios/scenario.runner';
import { ScenarioSlot } from './scenarios/scenario.slot';
import { ScenariosController } from './scenarios/scenarios.controller';
import { ShopFaultClient } from './scenarios/shop-fault.client';
import { type Scheduler, systemScheduler } from './support/scheduler';

/**
 * demo-controller: the crew's sparring partner. Deliberate load (Locust or the
 * built-in driver), flagd failure flags and the shop's restart-curable faults,
 * each run announced with its ground truth, the crew scored against it, and a
 * weekly report with threshold suggestions for a human. What it does to the system is in
 * its audit trail (AgentAuditModule: var/audit/demo-controller.jsonl, audit.demo-controller).
 *
 * Its classes are Nest-wired (`@Injectable()`, class tokens or demo-controller.tokens.ts) and
 * read narrow slices of the config (demo-controller.config.ts); the factories here are the
 * adapters the config chooses (load driver, flags) — the learning bucket's is with the slices.
 */
@Module({})
export class DemoControllerModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    // Checked before anything starts (the slices read it again when the module is built).
    controllerSettingsOf(loaded.config);
    // The weekly report: built on its schedule by agent-core's ReportScheduler, forwarded by atlas.
    const reports = reportProviders([DemoControllerWeeklyReport]);
    return {
      module: DemoControllerModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'demo-controller', loaded, runtime }),
        // Security layer 3: every file demo-controller opens goes through its sandbox.filesystem lists.
        SandboxModule.register(),
        // AUDIT: var/audit/demo-controller.jsonl and audit.demo-controller, like the other agents —
        // scenarios started and ended, locks, flags and faults (ScenarioRunner, ScenarioAudit).
        AgentAuditModule.forAgent(loaded, 'demo-controller'),
        // The atlas watcher's notice (no outbox worker here: the crew's workers deliver it).
        NoticeOutboxModule.enqueueOnly('demo-controller'),
        // The weekly report's Capacity section (CAPACITY_FORECAST_SUMMARY).
        CapacityForecastModule,
      ],
      // ScoringController: the bus handlers (JetStream transport, started by runAgent).
      controllers: [
        ScenariosController,
        ScorecardController,
        ScoringController,
        ...reports.controllers,
      ],
      providers: [
        ...controllerConfigProviders,
        // Who watches the watcher: a stale atlas is reported by every other agent.
        AtlasWatcher,
        {
          provide: LOAD_DRIVER,
          inject: [LOADED_CONFIG],
          useFactory: ({ config, resolvePath }: LoadedConfig) =>
            createLoadDriver(config, {
              resolvePath,
              logger: new Logger('Load'),
              builtin: SHOP_LOAD_MIX,
            }),
        },
        {
          provide: FLAGS,
          inject: [LOADED_CONFIG, FILE_SANDBOX],
          useFactory: ({ config, resolvePath }: LoadedConfig, files: FileAccessPolicy) =>
            new FlagdFileWriter({ path: resolvePath(config.integrations.flags.flag_file), files }),
        },
        ShopFaultClient,
        ScenarioCatalog,
        LearningService,
        // The runner writes each run's ground truth to the learning side.
        { provide: RUN_JOURNAL, useExisting: LearningService },
        ScenarioRunner,
        {
          // One scenario across every replica: a lease in the leaders bucket (ScenarioSlot).
          provide: SCENARIO_SLOT,
          inject: [KvFactory, AgentIdentity, { token: SCHEDULER, optional: true }],
          useFactory: (kv: KvFactory, identity: AgentIdentity, scheduler?: Scheduler) =>
            new ScenarioSlot(
              new LeaseService(() => kv.open(KV_BUCKETS.leaders, { class: LeaseRecord })),
              identity.replica,
              scheduler ?? systemScheduler,
              new Logger('ScenarioSlot'),
            ),
        },
        ...reports.providers,
        {
          // The weekly report's extra sections: the capacity forecast (CapacityForecastModule).
          provide: WEEKLY_REPORT_SECTIONS,
          inject: [CAPACITY_FORECAST_SUMMARY],
          useFactory: (capacity: CapacityForecastSummary): ReportSection[] => [
            new CapacitySection(capacity),
          ],
        },
        DemoControllerLifecycle,
      ],
    };
  }
}
