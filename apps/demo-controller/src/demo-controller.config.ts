import { randomUUID } from 'node:crypto';
import { hostname } from 'node:os';
import { type Provider } from '@nestjs/common';
import {
  type ControllerSettingsConfig,
  LOADED_CONFIG,
  type LoadedConfig,
  type OpscrewConfig,
} from '@opscrew/config';
import {
  AccuracyFeedbackRecord,
  KV_BUCKETS,
  ScenarioRunRecord,
  ScenarioScoreRecord,
  ScorecardRecord,
} from '@opscrew/contracts';
import { KvFactory } from '@opscrew/messaging';
import { FILE_SANDBOX, type FileAccessPolicy } from '@opscrew/sandbox';
import {
  CONTROLLER_CONFIG,
  HOLDER,
  LEARNING_BUCKETS,
  LEARNING_OPTIONS,
  SCENARIO_OPTIONS,
  SHOP_TOKEN,
} from './demo-controller.tokens';
import { type LearningBuckets, type LearningOptions } from './learning/learning.options';
import { type ControllerConfigView } from './scenarios/scenario.catalog';
import { type ScenarioRunnerOptions } from './scenarios/scenario.runner';

export { type ControllerConfigView } from './scenarios/scenario.catalog';

/** `agents.demo-controller.controller`: required, checked when the module is built. */
export function controllerSettingsOf(config: OpscrewConfig): ControllerSettingsConfig {
  const controller = config.agents.get('demo-controller')?.controller;
  if (!controller) throw new Error('agents.demo-controller.controller is required');
  return controller;
}

/** The slice tokens of demo-controller.tokens.ts, one small factory each, from the loaded config. */
export const controllerConfigProviders: Provider[] = [
  {
    provide: CONTROLLER_CONFIG,
    inject: [LOADED_CONFIG],
    useFactory: ({ config }: LoadedConfig): ControllerConfigView => ({
      agents: config.agents,
      services: config.services,
      integrations: config.integrations,
    }),
  },
  {
    // Unique per process: replicas in containers often share pid 1.
    provide: HOLDER,
    useFactory: (): string =>
      `demo-controller-${hostname()}-${process.pid}-${randomUUID().slice(0, 6)}`,
  },
  {
    provide: SHOP_TOKEN,
    inject: [LOADED_CONFIG],
    useFactory: ({ config }: LoadedConfig): string | null =>
      config.integrations.runtime.process?.token ?? null,
  },
  {
    provide: LEARNING_OPTIONS,
    inject: [LOADED_CONFIG, FILE_SANDBOX, HOLDER],
    useFactory: (
      { config, resolvePath }: LoadedConfig,
      files: FileAccessPolicy,
      holder: string,
    ): LearningOptions => {
      const { learning } = controllerSettingsOf(config);
      return {
        settle_ms: learning.settle_s * 1000,
        min_samples: learning.feedback_loop.min_samples,
        adjustment_suggestion: learning.feedback_loop.adjustment_suggestion,
        suggestions_file: resolvePath(learning.feedback_loop.suggestions_file),
        files,
        thresholds: {
          alerting: config.thresholds.alerting,
          detection: config.thresholds.detection,
        },
        own_holder_prefix: holder,
      };
    },
  },
  {
    provide: SCENARIO_OPTIONS,
    inject: [LOADED_CONFIG],
    useFactory: ({ config }: LoadedConfig): ScenarioRunnerOptions => {
      const { lock } = controllerSettingsOf(config);
      return {
        lock: { lease_ms: lock.lease_s * 1000, max_hold_ms: lock.max_hold_s * 1000 },
        alerting: config.thresholds.alerting,
        observe: config.agents.get('demo-controller')?.mode === 'observe',
      };
    },
  },
  {
    // The learning bucket, opened once per record class it holds.
    provide: LEARNING_BUCKETS,
    inject: [KvFactory],
    useFactory: async (kv: KvFactory): Promise<LearningBuckets> => ({
      runs: await kv.open(KV_BUCKETS.learning, { class: ScenarioRunRecord }),
      scores: await kv.open(KV_BUCKETS.learning, { class: ScenarioScoreRecord }),
      scorecard: await kv.open(KV_BUCKETS.learning, { class: ScorecardRecord }),
      accuracy: await kv.open(KV_BUCKETS.learning, { class: AccuracyFeedbackRecord }),
      listKeys: () => kv.listKeys(KV_BUCKETS.learning),
    }),
  },
];
