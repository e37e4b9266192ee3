import { SUBJECTS } from '@opscrew/contracts';
import { type ProposedAction } from '@opscrew/llm';
import { ManualClock, RecordingAudit, RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { PROPOSAL_RUNBOOK } from '../../../runbooks/proposal.runbook';
import { TicketGateway } from '../../../tickets/ticket.gateway';
import { REMEDIATION_START } from '../../testing/remediation.fakes';
import { MemorySession, runRecord } from '../../testing/run-session.fixture';
import { type Reasoning, TriageAdvice } from '../triage-incident/triage-advice';
import { ProposeFixCommand } from './propose-fix.command';
import { ProposeFix } from './propose-fix.usecase';

/** A reasoning port that proposes what the test says (or throws it). */
function scripted(answer: ProposedAction | null | Error): Reasoning {
  return {
    kind: 'rules',
    triageSummary: () => Promise.resolve({ probable_cause: 'a leak', what_to_check: ['heap'] }),
    proposeAction: () =>
      answer instanceof Error ? Promise.reject(answer) : Promise.resolve(answer),
  };
}

describe('ProposeFix', () => {
  let audit: RecordingAudit;
  let outbox: RecordingOutbox;
  let publisher: RecordingPublisher;

  const useCase = (reasoning: Reasoning | undefined, enabled = true) => {
    const tickets = new TicketGateway(outbox, false);
    const ledger = { get: () => Promise.resolve(null) };
    return new ProposeFix({
      ...(reasoning ? { reasoning } : {}),
      enabled,
      advice: new TriageAdvice({ ...(reasoning ? { reasoning } : {}), ledger, tickets }),
      audit,
      tickets,
      publisher,
      mode: 'act',
    });
  };
  const propose = (subject: ProposeFix, session = new MemorySession(runRecord())) =>
    subject
      .execute(
        ProposeFixCommand.create({
          session,
          evidenceText: 'ERROR heap',
          evidenceNote: 'ERROR heap',
        }),
      )
      .then((outcome) => ({ outcome, run: session.run }));

  beforeEach(() => {
    audit = new RecordingAudit();
    outbox = new RecordingOutbox();
    publisher = new RecordingPublisher('jira-resolver', new ManualClock(REMEDIATION_START));
  });

  it('validates its command, naming the field', () => {
    const session = new MemorySession(runRecord());
    expect(() => ProposeFixCommand.create({ session, evidenceText: '', evidenceNote: '' })).toThrow(
      'ProposeFixCommand.evidenceNote: a non-empty string is required',
    );
  });

  it('escalates at once without a reasoning port or with the feature off, asking nothing', async () => {
    for (const subject of [useCase(undefined), useCase(scripted(new Error('asked')), false)]) {
      const { outcome, run } = await propose(subject);
      expect(outcome).toEqual({
        kind: 'escalate',
        reason:
          'no runbook matches symptom high_error_rate with the evidence seen: a human should look',
      });
      expect(run.evidence).toBe('ERROR heap');
    }
    expect(audit.entries).toEqual([]);
    expect(publisher.of(SUBJECTS.remediationStarted)[0]).toMatchObject({ runbook: 'none' });
  });

  it('runs a valid proposal as a one-step runbook, audited as allowed', async () => {
    const { outcome, run } = await propose(
      useCase(scripted({ action: 'restart_service', params: {} })),
    );
    expect(outcome).toEqual({ kind: 'continue' });
    expect(run).toMatchObject({
      state: 'running',
      runbook: PROPOSAL_RUNBOOK,
      proposal: { by: 'rules', action: 'restart_service' },
    });
    expect(audit.entries.map((entry) => [entry.action, entry.verdict])).toEqual([
      ['remediation.propose', 'allowed'],
    ]);
    expect(outbox.comments()[0]).toMatch(/The rules proposed restart_service/);
  });

  it('escalates a refused proposal, a null one and a failing port, with what was seen on the ticket', async () => {
    const refused = await propose(useCase(scripted({ action: 'delete_database', params: {} })));
    expect(refused.outcome.kind === 'escalate' && refused.outcome.reason).toMatch(
      /the rules proposal was refused/,
    );
    const nothing = await propose(useCase(scripted(null)));
    expect(nothing.outcome.kind === 'escalate' && nothing.outcome.reason).toMatch(
      /rules proposed nothing safe: a human should look$/,
    );
    const failing = await propose(useCase(scripted(new Error('timeout'))));
    expect(failing.outcome.kind).toBe('escalate');
    expect(audit.entries.map((entry) => entry.verdict)).toEqual(['refused', 'refused', 'refused']);
    expect(outbox.comments().every((text) => text.endsWith('Evidence: ERROR heap'))).toBe(true);
  });
});
