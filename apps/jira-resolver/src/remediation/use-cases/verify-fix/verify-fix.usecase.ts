import { Injectable, Logger } from '@nestjs/common';
import { type VerificationConfig } from '@opscrew/config';
import { type RunStepRecord, RUN_STEPS_MAX } from '@opscrew/contracts';
import { type MetricsSource } from '@opscrew/integrations';
import { judgeSample } from '../../verification.judge';
import { CONTINUE, escalate, type Transition, WAIT } from '../transition';
import { beginVerification } from './begin-verification';
import { type VerifyFixCommand } from './verify-fix.command';

/** What verification reads: fresh metrics, the bars they are judged by, the time. */
export interface VerifyFixPorts {
  readonly metrics: Pick<MetricsSource, 'collect'>;
  readonly verification: VerificationConfig;
  readonly now: () => Date;
}

/**
 * One verification check on a `verifying` run: fresh metrics judged against the success
 * criteria. Enough passes in a row and the run goes on past its `verify_metrics` step (marked
 * verified); past the failure budget, or with nothing to judge for too long, it escalates.
 */
@Injectable()
export class VerifyFix {
  private readonly logger = new Logger(VerifyFix.name);

  constructor(private readonly ports: VerifyFixPorts) {}

  async execute(command: VerifyFixCommand): Promise<Transition> {
    const { metrics, verification: settings, now } = this.ports;
    const session = command.session;
    const run = session.run;
    const progress = run.verification;
    if (!progress) {
      // Both writers of `verifying` write its progress too; a record without it starts over.
      await beginVerification(session, this.ports, { waitS: settings.wait_after_restart_s });
      return WAIT;
    }
    const snapshot = await metrics.collect([run.service]);
    const sample = snapshot.samples.find((entry) => entry.service === run.service);
    const verdict = judgeSample(
      sample,
      settings.success_criteria,
      snapshot.missing.find((entry) => entry.service === run.service)?.reason,
    );
    const inconclusive = !verdict.pass && verdict.inconclusive === true;
    const next = {
      ...progress,
      checks: progress.checks + 1,
      // Nothing to judge breaks no streak and fails nothing: the evidence is still to come.
      passes_in_row: verdict.pass
        ? progress.passes_in_row + 1
        : inconclusive
          ? progress.passes_in_row
          : 0,
      failures: verdict.pass || inconclusive ? progress.failures : progress.failures + 1,
      ...(inconclusive ? { inconclusive: (progress.inconclusive ?? 0) + 1 } : {}),
      ...(sample?.error_rate_ratio != null
        ? { last_error_rate_ratio: sample.error_rate_ratio }
        : {}),
      ...(sample?.latency_p99_ms != null ? { last_latency_p99_ms: sample.latency_p99_ms } : {}),
    };
    this.logger.log(
      `${run.incident_id}: verification check ${next.checks}: ${verdict.pass ? 'pass' : inconclusive ? 'inconclusive' : 'fail'} — ${verdict.detail}`,
    );
    if (next.passes_in_row >= settings.success_criteria.consecutive_checks) {
      const stepIndex = progress.step_index;
      const record: RunStepRecord = {
        step: (stepIndex ?? run.step_index) + 1,
        action: 'verify_metrics',
        result: 'ok',
        detail: `${next.passes_in_row} passing checks in a row (${next.checks} in all): ${verdict.detail}`,
        at: now().toISOString(),
      };
      await session.save({
        ...run,
        state: 'running',
        verified: true,
        verification: next,
        step_index: stepIndex !== undefined ? stepIndex + 1 : run.step_index,
        steps: [...run.steps, record].slice(-RUN_STEPS_MAX),
        next_at: now().toISOString(),
      });
      return CONTINUE;
    }
    if (next.failures >= settings.failure_budget_checks) {
      await session.save({ ...run, verification: next });
      return escalate(
        `the fix did not hold: ${next.failures} failed checks (budget ${settings.failure_budget_checks}); last: ${verdict.detail}`,
      );
    }
    // Twice the failure budget of checks with nothing to judge, each window longer than the
    // last: a service nobody calls any more cannot be proven fixed — a human looks.
    if ((next.inconclusive ?? 0) >= settings.failure_budget_checks * 2) {
      await session.save({ ...run, verification: next });
      return escalate(
        `could not verify the fix: ${next.inconclusive ?? 0} checks with nothing to judge; last: ${verdict.detail}`,
      );
    }
    await session.save({
      ...run,
      verification: next,
      // Once a check had traffic to judge, the window is long enough again: back to the interval.
      next_at: new Date(
        now().getTime() +
          checkDelayS(settings.check_interval_s, inconclusive ? (next.inconclusive ?? 0) : 0) *
            1000,
      ).toISOString(),
    });
    return WAIT;
  }
}

/**
 * The wait before the next verification check. After checks with nothing to judge it doubles,
 * up to 8× the interval (a check with traffic to judge goes back to the interval): the metrics window is the time between two reads, so a quiet service
 * (a few requests a minute) is measured over a window long enough to hold some.
 */
export function checkDelayS(intervalS: number, inconclusive: number): number {
  return intervalS * 2 ** Math.min(inconclusive, 3);
}
