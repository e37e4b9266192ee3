import { type LoadSummary } from '@opscrew/contracts';
import { type LoadDriver } from '@opscrew/integrations';
import { type LoadPlan } from './scenario.catalog';
import { type ScenarioEffect } from './scenario.effect';

/**
 * The swarm outlives the planned duration by this much before the driver
 * stops it by itself: enough for the runner's own stop to come first, short
 * enough that a crashed demo-controller's load ends soon after its locks expire.
 */
const RUN_TIME_MARGIN_S = 15;

/** Traffic from the load port: stats reset, swarm started; measured and stopped at the end. */
export class LoadEffect implements ScenarioEffect {
  readonly label: string;
  readonly actions = { apply: 'load.start', revert: 'load.stop' } as const;

  constructor(
    private readonly driver: LoadDriver,
    private readonly plan: LoadPlan,
    private readonly durationMs: number,
  ) {
    this.label = `load ${plan.users} users at ${plan.spawn_rate}/s on ${plan.host} (${driver.kind}, from ${plan.from})`;
  }

  async apply(): Promise<void> {
    await this.driver.reset();
    await this.driver.start({
      users: this.plan.users,
      spawn_rate: this.plan.spawn_rate,
      host: this.plan.host,
      run_time_s: Math.ceil(this.durationMs / 1000) + RUN_TIME_MARGIN_S,
    });
  }

  async measure(): Promise<LoadSummary> {
    const stats = await this.driver.stats();
    return {
      users: stats.users,
      rps: stats.rps,
      fail_ratio: stats.fail_ratio,
      p50_ms: stats.p50_ms,
      p95_ms: stats.p95_ms,
      ...(stats.p99_ms !== undefined ? { p99_ms: stats.p99_ms } : {}),
      requests: stats.requests,
      failures: stats.failures,
    };
  }

  revert(): Promise<void> {
    return this.driver.stop();
  }
}
