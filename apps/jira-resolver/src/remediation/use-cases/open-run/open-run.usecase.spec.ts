import { type RemediationRunRecord } from '@opscrew/contracts';
import { type KvRevisioned } from '@opscrew/messaging';
import { ManualClock } from '@opscrew/testing';
import { RecordingEscalation, REMEDIATION_START } from '../../testing/remediation.fakes';
import { EnqueueRunCommand, ReattemptRunCommand } from './open-run.command';
import { OpenRun } from './open-run.usecase';
import { type TicketTarget } from '../../../tickets/ticket.gateway';

/** The runs store as OpenRun sees it: create once, update by revision. */
class MemoryRuns {
  readonly runs = new Map<string, KvRevisioned<RemediationRunRecord>>();

  get(id: string): Promise<KvRevisioned<RemediationRunRecord> | null> {
    return Promise.resolve(this.runs.get(id) ?? null);
  }

  create(run: RemediationRunRecord): Promise<number | null> {
    if (this.runs.has(run.incident_id)) return Promise.resolve(null);
    this.runs.set(run.incident_id, { value: run, revision: 1 });
    return Promise.resolve(1);
  }

  update(run: RemediationRunRecord, revision: number): Promise<number | null> {
    const current = this.runs.get(run.incident_id);
    if (current?.revision !== revision) return Promise.resolve(null);
    this.runs.set(run.incident_id, { value: run, revision: revision + 1 });
    return Promise.resolve(revision + 1);
  }
}

/** The ticket reopenings asked for (TicketGateway.reopen), kept once per key as the outbox does. */
class RecordingReopens {
  readonly reopened: { ticket: string; key: string; comment: string }[] = [];
  /** Errors to throw on the next calls (a crash of the enqueue). */
  readonly failures: Error[] = [];

  reopen(target: TicketTarget, key: string, comment: string): Promise<void> {
    const failure = this.failures.shift();
    if (failure !== undefined) return Promise.reject(failure);
    if (!this.reopened.some((step) => step.key === key)) {
      this.reopened.push({ ticket: target.ticket_key ?? target.incident_id, key, comment });
    }
    return Promise.resolve();
  }
}

const incident = {
  incident_id: 'INC-20261124-001',
  service: 'checkout',
  symptom: 'high_error_rate',
  severity: 'high' as const,
};

describe('OpenRun', () => {
  let runs: MemoryRuns;
  let escalation: RecordingEscalation;
  let tickets: RecordingReopens;
  const openRun = (mode: 'act' | 'observe' = 'act') =>
    new OpenRun({
      runs,
      escalation,
      tickets,
      maxRetries: 2,
      mode,
      now: new ManualClock(REMEDIATION_START).date,
    });
  const finish = (id: string) => {
    const entry = runs.runs.get(id);
    if (entry) runs.runs.set(id, { ...entry, value: { ...entry.value, state: 'succeeded' } });
  };

  /** The first run ended; the recurrence that follows it. */
  const afterFirstRun = async (): Promise<ReattemptRunCommand> => {
    await openRun().enqueue(EnqueueRunCommand.create({ incident }));
    finish(incident.incident_id);
    return ReattemptRunCommand.create({
      incidentId: incident.incident_id,
      reason: 'recurred',
      recurrenceKey: 'incident.updated.INC-20261124-001.3',
    });
  };

  beforeEach(() => {
    runs = new MemoryRuns();
    escalation = new RecordingEscalation();
    tickets = new RecordingReopens();
  });

  it('validates the incident, naming the field', () => {
    expect(() =>
      EnqueueRunCommand.create({ incident: { ...incident, severity: 'urgent' as 'high' } }),
    ).toThrow(/^EnqueueRunCommand\.incident\.severity: expected critical \| high/);
    expect(() => EnqueueRunCommand.create({ incident: { ...incident, service: ' ' } })).toThrow(
      'EnqueueRunCommand.incident.service: a non-empty string is required',
    );
    expect(() => EnqueueRunCommand.create({ incident, attempt: 0 })).toThrow(
      'EnqueueRunCommand.attempt: a whole number >= 1, got 0',
    );
    expect(() =>
      ReattemptRunCommand.create({ incidentId: '', reason: 'again', recurrenceKey: 'k' }),
    ).toThrow('ReattemptRunCommand.incidentId: a non-empty string is required');
  });

  it('opens one queued run per incident, whoever asks twice', async () => {
    const command = EnqueueRunCommand.create({ incident, ticketKey: 'OPS-7' });
    expect(await openRun().enqueue(command)).toBe(true);
    expect(await openRun().enqueue(command)).toBe(false);
    expect(runs.runs.get(incident.incident_id)?.value).toMatchObject({
      state: 'queued',
      attempt: 1,
      mode: 'act',
      ticket_key: 'OPS-7',
      next_at: REMEDIATION_START,
    });
  });

  it('re-attempts a finished run within max_retries, then escalates', async () => {
    const again = (recurrenceKey: string) =>
      ReattemptRunCommand.create({
        incidentId: incident.incident_id,
        reason: 'recurred',
        recurrenceKey,
      });
    expect(await openRun().reattempt(again('r1'))).toBe('unknown');
    await openRun().enqueue(EnqueueRunCommand.create({ incident, ticketKey: 'OPS-7' }));
    // Still being worked: its chain is open and counting down, nothing to reopen.
    expect(await openRun().reattempt(again('r1'))).toBe('busy');
    expect(escalation.calls).toEqual([]);
    finish(incident.incident_id);
    expect(await openRun().reattempt(again('r1'))).toBe('queued');
    expect(runs.runs.get(incident.incident_id)?.value).toMatchObject({
      state: 'queued',
      attempt: 2,
      ticket_key: 'OPS-7',
    });
    expect(escalation.calls).toEqual(['reopen INC-20261124-001 r1']);
    expect(tickets.reopened).toEqual([
      {
        ticket: 'OPS-7',
        key: 't2',
        comment: expect.stringContaining('tries again (attempt 2 of at most 2)') as string,
      },
    ]);
    finish(incident.incident_id);
    expect(await openRun('observe').reattempt(again('r2'))).toBe('escalated');
    expect(escalation.calls).toHaveLength(1);
    expect(await openRun().reattempt(again('r2'))).toBe('escalated');
    // The new term first: escalating a closed chain would page nobody.
    expect(escalation.calls.slice(1)).toEqual([
      'reopen INC-20261124-001 r2',
      'escalate INC-20261124-001: recurred; 2 runbook run(s) already (max_retries 2)',
    ]);
    expect(tickets.reopened.map((step) => step.key)).toEqual(['t2', 't3']);
    expect(tickets.reopened[1]?.comment).toContain(
      'The runbook has run 2 time(s) (max_retries 2): a person is paged now.',
    );
  });

  it('reopens the chain and the ticket once per recurrence, however often it is delivered', async () => {
    const command = await afterFirstRun();
    expect(await openRun().reattempt(command)).toBe('queued');
    finish(incident.incident_id);
    // A redelivery after the second attempt ended: a run again within the budget, no new term.
    expect(await openRun().reattempt(command)).toBe('escalated');
    expect(tickets.reopened).toHaveLength(1);
    expect(escalation.calls.filter((call) => call.startsWith('escalate'))).toHaveLength(1);
  });

  it("a failure between the chain's reopening and the ticket's loses neither on redelivery", async () => {
    const command = await afterFirstRun();
    tickets.failures.push(new Error('outbox unreachable'));
    await expect(openRun().reattempt(command)).rejects.toThrow('outbox unreachable');
    // The chain's new term is written, the run is not: the redelivery comes back.
    expect(runs.runs.get(incident.incident_id)?.value.attempt).toBe(1);
    expect(await openRun().reattempt(command)).toBe('queued');
    expect(tickets.reopened.map((step) => step.key)).toEqual(['t2']);
    expect(escalation.calls.filter((call) => call.startsWith('reopen'))).toHaveLength(2);
  });

  it('names a missing recurrence key', () => {
    expect(() =>
      ReattemptRunCommand.create({
        incidentId: 'INC-20261124-001',
        reason: 'x',
        recurrenceKey: '',
      }),
    ).toThrow('ReattemptRunCommand.recurrenceKey: a non-empty string is required');
  });
});
