import { FingerprintRecord } from '@opscrew/contracts';
import { KvCorruptValueError, TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { fingerprintFixture } from '../announce/testing/fingerprint.fixture';
import { FingerprintStore } from './fingerprint.store';

/** The store over a fake bucket with real CAS; `raw` is the bucket itself (another replica). */
function storeOver(raw = new FakeKv('fingerprints')): {
  store: FingerprintStore;
  raw: FakeKv;
  kv: TypedKv<FingerprintRecord>;
} {
  const kv = new TypedKv(raw.asKv(), 'fingerprints', { class: FingerprintRecord });
  return { store: new FingerprintStore(kv), raw, kv };
}

describe('FingerprintStore', () => {
  it('names its bucket and answers null for a key never written', async () => {
    const { store } = storeOver();
    expect(store.bucket).toBe('fingerprints');
    expect(await store.current('cart')).toBeNull();
    expect(await store.fresh('cart')).toBeNull();
    expect([...store.cachedValues()]).toEqual([]);
  });

  it('creates when nothing is stored and caches what it wrote: the next current reads nothing', async () => {
    const { store, raw } = storeOver();
    const record = fingerprintFixture();
    const revision = await store.write('cart', record, null);
    expect(revision).toBe(raw.revisionOf('cart'));
    const get = jest.spyOn(raw, 'get');
    expect(await store.current('cart')).toEqual({ value: record, revision });
    expect(get).not.toHaveBeenCalled();
    expect([...store.cachedValues()]).toEqual([record]);
  });

  it('loses a create to another writer (null, nothing cached) and reads the winner after forget', async () => {
    const { store, kv } = storeOver();
    const theirs = fingerprintFixture({ incident_id: 'INC-20261125-002' });
    await kv.create('cart', theirs);
    expect(await store.write('cart', fingerprintFixture(), null)).toBeNull();
    expect([...store.cachedValues()]).toEqual([]);
    store.forget('cart');
    expect((await store.current('cart'))?.value).toEqual(theirs);
  });

  it('refuses an update on a stale revision and keeps its stale view until told to forget', async () => {
    const { store, kv } = storeOver();
    const mine = fingerprintFixture();
    const revision = (await store.write('cart', mine, null)) ?? 0;
    // Another replica folds a sighting in: our cached revision is now stale.
    const theirs = { ...mine, count: 2 };
    await kv.update('cart', theirs, revision);
    expect(await store.write('cart', { ...mine, count: 3 }, revision)).toBeNull();
    expect((await store.current('cart'))?.value.count).toBe(1);
    // `fresh` always reads the bucket (a report's `resolved` is noted on what is stored).
    expect((await store.fresh('cart'))?.value.count).toBe(2);
    store.forget('cart');
    const current = await store.current('cart');
    expect(current?.value).toEqual(theirs);
    expect(
      await store.write('cart', { ...theirs, count: 3 }, current?.revision ?? 0),
    ).not.toBeNull();
  });

  it('reads a stored entry once, then serves it from the cache', async () => {
    const { store, kv, raw } = storeOver();
    await kv.create('cart', fingerprintFixture());
    const get = jest.spyOn(raw, 'get');
    await store.current('cart');
    await store.current('cart');
    expect(get).toHaveBeenCalledTimes(1);
    // `fresh` is not cached: it reads every time, and does not change what `current` serves.
    await store.fresh('cart');
    await store.fresh('cart');
    expect(get).toHaveBeenCalledTimes(3);
  });

  it('throws on a corrupt stored entry rather than treating it as absent', async () => {
    const { store, raw } = storeOver();
    raw.putRaw('cart', '{"not":"a fingerprint"}');
    await expect(store.current('cart')).rejects.toBeInstanceOf(KvCorruptValueError);
    raw.putRaw('cart', 'not json');
    await expect(store.fresh('cart')).rejects.toBeInstanceOf(KvCorruptValueError);
    await expect(store.values()).rejects.toBeInstanceOf(KvCorruptValueError);
    expect([...store.cachedValues()]).toEqual([]);
  });

  it('treats a deleted entry as absent: a new incident may be created there', async () => {
    const { store, kv } = storeOver();
    const revision = (await kv.create('cart', fingerprintFixture())) ?? 0;
    await kv.delete('cart', revision);
    expect(await store.current('cart')).toBeNull();
    expect(await store.write('cart', fingerprintFixture(), null)).not.toBeNull();
  });

  describe('markAnnounced', () => {
    it('marks the opening done on the entry given, without a read, and caches the result', async () => {
      const { store, raw } = storeOver();
      const record = fingerprintFixture();
      const revision = (await store.write('cart', record, null)) ?? 0;
      const get = jest.spyOn(raw, 'get');
      const marked = await store.markAnnounced('cart', record, revision);
      expect(get).not.toHaveBeenCalled();
      expect(marked?.value).toEqual({ ...record, announced: true });
      expect(marked?.revision).toBe(raw.revisionOf('cart'));
      expect(await store.current('cart')).toEqual(marked);
    });

    it('marks what another replica folded in meanwhile, keeping its count (CAS lost, read, decided again)', async () => {
      const { store, kv } = storeOver();
      const record = fingerprintFixture();
      const revision = (await store.write('cart', record, null)) ?? 0;
      await kv.update('cart', { ...record, count: 4, last_value: 0.5 }, revision);
      const marked = await store.markAnnounced('cart', record, revision);
      expect(marked?.value).toEqual({ ...record, count: 4, last_value: 0.5, announced: true });
      expect((await kv.get('cart'))?.value.announced).toBe(true);
    });

    it('marks nothing when the key now holds another incident', async () => {
      const { store, kv } = storeOver();
      const record = fingerprintFixture();
      const revision = (await store.write('cart', record, null)) ?? 0;
      const next = fingerprintFixture({ incident_id: 'INC-20261125-009' });
      await kv.update('cart', next, revision);
      expect(await store.markAnnounced('cart', record, revision)).toBeNull();
      expect((await kv.get('cart'))?.value).toEqual(next);
    });

    it('marks nothing when the entry is marked already, or gone', async () => {
      const { store, kv } = storeOver();
      const record = fingerprintFixture();
      const revision = (await store.write('cart', record, null)) ?? 0;
      const once = await store.markAnnounced('cart', record, revision);
      expect(once).not.toBeNull();
      const before = await kv.get('cart');
      expect(await store.markAnnounced('cart', record, revision)).toBeNull();
      expect(await kv.get('cart')).toEqual(before);
      await kv.delete('cart');
      expect(await store.markAnnounced('cart', record, once?.revision ?? 0)).toBeNull();
    });
  });

  it('lists every stored entry with its key and revision (recovery at start)', async () => {
    const { store, kv } = storeOver();
    const cart = fingerprintFixture();
    const ad = fingerprintFixture({ service: 'ad', fingerprint: 'ad:high_error_rate' });
    await kv.create('cart', cart);
    await kv.create('ad', ad);
    const values = await store.values();
    expect(values.map((item) => [item.key, item.value.service])).toEqual(
      expect.arrayContaining([
        ['cart', 'cart'],
        ['ad', 'ad'],
      ]),
    );
    expect(values).toHaveLength(2);
    // A scan is not a cache fill: only this process's own writes and reads are cached.
    expect([...store.cachedValues()]).toEqual([]);
  });
});
