import { type RemediationRunRecord, type RunState } from '@opscrew/contracts';
import { type RunSession } from '../run/run-session';

/**
 * A use case's command refused at construction: it names the command and the field, so a
 * wiring mistake reads as one line instead of a run that silently does the wrong thing.
 */
export class InvalidCommandError extends Error {
  override readonly name = 'InvalidCommandError';

  constructor(
    readonly command: string,
    readonly field: string,
    problem: string,
  ) {
    super(`${command}.${field}: ${problem}`);
  }
}

/** Throws unless `ok`: the one guard every command's `create` uses. */
export function requireField(command: string, field: string, ok: boolean, problem: string): void {
  if (!ok) throw new InvalidCommandError(command, field, problem);
}

/** A live session (a claimed run with a `save`) whose run is in one of `states`. */
export function requireSession(
  command: string,
  session: RunSession | undefined,
  states: readonly RunState[],
): asserts session is RunSession {
  requireField(
    command,
    'session',
    session !== undefined && typeof session.save === 'function',
    'a claimed run session is required',
  );
  const run: RemediationRunRecord | undefined = session?.run;
  requireField(command, 'session.run', run !== undefined, 'the session carries no run');
  requireField(
    command,
    'session.run.state',
    run !== undefined && states.includes(run.state),
    `expected ${states.join(' | ')}, got ${run?.state ?? 'nothing'}`,
  );
}

/** A non-empty string. */
export function requireText(command: string, field: string, value: unknown): void {
  requireField(
    command,
    field,
    typeof value === 'string' && value.trim().length > 0,
    'a non-empty string is required',
  );
}
