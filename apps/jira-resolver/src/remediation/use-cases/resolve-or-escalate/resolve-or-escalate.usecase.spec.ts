import { SUBJECTS } from '@opscrew/contracts';
import { ManualClock, RecordingOutbox, RecordingPublisher } from '@opscrew/testing';
import { TicketGateway } from '../../../tickets/ticket.gateway';
import { type RunSession } from '../../run/run-session';
import { RecordingEscalation, REMEDIATION_START } from '../../testing/remediation.fakes';
import { MemorySession, runRecord } from '../../testing/run-session.fixture';
import { ResolveOrEscalateCommand } from './resolve-or-escalate.command';
import { ResolveOrEscalate } from './resolve-or-escalate.usecase';

describe('ResolveOrEscalate', () => {
  let outbox: RecordingOutbox;
  let publisher: RecordingPublisher;
  let escalation: RecordingEscalation;
  let released: string[];

  const useCase = (mode: 'act' | 'observe' = 'act') =>
    new ResolveOrEscalate({
      tickets: new TicketGateway(outbox, mode === 'observe'),
      escalation,
      publisher,
      lease: {
        release: (session: RunSession) => {
          released.push(session.run.incident_id);
          return Promise.resolve();
        },
      },
      mode,
    });
  const verified = () =>
    new MemorySession(
      runRecord({
        state: 'running',
        runbook: 'high_error_rate',
        verified: true,
        verification: {
          started_at: REMEDIATION_START,
          checks: 3,
          passes_in_row: 3,
          failures: 0,
          last_error_rate_ratio: 0.001,
          last_latency_p99_ms: 120.4,
        },
        steps: [
          {
            step: 1,
            action: 'restart_service',
            result: 'ok',
            detail: 'restarted',
            at: REMEDIATION_START,
          },
        ],
      }),
    );

  beforeEach(() => {
    outbox = new RecordingOutbox();
    publisher = new RecordingPublisher('jira-resolver', new ManualClock(REMEDIATION_START));
    escalation = new RecordingEscalation();
    released = [];
  });

  it('validates its command: an escalation needs a reason, an outcome is one of two', () => {
    const session = verified();
    expect(() => ResolveOrEscalateCommand.create({ session, outcome: 'escalate' })).toThrow(
      'ResolveOrEscalateCommand.reason: a non-empty string is required',
    );
    expect(() =>
      ResolveOrEscalateCommand.create({ session, outcome: 'close' as 'resolve' }),
    ).toThrow('ResolveOrEscalateCommand.outcome: expected resolve | escalate, got close');
    const done = new MemorySession(runRecord({ state: 'succeeded' }));
    expect(() => ResolveOrEscalateCommand.create({ session: done, outcome: 'resolve' })).toThrow(
      /session\.run\.state: expected queued \| running \| deferred \| verifying, got succeeded/,
    );
  });

  it('resolves a verified fix: incident resolved with its numbers, escalation closed, ticket Done', async () => {
    const session = verified();
    await useCase().execute(ResolveOrEscalateCommand.create({ session, outcome: 'resolve' }));
    expect(publisher.subjects()).toEqual([
      SUBJECTS.incidentUpdated,
      SUBJECTS.incidentResolved,
      SUBJECTS.remediationFinished,
    ]);
    expect(publisher.of(SUBJECTS.incidentResolved)[0]).toMatchObject({
      resolved_by: 'jira-resolver',
      verification: { checks: 3, error_rate_ratio: 0.001, latency_p99_ms: 120.4 },
    });
    expect(publisher.of(SUBJECTS.remediationFinished)[0]).toMatchObject({
      outcome: 'succeeded',
      runbook: 'high_error_rate',
      steps: [{ action: 'restart_service', result: 'ok', detail: 'restarted' }],
    });
    expect(escalation.calls).toEqual(['close INC-20261124-001 resolved']);
    expect(outbox.transitions()).toEqual(['done']);
    expect(session.run).toMatchObject({ state: 'succeeded', lease: undefined });
    expect(session.run.outcome).toMatch(
      /^verified: 3 passing checks \(error rate 0\.10 %, p99 120 ms\)/,
    );
    expect(released).toEqual(['INC-20261124-001']);
  });

  it('escalates: the ticket says why, the chain pages now, the run fails', async () => {
    const session = verified();
    await useCase().execute(
      ResolveOrEscalateCommand.create({
        session,
        outcome: 'escalate',
        reason: 'the fix did not hold',
      }),
    );
    expect(outbox.comments()).toEqual([
      'Remediation stopped: the fix did not hold. Escalating to a human.',
    ]);
    expect(escalation.calls).toEqual(['escalate INC-20261124-001: the fix did not hold']);
    expect(session.run).toMatchObject({ state: 'failed', outcome: 'the fix did not hold' });
    expect(publisher.of(SUBJECTS.remediationFinished)[0]?.outcome).toBe('escalated');
  });

  it('in observe mode records the decision and touches nothing else', async () => {
    const session = verified();
    await useCase('observe').execute(
      ResolveOrEscalateCommand.create({ session, outcome: 'escalate', reason: 'would page' }),
    );
    expect(escalation.calls).toEqual([]);
    expect(outbox.calls).toEqual([]);
    expect(session.run.state).toBe('skipped');
    expect(publisher.subjects()).toEqual([SUBJECTS.remediationFinished]);
  });
});
