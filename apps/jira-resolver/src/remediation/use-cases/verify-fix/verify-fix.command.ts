import { type RunSession } from '../../run/run-session';
import { requireSession } from '../command';

/** Run the verification check that is due on a `verifying` run. */
export class VerifyFixCommand {
  private constructor(readonly session: RunSession) {}

  static create(fields: { session: RunSession }): VerifyFixCommand {
    requireSession('VerifyFixCommand', fields.session, ['verifying']);
    return new VerifyFixCommand(fields.session);
  }
}
