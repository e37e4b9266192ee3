import { Logger } from '@nestjs/common';
import { type Transition } from '../use-cases/transition';
import { type RunSession } from './run-session';

/**
 * A step that keeps erroring (the runtime or the bus unreachable) is retried
 * with backoff 2, 4, 8, 16 s; after 5 errors in a row (~30 s) the run stops
 * and a human is paged rather than looping at 3 a.m.
 */
export const MAX_STEP_ERRORS = 5;
export const ERROR_BACKOFF_BASE_MS = 2000;

/** Backs off and retries a failing step; past the budget the run escalates. */
export class StepBackoff {
  private readonly logger = new Logger(StepBackoff.name);

  constructor(private readonly ports: { readonly now: () => Date }) {}

  async afterError(session: RunSession, error: unknown): Promise<Transition> {
    const message = error instanceof Error ? error.message : String(error);
    const errors = (session.run.errors ?? 0) + 1;
    this.logger.warn(
      `${session.run.incident_id}: step failed (${errors}/${MAX_STEP_ERRORS}): ${message}`,
    );
    if (errors >= MAX_STEP_ERRORS) {
      await session.save({ ...session.run, errors, last_error: message.slice(0, 1900) });
      return { kind: 'escalate', reason: `gave up after ${errors} errors in a row: ${message}` };
    }
    const delay = ERROR_BACKOFF_BASE_MS * 2 ** (errors - 1);
    await session.save({
      ...session.run,
      errors,
      last_error: message.slice(0, 1900),
      next_at: new Date(this.ports.now().getTime() + delay).toISOString(),
    });
    return { kind: 'wait' };
  }
}
