import { type OutboxKind } from '@opscrew/contracts';
import { OutboxAdmin } from './outbox.admin';
import { outboxUnits, unitAlert, unitDraft } from './testing/outbox-units';

describe('OutboxAdmin', () => {
  it('counts items by kind and state, and lists them in enqueue order', async () => {
    const { store, clock, enqueue, settlement } = outboxUnits();
    const admin = new OutboxAdmin(store, clock, () => undefined);
    const second = await enqueue({ kind: 'notify', notification: unitAlert(2) });
    await enqueue({ kind: 'notify', notification: unitAlert(1) });
    await enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    await settlement.settle(second, 'delivered', {});
    expect(await admin.depth()).toEqual([
      { kind: 'notify', state: 'delivered', count: 1 },
      { kind: 'notify', state: 'pending', count: 1 },
      { kind: 'ticket.create', state: 'pending', count: 1 },
    ]);
    expect((await admin.list()).map((i) => i.value.idempotency_key)).toEqual([
      unitAlert(2).idempotency_key,
      unitAlert(1).idempotency_key,
      unitDraft(1).idempotency_key,
    ]);
  });

  it('reads a ticket key only once its creation was delivered', async () => {
    const { store, clock, enqueue, settlement } = outboxUnits();
    const admin = new OutboxAdmin(store, clock, () => undefined);
    const create = await enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    expect(await admin.ticketKeyFor(unitDraft(1).idempotency_key)).toBeNull();
    await settlement.settle(create, 'delivered', { result_ref: 'OPS-7' });
    expect(await admin.ticketKeyFor(unitDraft(1).idempotency_key)).toBe('OPS-7');
    expect(await admin.get('ticket.create', 'ticket:unknown')).toBeNull();
  });

  it('requeues a failed item only, and tells its lane', async () => {
    const { store, clock, enqueue, settlement, read } = outboxUnits();
    const requeued: OutboxKind[] = [];
    const admin = new OutboxAdmin(store, clock, (kind) => requeued.push(kind));
    const pending = await enqueue({ kind: 'notify', notification: unitAlert(1) });
    const failed = await enqueue({ kind: 'ticket.create', draft: unitDraft(1) });
    await settlement.settle(failed, 'failed', { attempts: 4, last_error: 'HTTP 400' });
    expect(await admin.retry(pending.key)).toBe(false);
    expect(await admin.retry(failed.key)).toBe(true);
    expect(await read(failed.key)).toMatchObject({ state: 'pending', attempts: 0 });
    expect(requeued).toEqual(['ticket.create']);
  });
});
