import { DeliveryError } from '@opscrew/ports';
import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { type OutboxOptions } from './outbox-options';
import { outboxUnits, unitDraft, type OutboxUnits } from './testing/outbox-units';
import { TrackerLane } from './tracker.lane';

describe('TrackerLane', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  const lane = (
    overrides: Partial<OutboxOptions> = {},
    stopping = (): boolean => false,
  ): { units: OutboxUnits; lane: TrackerLane } => {
    const units = outboxUnits(overrides);
    return {
      units,
      lane: new TrackerLane(
        units.store,
        units.claims,
        units.settlement,
        units.ticketWindow,
        units.tracker,
        units.clock,
        units.logger,
        stopping,
      ),
    };
  };
  const step = (n: number, idem: string) =>
    ({
      kind: 'ticket.comment',
      idempotency_key: idem,
      ticket: { idempotency_key: unitDraft(n).idempotency_key },
      text: `note ${idem}`,
    }) as const;

  it('looks a creation up before creating it, then runs its steps in order on the new ticket', async () => {
    const { units, lane: tracker } = lane();
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    await units.enqueue(step(1, 'c1'));
    await units.enqueue(step(1, 'c2'));
    await tracker.pass();
    await tracker.pass();
    expect(units.tracker.calls).toEqual([
      `find ${unitDraft(1).idempotency_key}`,
      `create ${unitDraft(1).idempotency_key}`,
      'comment FAKE-1 "note c1"',
      'comment FAKE-1 "note c2"',
    ]);
  });

  it('passes a conditional transition (only_from) to the tracker: delivered either way', async () => {
    const { units, lane: tracker } = lane();
    const reopen = (n: number) =>
      ({
        kind: 'ticket.transition',
        idempotency_key: `reopen:${n}`,
        ticket: { idempotency_key: unitDraft(n).idempotency_key },
        to: 'todo',
        only_from: ['done'],
      }) as const;
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(2) });
    await tracker.pass();
    // Since then: ticket 1 was resolved, ticket 2 taken by a person.
    for (const [key, status] of [
      ['FAKE-1', 'done'],
      ['FAKE-2', 'escalated'],
    ] as const) {
      const ticket = units.tracker.tickets.get(key);
      if (ticket !== undefined) units.tracker.tickets.set(key, { ...ticket, status });
    }
    const done = await units.enqueue(reopen(1));
    const taken = await units.enqueue(reopen(2));
    await tracker.pass();
    expect(units.tracker.tickets.get('FAKE-1')?.status).toBe('todo');
    // Not from Done: the tracker left it as it was, and the step is delivered, not failed.
    expect(units.tracker.tickets.get('FAKE-2')?.status).toBe('escalated');
    expect((await units.read(done.key))?.state).toBe('delivered');
    expect((await units.read(taken.key))?.state).toBe('delivered');
  });

  it('holds a creation over the ticket budget without asking the tracker', async () => {
    const { units, lane: tracker } = lane({ ticket_creates_per_window: 1 });
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    const second = await units.enqueue({ kind: 'ticket.create', draft: unitDraft(2) });
    await tracker.pass();
    expect(units.tracker.calls.filter((c) => c.includes(unitDraft(2).idempotency_key))).toEqual([]);
    expect((await units.read(second.key))?.state).toBe('held');
  });

  it('a step waits while its creation retries, and fails with it when it is parked', async () => {
    const { units, lane: tracker } = lane();
    units.tracker.createOutcomes.push(new DeliveryError('HTTP 400', false, undefined, 400));
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    const comment = await units.enqueue(step(1, 'c1'));
    await tracker.pass();
    expect((await units.read(comment.key))?.state).toBe('pending');
    await tracker.pass();
    expect(await units.read(comment.key)).toMatchObject({
      state: 'failed',
      last_error: 'ticket creation failed: HTTP 400',
    });
  });

  it('picks nothing once the worker is stopping', async () => {
    const { units, lane: tracker } = lane({}, () => true);
    await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    await tracker.pass();
    expect(units.tracker.calls).toEqual([]);
  });

  it('never creates a ticket under a claim whose renewals stalled; creates it once when sure again', async () => {
    const { units, lane: tracker } = lane();
    const item = await units.enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    const find = units.tracker.findByIdempotencyKey.bind(units.tracker);
    const stalled = jest
      .spyOn(units.tracker, 'findByIdempotencyKey')
      .mockImplementationOnce(async (key) => {
        units.clock.advance(units.options.claim_ttl_ms * 0.6);
        return find(key);
      });
    await tracker.pass();
    expect(units.tracker.calls.filter((c) => c.startsWith('create'))).toEqual([]);
    expect(await units.read(item.key)).toMatchObject({ state: 'pending', attempts: 0 });
    stalled.mockRestore();
    await tracker.pass();
    expect(units.tracker.calls.filter((c) => c.startsWith('create'))).toEqual([
      `create ${unitDraft(1).idempotency_key}`,
    ]);
  });
});
