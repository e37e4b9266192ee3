import { type RunSession } from '../../run/run-session';
import { requireField, requireSession } from '../command';

const NAME = 'ProposeFixCommand';

/** A `queued` run no runbook matches, with the evidence triage saw (raw, and as the ticket note). */
export class ProposeFixCommand {
  private constructor(
    readonly session: RunSession,
    readonly evidenceText: string,
    readonly evidenceNote: string,
  ) {}

  static create(fields: {
    session: RunSession;
    evidenceText: string;
    evidenceNote: string;
  }): ProposeFixCommand {
    requireSession(NAME, fields.session, ['queued']);
    // The raw text may be empty (nothing readable); the note says so ('none'), never blank.
    requireField(NAME, 'evidenceText', typeof fields.evidenceText === 'string', 'a string');
    requireField(
      NAME,
      'evidenceNote',
      typeof fields.evidenceNote === 'string' && fields.evidenceNote.length > 0,
      'a non-empty string is required',
    );
    return new ProposeFixCommand(fields.session, fields.evidenceText, fields.evidenceNote);
  }
}
