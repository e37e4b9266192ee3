import { type VerifyMetricsStep } from '@opscrew/config';
import { beginVerification } from '../use-cases/verify-fix/begin-verification';
import { type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/**
 * `verify_metrics`: starts the verification — wait `wait_after_restart_s`
 * (or the step's `wait_s`), then check fresh metrics every `check_interval_s`.
 * The checks themselves are the VerifyFix use case, on the `verifying` state.
 */
export class VerifyMetricsAction implements RunbookAction<VerifyMetricsStep> {
  async execute(context: StepContext, step: VerifyMetricsStep): Promise<StepOutcome> {
    const { deps } = context;
    const waitS = step.wait_s ?? deps.config.thresholds.verification.wait_after_restart_s;
    const { at } = await beginVerification(context, deps, {
      waitS,
      stepIndex: context.run.step_index,
    });
    return { kind: 'wait', at, detail: `verifying: first check in ${waitS} s` };
  }
}
