import { DUE_INDEX_SCHEMA, KvDueIndex } from './kv-due-index';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

describe('KvDueIndex', () => {
  let fake: FakeKv;
  let index: KvDueIndex;

  beforeEach(() => {
    fake = new FakeKv('work');
    index = new KvDueIndex(new TypedKv(fake.asKv(), 'work', DUE_INDEX_SCHEMA), '_due', 3);
  });

  it('answers what is due with one read, earliest first', async () => {
    await index.schedule('b', 200, 1);
    await index.schedule('a', 100, 2);
    await index.schedule('c', 900, 3);
    expect((await index.due(500)).map((entry) => entry.id)).toEqual(['a', 'b']);
    expect((await index.entries()).map((entry) => entry.id)).toEqual(['a', 'b', 'c']);
  });

  it('moves an entry later only for the same or a newer item revision', async () => {
    await index.schedule('a', 100, 5);
    expect(await index.schedule('a', 500, 4)).toBe(false);
    expect(await index.entries()).toEqual([{ id: 'a', due_at: 100, revision: 5 }]);
    expect(await index.schedule('a', 500, 6)).toBe(true);
    expect(await index.entries()).toEqual([{ id: 'a', due_at: 500, revision: 6 }]);
  });

  it('always accepts moving an entry earlier, keeping the newest revision it saw', async () => {
    await index.schedule('a', 500, 6);
    expect(await index.schedule('a', 50, 0)).toBe(true);
    expect(await index.entries()).toEqual([{ id: 'a', due_at: 50, revision: 6 }]);
  });

  it('removes only for an item revision at least the entry’s', async () => {
    await index.schedule('a', 100, 7);
    expect(await index.remove('a', 6)).toBe(false);
    expect(await index.remove('a', 7)).toBe(true);
    expect(await index.entries()).toEqual([]);
    expect(await index.remove('a', 7)).toBe(false);
  });

  it('writes nothing when the entry is unchanged', async () => {
    await index.schedule('a', 100, 1);
    const revision = fake.revisionOf('_due');
    expect(await index.schedule('a', 100, 1)).toBe(false);
    expect(fake.revisionOf('_due')).toBe(revision);
  });

  it('keeps both writes of two racing schedulers (CAS)', async () => {
    let raced = false;
    const other = new KvDueIndex(new TypedKv(fake.asKv(), 'work', DUE_INDEX_SCHEMA), '_due');
    fake.beforeWrite = async (key) => {
      if (key !== '_due' || raced) return;
      raced = true;
      await other.schedule('x', 1, 1);
    };
    await index.schedule('y', 2, 1);
    expect((await index.entries()).map((entry) => entry.id)).toEqual(['x', 'y']);
  });

  it('refuses a new entry past its size, naming the bucket', async () => {
    for (const id of ['a', 'b', 'c']) await index.schedule(id, 1, 1);
    await expect(index.schedule('d', 1, 1)).rejects.toThrow(/work: due index _due is full/);
    // An existing entry still moves.
    expect(await index.schedule('a', 5, 2)).toBe(true);
  });

  it('rejects a due time that is not epoch ms', async () => {
    await expect(index.schedule('a', Number.NaN, 1)).rejects.toThrow(RangeError);
  });
});
