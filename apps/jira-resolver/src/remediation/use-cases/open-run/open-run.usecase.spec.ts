import { type RemediationRunRecord } from '@opscrew/contracts';
import { type KvRevisioned } from '@opscrew/messaging';
import { ManualClock } from '@opscrew/testing';
import { RecordingEscalation, REMEDIATION_START } from '../../testing/remediation.fakes';
import { EnqueueRunCommand, ReattemptRunCommand } from './open-run.command';
import { OpenRun } from './open-run.usecase';

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

const incident = {
  incident_id: 'INC-20261124-001',
  service: 'checkout',
  symptom: 'high_error_rate',
  severity: 'high' as const,
};

describe('OpenRun', () => {
  let runs: MemoryRuns;
  let escalation: RecordingEscalation;
  const openRun = (mode: 'act' | 'observe' = 'act') =>
    new OpenRun({
      runs,
      escalation,
      maxRetries: 2,
      mode,
      now: new ManualClock(REMEDIATION_START).date,
    });
  const finish = (id: string) => {
    const entry = runs.runs.get(id);
    if (entry) runs.runs.set(id, { ...entry, value: { ...entry.value, state: 'succeeded' } });
  };

  beforeEach(() => {
    runs = new MemoryRuns();
    escalation = new RecordingEscalation();
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
    expect(() => ReattemptRunCommand.create({ incidentId: '', reason: 'again' })).toThrow(
      'ReattemptRunCommand.incidentId: a non-empty string is required',
    );
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
    const again = ReattemptRunCommand.create({
      incidentId: incident.incident_id,
      reason: 'recurred',
    });
    expect(await openRun().reattempt(again)).toBe('unknown');
    await openRun().enqueue(EnqueueRunCommand.create({ incident, ticketKey: 'OPS-7' }));
    expect(await openRun().reattempt(again)).toBe('busy');
    finish(incident.incident_id);
    expect(await openRun().reattempt(again)).toBe('queued');
    expect(runs.runs.get(incident.incident_id)?.value).toMatchObject({
      state: 'queued',
      attempt: 2,
      ticket_key: 'OPS-7',
    });
    finish(incident.incident_id);
    expect(await openRun('observe').reattempt(again)).toBe('escalated');
    expect(escalation.calls).toEqual([]);
    expect(await openRun().reattempt(again)).toBe('escalated');
    expect(escalation.calls).toEqual([
      'escalate INC-20261124-001: recurred; 2 runbook run(s) already (max_retries 2)',
    ]);
  });
});
