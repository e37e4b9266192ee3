import { type RunSession } from '../../run/run-session';
import { requireSession } from '../command';

/** Triage a `queued` run: collect evidence, pick its runbook (or a proposal), or escalate. */
export class TriageIncidentCommand {
  private constructor(readonly session: RunSession) {}

  static create(fields: { session: RunSession }): TriageIncidentCommand {
    requireSession('TriageIncidentCommand', fields.session, ['queued']);
    return new TriageIncidentCommand(fields.session);
  }
}
