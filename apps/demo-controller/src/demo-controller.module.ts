import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type DynamicModule, Logger, Module } from '@nestjs/common';
import { SchedulerRegistry } from '@nestjs/schedule';
import { AgentCoreModule } from '@opscrew/agent-core';
import { type LoadedConfig, type RuntimeEnvironment } from '@opscrew/config';
import {
  AccuracyFeedbackRecord,
  KV_BUCKETS,
  ScenarioRunRecord,
  ScenarioScoreRecord,
  ScorecardRecord,
} from '@opscrew/contracts';
import {
  createLoadDriver,
  FlagdFileWriter,
  FLAGS,
  type FlagsPort,
  LOAD_DRIVER,
  type LoadDriver,
} from '@opscrew/integrations';
import { EventPublisher, KvFactory, LeaseService } from '@opscrew/messaging';
import { FILE_SANDBOX, type FileAccessPolicy, SandboxModule } from '@opscrew/sandbox';
import { SHOP_LOAD_MIX } from './load/shop-task.mix';
import { DemoControllerLifecycle } from './demo-controller.lifecycle';
import { ScoringController } from './scoring.controller';
import { CATALOG, LEARNING, SHOP_FAULTS } from './demo-controller.tokens';
import { LearningService } from './learning/learning.service';
import { ScorecardController } from './learning/scorecard.controller';
import { WeeklyReportService } from './reports/weekly-report.service';
import { ScenarioCatalog } from './scenarios/scenario.catalog';
import { ScenarioRunner } from './scenarios/scenario.runner';
import { ScenariosController } from './scenarios/scenarios.controller';
import { ShopFaultClient } from './scenarios/shop-fault.client';
import { systemScheduler } from './support/scheduler';

/**
 * demo-controller: the crew's sparring partner. Deliberate load (Locust or the
 * built-in driver), flagd failure flags and the shop's restart-curable faults,
 * each run announced with its ground truth, the crew scored against it, and a
 * weekly report with threshold suggestions for a human.
 */
@Module({})
export class DemoControllerModule {
  static forRoot(loaded: LoadedConfig, runtime: RuntimeEnvironment): DynamicModule {
    const { config } = loaded;
    const agent = config.agents.get('demo-controller');
    const controller = agent?.controller;
    if (!agent || !controller) throw new Error('agents.demo-controller.controller is required');
    // Unique per process: replicas in containers often share pid 1.
    const holder = `demo-controller-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`;
    return {
      module: DemoControllerModule,
      imports: [
        AgentCoreModule.forRoot({ agent: 'demo-controller', loaded, runtime }),
        // Security layer 3: every file demo-controller opens goes through its sandbox.filesystem lists.
        SandboxModule.register(),
      ],
      // ScoringController: the bus handlers (JetStream transport, started by runAgent).
      controllers: [ScenariosController, ScorecardController, ScoringController],
      providers: [
        {
          provide: LOAD_DRIVER,
          useFactory: () =>
            createLoadDriver(config, {
              resolvePath: loaded.resolvePath,
              logger: new Logger('Load'),
              builtin: SHOP_LOAD_MIX,
            }),
        },
        {
          provide: FLAGS,
          inject: [FILE_SANDBOX],
          useFactory: (files: FileAccessPolicy) =>
            new FlagdFileWriter({
              path: loaded.resolvePath(config.integrations.flags.flag_file),
              files,
            }),
        },
        {
          provide: SHOP_FAULTS,
          useFactory: () => new ShopFaultClient(config.integrations.runtime.process?.token ?? null),
        },
        { provide: CATALOG, useFactory: () => new ScenarioCatalog(config) },
        {
          provide: LEARNING,
          inject: [KvFactory, FILE_SANDBOX],
          useFactory: async (kv: KvFactory, files: FileAccessPolicy) =>
            new LearningService(
              {
                runs: await kv.open(KV_BUCKETS.learning, { class: ScenarioRunRecord }),
                scores: await kv.open(KV_BUCKETS.learning, { class: ScenarioScoreRecord }),
                scorecard: await kv.open(KV_BUCKETS.learning, { class: ScorecardRecord }),
                accuracy: await kv.open(KV_BUCKETS.learning, { class: AccuracyFeedbackRecord }),
                listKeys: () => kv.listKeys(KV_BUCKETS.learning),
              },
              {
                settle_ms: controller.learning.settle_s * 1000,
                min_samples: controller.learning.feedback_loop.min_samples,
                adjustment_suggestion: controller.learning.feedback_loop.adjustment_suggestion,
                suggestions_file: loaded.resolvePath(
                  controller.learning.feedback_loop.suggestions_file,
                ),
                files,
                thresholds: {
                  alerting: config.thresholds.alerting,
                  detection: config.thresholds.detection,
                },
                own_holder_prefix: holder,
              },
              systemScheduler,
              new Logger('Learning'),
            ),
        },
        {
          provide: ScenarioRunner,
          inject: [
            CATALOG,
            LOAD_DRIVER,
            FLAGS,
            SHOP_FAULTS,
            LeaseService,
            EventPublisher,
            LEARNING,
          ],
          useFactory: (
            catalog: ScenarioCatalog,
            load: LoadDriver,
            flags: FlagsPort,
            faults: ShopFaultClient,
            leases: LeaseService,
            publisher: EventPublisher,
            learning: LearningService,
          ) =>
            new ScenarioRunner({
              catalog,
              load,
              flags,
              faults,
              leases,
              publisher,
              journal: learning,
              scheduler: systemScheduler,
              logger: new Logger('Scenarios'),
              holder,
              lock: {
                lease_ms: controller.lock.lease_s * 1000,
                max_hold_ms: controller.lock.max_hold_s * 1000,
              },
              alerting: config.thresholds.alerting,
              observe: agent.mode === 'observe',
            }),
        },
        {
          provide: WeeklyReportService,
          inject: [SchedulerRegistry, LEARNING, EventPublisher],
          useFactory: (
            scheduler: SchedulerRegistry,
            learning: LearningService,
            publisher: EventPublisher,
          ) =>
            new WeeklyReportService({
              schedules: agent.schedules,
              scheduler,
              learning,
              publisher,
              logger: new Logger('WeeklyReport'),
            }),
        },
        DemoControllerLifecycle,
      ],
    };
  }
}
