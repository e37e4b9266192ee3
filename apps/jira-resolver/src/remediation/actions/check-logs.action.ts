import { errorMessage } from '@opscrew/contracts';
import { type CheckLogsStep } from '@opscrew/config';
import { done, type RunbookAction, type StepContext, type StepOutcome } from './runbook-action';

/** Default error patterns when a step lists none: what a human greps for first. */
const DEFAULT_PATTERNS = ['error', 'exception', 'timeout', 'refused', 'fatal'];

/** `check_logs`: counts error patterns in the service's recent logs and quotes the last match. */
export class CheckLogsAction implements RunbookAction<CheckLogsStep> {
  async execute(context: StepContext, step: CheckLogsStep): Promise<StepOutcome> {
    const { deps, run, caller } = context;
    try {
      const logs = await deps.runtime.logs(run.service, step.tail_lines, caller);
      const patterns = step.patterns.length > 0 ? step.patterns : DEFAULT_PATTERNS;
      const counts = patterns.map((pattern) => {
        const needle = pattern.toLowerCase();
        return {
          pattern,
          count: logs.lines.filter((line) => line.text.toLowerCase().includes(needle)).length,
        };
      });
      const last = [...logs.lines]
        .reverse()
        .find((line) => patterns.some((p) => line.text.toLowerCase().includes(p.toLowerCase())));
      const found = counts.filter((entry) => entry.count > 0);
      return done(
        'ok',
        `${logs.lines.length} log lines: ` +
          (found.length
            ? found.map((entry) => `${entry.count}× "${entry.pattern}"`).join(', ')
            : 'no error pattern') +
          (last ? `; last: ${last.text.slice(0, 300)}` : ''),
      );
    } catch (error) {
      // Logs help a human; their absence does not stop the runbook.
      return done('failed', `logs unavailable: ${errorMessage(error)}`);
    }
  }
}
