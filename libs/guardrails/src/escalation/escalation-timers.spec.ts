import { EscalationRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { EscalationTimers } from './escalation-timers';
import { RecordingLogger } from './testing';

const CLAIM_MS = 30_000;

describe('EscalationTimers', () => {
  const fake = new FakeKv('escalations');
  const logger = new RecordingLogger();
  const timers = new EscalationTimers(
    new TypedKv<EscalationRecord>(fake.asKv(), 'escalations', { class: EscalationRecord }),
    CLAIM_MS,
    logger,
  );
  const record = (fields: Partial<EscalationRecord>): EscalationRecord =>
    ({
      state: 'open',
      deadline_at: '2025-01-31T12:10:00.000Z',
      ...fields,
    }) as EscalationRecord;

  it('times an open chain at its deadline, a pending marker at its takeover', () => {
    expect(timers.dueOf(record({}))).toBe(Date.parse('2025-01-31T12:10:00.000Z'));
    expect(
      timers.dueOf(record({ pending_level: 'L2', pending_since: '2025-01-31T12:00:00.000Z' })),
    ).toBe(Date.parse('2025-01-31T12:00:00.000Z') + CLAIM_MS);
  });

  it('has no timer for a closed or exhausted chain', () => {
    expect(timers.dueOf(record({ state: 'acked' }))).toBeNull();
    expect(timers.dueOf(record({ exhausted: true }))).toBeNull();
  });

  it('logs a failed index write instead of failing the step', async () => {
    fake.putRaw('_due', 'not json');
    await timers.sync('INC-20250131-001', record({}), 3);
    expect(logger.lines.some((line) => line.includes('due index not updated'))).toBe(true);
  });

  it('is keyed `_due`, beside the records', () => {
    expect(timers.key).toBe('_due');
  });
});
