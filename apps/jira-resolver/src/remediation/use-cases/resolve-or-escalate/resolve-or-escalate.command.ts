import { ACTIVE_RUN_STATES } from '@opscrew/contracts';
import { type RunSession } from '../../run/run-session';
import { requireField, requireSession, requireText } from '../command';

const NAME = 'ResolveOrEscalateCommand';

/** End a run: `resolve` (the fix held) or `escalate` with the reason a human reads first. */
export class ResolveOrEscalateCommand {
  private constructor(
    readonly session: RunSession,
    readonly outcome: 'resolve' | 'escalate',
    readonly reason: string,
  ) {}

  static create(fields: {
    session: RunSession;
    outcome: 'resolve' | 'escalate';
    reason?: string;
  }): ResolveOrEscalateCommand {
    requireSession(NAME, fields.session, ACTIVE_RUN_STATES);
    requireField(
      NAME,
      'outcome',
      fields.outcome === 'resolve' || fields.outcome === 'escalate',
      `expected resolve | escalate, got ${String(fields.outcome)}`,
    );
    if (fields.outcome === 'escalate') requireText(NAME, 'reason', fields.reason);
    return new ResolveOrEscalateCommand(fields.session, fields.outcome, fields.reason ?? '');
  }
}
