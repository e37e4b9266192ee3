import { type RunbookStepConfig } from '@opscrew/config';
import { describeInspection } from '../evidence.collector';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `check_resources` and `collect_memory_profile`: the service's memory against
 * its limit (and health) from the runtime. Sets `resource_pressure`, which a
 * later `restart_service` with `condition: if_resource_pressure` reads.
 */
export class CheckResourcesAction implements RunbookAction {
  async execute(context: StepContext, _step: RunbookStepConfig): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    try {
      const state = await deps.runtime.inspect(run.service, caller);
      const limitPercent =
        deps.config.thresholds.alerting.services.get(run.service)?.memory_usage_percent ??
        deps.config.thresholds.alerting.defaults.memory_usage_percent ??
        90;
      const usedPercent =
        state.memory_bytes !== undefined && state.memory_limit_bytes
          ? (state.memory_bytes / state.memory_limit_bytes) * 100
          : undefined;
      const pressure =
        (usedPercent !== undefined && usedPercent >= limitPercent) ||
        state.health === 'unhealthy' ||
        state.oom_killed;
      await context.save({ ...run, resource_pressure: pressure });
      return done(
        'ok',
        `${describeInspection(state)}${usedPercent !== undefined ? ` (${usedPercent.toFixed(0)} % of the limit, threshold ${limitPercent} %)` : ''}; ` +
          `resource pressure: ${pressure ? 'yes' : 'no'}`,
      );
    } catch (error) {
      return done('failed', `resources unavailable: ${(error as Error).message}`);
    }
  }
}
