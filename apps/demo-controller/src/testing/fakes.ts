import {
  type ControllerSettingsConfig,
  loadConfig,
  type LoadedConfig,
  type OpscrewConfig,
  type ScenarioConfig,
} from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import {
  AccuracyFeedbackRecord,
  KV_BUCKETS,
  LeaseRecord,
  ScenarioRunRecord,
  ScenarioScoreRecord,
  ScorecardRecord,
} from '@opscrew/contracts';
import {
  type FlagChange,
  type FlagsPort,
  type LoadDriver,
  type LoadStartOptions,
  type LoadStats,
} from '@opscrew/integrations';
import { LeaseService, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { type LearningBuckets } from '../learning/learning.service';
import { type ManualScheduler } from '@opscrew/integrations/testing';

/** The shipped configuration (the token the shop would get from .env). */
export function shippedConfig(): LoadedConfig {
  return loadConfig({
    configDir: SHIPPED_CONFIG_DIR,
    env: { OPSCREW_SHOP_TOKEN: 'test-shop-token' },
  });
}

/** `config` with one more (or a replaced) demo-controller scenario. */
export function withScenario(
  config: OpscrewConfig,
  name: string,
  scenario: Partial<ScenarioConfig> & Pick<ScenarioConfig, 'kind' | 'duration_s' | 'expected'>,
): OpscrewConfig {
  const agent = config.agents.get('demo-controller');
  if (!agent?.controller) throw new Error('shipped config has no demo-controller.controller');
  const full: ScenarioConfig = {
    description: name,
    hold_lock: false,
    target_services: [],
    ...scenario,
  };
  return {
    ...config,
    agents: new Map([
      ...config.agents,
      [
        'demo-controller',
        {
          ...agent,
          controller: {
            ...agent.controller,
            scenarios: new Map([...agent.controller.scenarios, [name, full]]),
          },
        },
      ],
    ]),
  };
}

/** `config` with demo-controller's controller settings patched (e.g. `load_host` → a test server). */
export function withController(
  config: OpscrewConfig,
  patch: Partial<ControllerSettingsConfig>,
): OpscrewConfig {
  const agent = config.agents.get('demo-controller');
  if (!agent?.controller) throw new Error('shipped config has no demo-controller.controller');
  return {
    ...config,
    agents: new Map([
      ...config.agents,
      ['demo-controller', { ...agent, controller: { ...agent.controller, ...patch } }],
    ]),
  };
}

/** Leases over an in-memory bucket with the same CAS rules as NATS KV, on the test's clock. */
export function fakeLeases(clock: ManualScheduler): { leases: LeaseService; kv: FakeKv } {
  const kv = new FakeKv(KV_BUCKETS.locks);
  return {
    leases: new LeaseService(new TypedKv(kv.asKv(), 'locks', { class: LeaseRecord }), clock),
    kv,
  };
}

/** A load driver that records what it was asked and answers scripted stats. */
export class FakeLoadDriver implements LoadDriver {
  readonly kind = 'builtin' as const;
  readonly calls: string[] = [];
  started: LoadStartOptions | null = null;
  failStart: Error | null = null;
  stats_: LoadStats = {
    state: 'running',
    users: 10,
    rps: 20,
    fail_ratio: 0,
    p50_ms: 20,
    p95_ms: 80,
    p99_ms: 120,
    requests: 1200,
    failures: 0,
  };

  start(options: LoadStartOptions): Promise<void> {
    this.calls.push('start');
    if (this.failStart) return Promise.reject(this.failStart);
    this.started = options;
    return Promise.resolve();
  }

  stop(): Promise<void> {
    this.calls.push('stop');
    return Promise.resolve();
  }

  stats(): Promise<LoadStats> {
    this.calls.push('stats');
    return Promise.resolve(this.stats_);
  }

  reset(): Promise<void> {
    this.calls.push('reset');
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.calls.push('close');
    return Promise.resolve();
  }
}

/** Flags in memory: every flag has off/on (and 100 %) variants. */
export class FakeFlags implements FlagsPort {
  readonly current = new Map<string, string>();
  readonly calls: string[] = [];

  setVariant(flag: string, variant: string): Promise<FlagChange> {
    this.calls.push(`${flag}=${variant}`);
    const previous = this.current.get(flag) ?? 'off';
    this.current.set(flag, variant);
    return Promise.resolve({
      flag,
      previous_variant: previous,
      variant,
      value: variant !== 'off',
      file: 'memory',
    });
  }

  describe(
    flag: string,
  ): Promise<{ flag: string; variants: string[]; default_variant: string | null }> {
    return Promise.resolve({
      flag,
      variants: ['off', 'on', '100%'],
      default_variant: this.current.get(flag) ?? 'off',
    });
  }
}

/** The `learning` bucket in memory, with the typed views LearningService uses. */
export function fakeLearningBuckets(): { buckets: LearningBuckets; kv: FakeKv } {
  const kv = new FakeKv(KV_BUCKETS.learning);
  const raw = kv.asKv();
  return {
    kv,
    buckets: {
      runs: new TypedKv(raw, 'learning', { class: ScenarioRunRecord }),
      scores: new TypedKv(raw, 'learning', { class: ScenarioScoreRecord }),
      scorecard: new TypedKv(raw, 'learning', { class: ScorecardRecord }),
      accuracy: new TypedKv(raw, 'learning', { class: AccuracyFeedbackRecord }),
      listKeys: async () => {
        const keys: string[] = [];
        for await (const key of await kv.keys()) keys.push(key);
        return keys;
      },
    },
  };
}
