import { OutboxSweeper } from './outbox.sweeper';
import { outboxUnits, unitAlert } from './testing/outbox-units';

describe('OutboxSweeper', () => {
  it('forgets delivered and folded items after retention, keeps failed and younger ones', async () => {
    const { store, clock, enqueue, settlement } = outboxUnits();
    const delivered = await enqueue({ kind: 'notify', notification: unitAlert(1) });
    const folded = await enqueue({ kind: 'notify', notification: unitAlert(2) });
    const failed = await enqueue({ kind: 'notify', notification: unitAlert(3) });
    await settlement.settle(delivered, 'delivered', {});
    await settlement.settle(folded, 'folded', {});
    await settlement.settle(failed, 'failed', { last_error: 'HTTP 400' });
    const sweeper = new OutboxSweeper(store, 60_000);
    await sweeper.sweep(await store.scan(), clock.now() + 60_000);
    expect(await store.scan()).toHaveLength(3);
    await sweeper.sweep(await store.scan(), clock.now() + 60_001);
    expect((await store.scan()).map((i) => i.key)).toEqual([failed.key]);
  });
});
