import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { OutboxHaltedError } from './outbox-item';
import { outboxUnits, unitAlert } from './testing/outbox-units';

describe('OutboxStore', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  it('creates an item once, and changes it only from the revision read', async () => {
    const { store, enqueue, read } = outboxUnits();
    const item = await enqueue({ kind: 'notify', notification: unitAlert(1) });
    expect(await store.create(item.key, item.value)).toBeNull();
    const next = { ...item.value, attempts: 1 };
    const revision = await store.update(item.key, next, item.revision);
    expect(revision).not.toBeNull();
    expect(await store.update(item.key, { ...next, attempts: 2 }, item.revision)).toBeNull();
    expect(await read(item.key)).toMatchObject({ attempts: 1 });
  });

  it('refuses every write once halted, except the unguarded hand-back', async () => {
    const { store, enqueue, read } = outboxUnits();
    const item = await enqueue({ kind: 'notify', notification: unitAlert(1) });
    store.halt();
    expect(store.isHalted).toBe(true);
    await expect(store.update(item.key, item.value, item.revision)).rejects.toBeInstanceOf(
      OutboxHaltedError,
    );
    await expect(store.forget(item.key, item.revision)).rejects.toBeInstanceOf(OutboxHaltedError);
    await expect(store.createGuarded('item.notify.x', item.value)).rejects.toBeInstanceOf(
      OutboxHaltedError,
    );
    const next = { ...item.value, state: 'failed' as const };
    expect(await store.updateUnguarded(item.key, next, item.revision)).not.toBeNull();
    expect((await read(item.key))?.state).toBe('failed');
  });

  it('scans every item, logging a corrupt one at error instead of failing the pass', async () => {
    const { store, enqueue, kv } = outboxUnits();
    await enqueue({ kind: 'notify', notification: unitAlert(1) });
    await enqueue({ kind: 'notify', notification: unitAlert(2) });
    await kv.asKv().put('item.notify.corrupt', new TextEncoder().encode('{not json'));
    await kv.asKv().put('rate.notify', new TextEncoder().encode('{"entries":[]}'));
    const all = await store.scan();
    expect(all.map((i) => i.value.idempotency_key).sort()).toEqual([
      unitAlert(1).idempotency_key,
      unitAlert(2).idempotency_key,
    ]);
    expect(logs.at('error').join('\n')).toContain('item.notify.corrupt');
  });
});
