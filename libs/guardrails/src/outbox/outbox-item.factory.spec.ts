import { checkPlain, OutboxItemRecord } from '@opscrew/contracts';
import { recordFromCommand } from './outbox-item.factory';
import { type OutboxCommand } from './outbox.commands';

const transition = (extra: Partial<Extract<OutboxCommand, { kind: 'ticket.transition' }>>) =>
  ({
    kind: 'ticket.transition',
    idempotency_key: 'transition:INC-20261207-001:reopen:r1',
    ticket: { idempotency_key: 'ticket:INC-20261207-001' },
    to: 'todo',
    ...extra,
  }) as const;

describe('recordFromCommand: ticket.transition', () => {
  it('stores only_from as only_from_statuses (each status once), a valid record', () => {
    const record = recordFromCommand(
      transition({ only_from: ['done', 'done'], comment: 'recurred' }),
      Date.UTC(2026, 11, 7),
      1,
    );
    expect(record).toMatchObject({
      kind: 'ticket.transition',
      to_status: 'todo',
      only_from_statuses: ['done'],
      comment: 'recurred',
    });
    expect(checkPlain(OutboxItemRecord, record)).toEqual({ ok: true });
  });

  it('stores no only_from_statuses for an unconditional transition', () => {
    const record = recordFromCommand(transition({}), Date.UTC(2026, 11, 7), 1);
    expect(record).not.toHaveProperty('only_from_statuses');
    expect(checkPlain(OutboxItemRecord, record)).toEqual({ ok: true });
  });
});
