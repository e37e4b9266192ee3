import { RecordingOutbox } from '@opscrew/testing';
import { TicketGateway } from './ticket.gateway';

describe('TicketGateway.reopen', () => {
  const incident = { incident_id: 'INC-20261207-001' };

  it('enqueues a move to To Do only from Done, under a key per recurrence', async () => {
    const outbox = new RecordingOutbox();
    const gateway = new TicketGateway(outbox, false);
    await gateway.reopen(incident, 'r1', 'The incident recurred.');
    await gateway.reopen({ ...incident, ticket_key: 'OPS-7' }, 'r2', '');
    expect(outbox.ofKind('ticket.transition')).toEqual([
      {
        kind: 'ticket.transition',
        idempotency_key: 'transition:INC-20261207-001:reopen:r1',
        ticket: { idempotency_key: 'ticket:INC-20261207-001' },
        to: 'todo',
        only_from: ['done'],
        comment: 'The incident recurred.',
      },
      {
        kind: 'ticket.transition',
        idempotency_key: 'transition:INC-20261207-001:reopen:r2',
        ticket: { key: 'OPS-7' },
        to: 'todo',
        only_from: ['done'],
      },
    ]);
  });

  it('enqueues nothing in observe mode', async () => {
    const outbox = new RecordingOutbox();
    await new TicketGateway(outbox, true).reopen(incident, 'r1', 'The incident recurred.');
    expect(outbox.calls).toEqual([]);
  });
});
