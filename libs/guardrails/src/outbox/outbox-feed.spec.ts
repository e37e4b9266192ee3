import { type KvEntry } from 'nats';
import { LogCapture } from '../../../integrations/src/testing/log-capture';
import { kvOutboxBucket } from './outbox-bucket';
import { recordFromCommand } from './outbox-item.factory';
import { itemKey } from './outbox-keys';
import { OutboxStore } from './outbox.store';
import { outboxUnits, type OutboxUnits, unitAlert } from './testing/outbox-units';

/** Lets the watch's pump take what the fake KV already pushed. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('OutboxFeed (the store scanning a live view)', () => {
  const logs = new LogCapture();
  beforeEach(() => logs.start());
  afterEach(() => logs.stop());

  /** A second writer on the same bucket: another replica, an operator's CLI. */
  const otherWriter = (units: OutboxUnits): OutboxStore =>
    new OutboxStore(kvOutboxBucket(units.kv.asKv()), units.logger);
  const record = (n: number): ReturnType<typeof recordFromCommand> =>
    recordFromCommand({ kind: 'notify', notification: unitAlert(n) }, 0, n);
  const keyOf = (n: number): string => itemKey('notify', unitAlert(n).idempotency_key);

  it('reads every key on each scan until watching, then only once (the resync)', async () => {
    const units = outboxUnits();
    for (let n = 1; n <= 20; n++)
      await units.enqueue({ kind: 'notify', notification: unitAlert(n) });
    const gets = jest.spyOn(units.kv, 'get');
    expect(await units.store.scan()).toHaveLength(20);
    expect(gets).toHaveBeenCalledTimes(20);
    units.store.watch();
    await units.store.scan();
    expect(gets).toHaveBeenCalledTimes(40);
    for (let i = 0; i < 5; i++) expect(await units.store.scan()).toHaveLength(20);
    expect(gets).toHaveBeenCalledTimes(40);
    expect(units.store.resyncs).toBe(1);
    units.store.unwatch();
  });

  it("follows other writers' puts, deletes and corrupt values through the watch", async () => {
    const units = outboxUnits();
    const first = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    units.store.watch();
    await units.store.scan();
    const other = otherWriter(units);
    await other.create(keyOf(2), record(2));
    const moved = await other.update(first.key, { ...first.value, attempts: 3 }, first.revision);
    units.kv.putRaw(keyOf(3), '{not json');
    await settle();
    const gets = jest.spyOn(units.kv, 'get');
    const seen = await units.store.scan();
    expect(seen.map((i) => [i.key, i.revision]).sort()).toEqual(
      [
        [first.key, moved],
        [keyOf(2), units.kv.revisionOf(keyOf(2))],
      ].sort(),
    );
    expect(logs.at('error').join('\n')).toContain(keyOf(3));
    await other.forget(first.key, moved ?? 0);
    await settle();
    expect((await units.store.scan()).map((i) => i.key)).toEqual([keyOf(2)]);
    expect(gets).not.toHaveBeenCalled();
    units.store.unwatch();
  });

  it('shows its own writes at once, without waiting for the watch', async () => {
    const units = outboxUnits();
    units.store.watch();
    await units.store.scan();
    const item = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const claimed = await units.claims.claim(item);
    expect(await units.store.scan()).toEqual([claimed]);
    await units.claims.settleClaim(claimed ?? item);
    units.store.unwatch();
  });

  it('loses no write made while the resync reads the keys', async () => {
    const units = outboxUnits();
    const first = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const other = otherWriter(units);
    const read = units.kv.get.bind(units.kv);
    let raced = false;
    jest.spyOn(units.kv, 'get').mockImplementation(async (key: string): Promise<KvEntry | null> => {
      const answer = await read(key);
      if (!raced) {
        // After the scan read `first`: a newer revision of it, and a new item it never lists.
        raced = true;
        await other.update(first.key, { ...first.value, attempts: 5 }, first.revision);
        await other.create(keyOf(2), record(2));
      }
      return answer;
    });
    units.store.watch();
    await units.store.scan();
    await settle();
    const seen = await units.store.scan();
    expect(seen.map((i) => [i.key, i.value.attempts]).sort()).toEqual(
      [
        [first.key, 5],
        [keyOf(2), 0],
      ].sort(),
    );
    units.store.unwatch();
  });

  it('resyncs from a full scan after the watch failed, dropping what it missed', async () => {
    const units = outboxUnits();
    const first = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    await units.enqueue({ kind: 'notify', notification: unitAlert(2) });
    units.store.watch();
    expect(await units.store.scan()).toHaveLength(2);
    // A stream purge by another replica tells no watch; then the watch itself is lost.
    units.kv.purgeSilently(first.key);
    units.kv.endWatches(new Error('consumer deleted'));
    await settle();
    expect(logs.at('warn').join('\n')).toContain('outbox watch failed: consumer deleted');
    expect((await units.store.scan()).map((i) => i.key)).toEqual([keyOf(2)]);
    expect(units.store.resyncs).toBe(2);
    units.store.unwatch();
  });

  it('stops watching on unwatch: scans read every key again, and watch() starts over', async () => {
    const units = outboxUnits();
    await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    units.store.watch();
    await units.store.scan();
    units.store.unwatch();
    const gets = jest.spyOn(units.kv, 'get');
    await units.store.scan();
    expect(gets).toHaveBeenCalledTimes(1);
    units.store.watch();
    await units.store.scan();
    await units.store.scan();
    expect(gets).toHaveBeenCalledTimes(2);
    expect(units.store.resyncs).toBe(2);
    units.store.unwatch();
  });
  it('rebuilds a view older than its max age from a full scan, healing what no watch tells', async () => {
    const units = outboxUnits();
    let now = 0;
    const store = new OutboxStore(kvOutboxBucket(units.kv.asKv()), units.logger, {
      max_age_ms: 1000,
      now: () => now,
    });
    const first = await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    store.watch();
    expect(await store.scan()).toHaveLength(1);
    units.kv.purgeSilently(first.key);
    now = 999;
    expect(await store.scan()).toHaveLength(1);
    now = 1000;
    expect(await store.scan()).toHaveLength(0);
    expect(store.resyncs).toBe(2);
    // The new watch follows the bucket; the replaced one is stopped.
    await units.enqueue({ kind: 'notify', notification: unitAlert(2) });
    await settle();
    expect((await store.scan()).map((i) => i.key)).toEqual([keyOf(2)]);
    store.unwatch();
  });
  it('scans when the bucket cannot be watched (said once), and watches once it can', async () => {
    const units = outboxUnits();
    await units.enqueue({ kind: 'notify', notification: unitAlert(1) });
    const watch = jest
      .spyOn(units.kv, 'watch')
      .mockRejectedValue(new Error('permissions violation'));
    units.store.watch();
    expect(await units.store.scan()).toHaveLength(1);
    expect(await units.store.scan()).toHaveLength(1);
    expect(logs.at('warn').filter((l) => l.includes('cannot watch the bucket'))).toHaveLength(1);
    expect(units.store.resyncs).toBe(0);
    watch.mockRestore();
    await units.store.scan();
    const gets = jest.spyOn(units.kv, 'get');
    await units.store.scan();
    expect(gets).not.toHaveBeenCalled();
    expect(units.store.resyncs).toBe(1);
    units.store.unwatch();
  });
});
