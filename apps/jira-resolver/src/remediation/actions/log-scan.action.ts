import { errorMessage } from '@opscrew/contracts';
import { type RunbookStepConfig } from '@opscrew/config';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/** What connection trouble looks like in logs of the usual drivers and pools. */
const CONNECTION_PATTERNS = [
  'pool exhausted',
  'too many connections',
  'timeout acquiring connection',
  'connection timeout',
  'ECONNRESET',
];

/**
 * `check_connection_count` and `identify_leak_source`: scan recent logs for
 * connection-pool trouble and name the lines (the code path holding
 * connections is usually in them).
 */
export class LogScanAction implements RunbookAction {
  async execute(context: StepContext, step: RunbookStepConfig): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    try {
      const logs = await deps.runtime.logs(run.service, 500, caller);
      const hits = logs.lines.filter((line) =>
        CONNECTION_PATTERNS.some((pattern) =>
          line.text.toLowerCase().includes(pattern.toLowerCase()),
        ),
      );
      if (hits.length === 0)
        return done(
          'ok',
          `${step.action}: no connection-pool errors in ${logs.lines.length} lines`,
        );
      return done(
        'ok',
        `${step.action}: ${hits.length} connection-pool errors; latest: ${hits[hits.length - 1]?.text.slice(0, 300) ?? ''}`,
      );
    } catch (error) {
      return done('failed', `${step.action}: logs unavailable: ${errorMessage(error)}`);
    }
  }
}
