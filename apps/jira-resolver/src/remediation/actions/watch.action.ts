import { type DurationStep } from '@opscrew/config';
import { judgeSample } from '../verification.judge';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `verify_stability` and `monitor_*`: watch the service for `duration_s`, then
 * judge it once more: still running, not restarted on its own, and its metrics
 * under the verification bars. A regrowing leak or a crash loop fails here.
 */
export class WatchAction implements RunbookAction<DurationStep> {
  async execute(context: StepContext, step: DurationStep): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    const now = deps.now();
    if (!run.watch_until) {
      const until = new Date(now.getTime() + step.duration_s * 1000).toISOString();
      await context.save({ ...run, watch_until: until });
      await deps.metrics.collect([run.service]).catch(() => undefined);
      return {
        kind: 'wait',
        at: until,
        detail: `${step.action}: watching ${run.service} for ${step.duration_s} s`,
      };
    }
    if (now.getTime() < Date.parse(run.watch_until)) return { kind: 'wait', at: run.watch_until };
    await context.save({ ...run, watch_until: undefined });
    const state = await deps.runtime.inspect(run.service, caller).catch(() => null);
    if (state && (!state.running || state.health === 'unhealthy')) {
      return {
        kind: 'fail',
        detail: `${step.action}: ${run.service} is ${state.status} (${state.health}) after ${step.duration_s} s`,
      };
    }
    const snapshot = await deps.metrics.collect([run.service]);
    const verdict = judgeSample(
      snapshot.samples.find((sample) => sample.service === run.service),
      deps.config.thresholds.verification.success_criteria,
      snapshot.missing.find((missing) => missing.service === run.service)?.reason,
    );
    return verdict.pass
      ? done('ok', `${step.action}: stable for ${step.duration_s} s — ${verdict.detail}`)
      : {
          kind: 'fail',
          detail: `${step.action}: not stable after ${step.duration_s} s — ${verdict.detail}`,
        };
  }
}
