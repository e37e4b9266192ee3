import { type VerifyMetricsStep } from '@opscrew/config';
import { type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `verify_metrics`: starts the verification — wait `wait_after_restart_s`
 * (or the step's `wait_s`), then check fresh metrics every `check_interval_s`.
 * The checks themselves run in the engine's `verifying` state.
 */
export class VerifyMetricsAction implements RunbookAction<VerifyMetricsStep> {
  async execute(context: StepContext, step: VerifyMetricsStep): Promise<StepOutcome> {
    const { deps } = context;
    const waitS = step.wait_s ?? deps.config.thresholds.verification.wait_after_restart_s;
    const now = deps.now();
    await context.save({
      ...context.run,
      state: 'verifying',
      verification: {
        started_at: now.toISOString(),
        checks: 0,
        passes_in_row: 0,
        failures: 0,
        step_index: context.run.step_index,
      },
    });
    // Prime a scrape-based source: the first check then has a window to measure.
    await deps.metrics.collect([context.run.service]).catch(() => undefined);
    return {
      kind: 'wait',
      at: new Date(now.getTime() + waitS * 1000).toISOString(),
      detail: `verifying: first check in ${waitS} s`,
    };
  }
}
