import { type DurationStep } from '@opscrew/config';
import { FIRST_SCRAPE_REASON } from '@opscrew/integrations';
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
    const cap = deps.config.thresholds.verification.max_watch_s;
    const durationS = cap === undefined ? step.duration_s : Math.min(step.duration_s, cap);
    if (!run.watch_until) {
      const until = new Date(now.getTime() + durationS * 1000).toISOString();
      await context.save({ ...run, watch_until: until });
      await deps.metrics.collect([run.service]).catch(() => undefined);
      return {
        kind: 'wait',
        at: until,
        detail: `${step.action}: watching ${run.service} for ${durationS} s`,
      };
    }
    if (now.getTime() < Date.parse(run.watch_until)) return { kind: 'wait', at: run.watch_until };
    await context.save({ ...run, watch_until: undefined });
    const state = await deps.runtime.inspect(run.service, caller).catch(() => null);
    if (state && (!state.running || state.health === 'unhealthy')) {
      return {
        kind: 'fail',
        detail: `${step.action}: ${run.service} is ${state.status} (${state.health}) after ${durationS} s`,
      };
    }
    const snapshot = await deps.metrics.collect([run.service]);
    const missing = snapshot.missing.find((entry) => entry.service === run.service)?.reason;
    if (missing?.startsWith(FIRST_SCRAPE_REASON)) {
      // The scrape at the start fell on a service still starting after its restart, so this
      // one opens the window instead of closing it. It has now primed the window: judge one
      // check interval later rather than fail a fix for want of a second reading.
      const again = new Date(
        now.getTime() + deps.config.thresholds.verification.check_interval_s * 1000,
      ).toISOString();
      await context.save({ ...context.run, watch_until: again });
      return { kind: 'wait', at: again, detail: `${step.action}: ${missing}; judging again` };
    }
    const verdict = judgeSample(
      snapshot.samples.find((sample) => sample.service === run.service),
      deps.config.thresholds.verification.success_criteria,
      missing,
    );
    return verdict.pass
      ? done('ok', `${step.action}: stable for ${durationS} s — ${verdict.detail}`)
      : {
          kind: 'fail',
          detail: `${step.action}: not stable after ${durationS} s — ${verdict.detail}`,
        };
  }
}
