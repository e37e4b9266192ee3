import { checkPlain, uncompiledReason } from '../validation/compiled-check';
import { validatePlain } from '../validation/validate-plain';
import { OutboxItemRecord } from './outbox-item.record';

const at = '2026-12-07T12:00:00.000Z';
const transition = (extra: Record<string, unknown>): Record<string, unknown> => ({
  kind: 'ticket.transition',
  state: 'pending',
  idempotency_key: 'transition:INC-20261207-001:reopen:r1',
  created_at: at,
  updated_at: at,
  order: 1,
  attempts: 0,
  next_attempt_at: at,
  ticket: { idempotency_key: 'ticket:INC-20261207-001' },
  to_status: 'todo',
  ...extra,
});

describe('OutboxItemRecord only_from_statuses', () => {
  it('keeps a conditional transition: ticket statuses, or none (an unconditional one)', () => {
    expect(validatePlain(OutboxItemRecord, transition({})).ok).toBe(true);
    const conditional = transition({ only_from_statuses: ['done', 'in_review'] });
    expect(validatePlain(OutboxItemRecord, conditional)).toMatchObject({
      ok: true,
      value: { only_from_statuses: ['done', 'in_review'] },
    });
    // The compiled check (KV writes and reads) agrees.
    expect(uncompiledReason(OutboxItemRecord)).toBeNull();
    expect(checkPlain(OutboxItemRecord, conditional)).toEqual({ ok: true });
  });

  it('refuses an unknown status, naming the field and the statuses it may hold', () => {
    for (const statuses of [['done', 'reopened'], ['Done'], [''], ['done ']]) {
      const refused = checkPlain(OutboxItemRecord, transition({ only_from_statuses: statuses }));
      expect(refused).toEqual({
        ok: false,
        reason:
          'only_from_statuses: must be an array of at most 5 strings matching one of ' +
          'todo, in_progress, in_review, done, escalated (≤ 11 characters)',
      });
    }
    const tooMany = Array.from({ length: 6 }, () => 'done');
    expect(checkPlain(OutboxItemRecord, transition({ only_from_statuses: tooMany })).ok).toBe(
      false,
    );
  });
});
