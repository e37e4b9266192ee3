import { type RunSession } from '../../run/run-session';
import { requireSession } from '../command';

/** Run the next runbook step of a `running` run, or resume a `deferred` one whose wait is over. */
export class ExecuteStepCommand {
  private constructor(readonly session: RunSession) {}

  static create(fields: { session: RunSession }): ExecuteStepCommand {
    requireSession('ExecuteStepCommand', fields.session, ['running', 'deferred']);
    return new ExecuteStepCommand(fields.session);
  }
}
