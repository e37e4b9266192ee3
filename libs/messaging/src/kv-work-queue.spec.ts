import { ManualClock } from '@opscrew/testing';
import { KvWorkQueue } from './kv-work-queue';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

const LEASE = 1_000;
const validate = (raw: unknown) =>
  typeof raw === 'string'
    ? ({ ok: true, value: raw } as const)
    : ({ ok: false, reason: 'must be a string' } as const);

describe('KvWorkQueue', () => {
  let fake: FakeKv;
  let clock: ManualClock;
  let queue: KvWorkQueue<string>;

  const newQueue = (): KvWorkQueue<string> =>
    new KvWorkQueue(
      new TypedKv<unknown>(fake.asKv(), 'work', { validate: (raw) => ({ ok: true, value: raw }) }),
      {
        item_prefix: 'item.',
        due_index_key: '_due',
        validate,
        clock,
      },
    );

  beforeEach(() => {
    fake = new FakeKv('work');
    clock = new ManualClock(10_000);
    queue = newQueue();
  });

  it('enqueues once per id and finds the item due from the index', async () => {
    expect(await queue.enqueue('a', 'first', 10_500)).toBe(true);
    expect(await queue.enqueue('a', 'again')).toBe(false);
    expect(await queue.due()).toEqual([]);
    clock.advance(500);
    expect((await queue.due()).map((entry) => entry.id)).toEqual(['a']);
    expect((await queue.get('a'))?.value.payload).toBe('first');
  });

  it('claims a due item for one owner; another waits until the lease expires, then takes it over', async () => {
    await queue.enqueue('a', 'work');
    const mine = await queue.claim('a', 'r1', LEASE);
    expect(mine).toMatchObject({
      id: 'a',
      payload: 'work',
      owner: 'r1',
      attempts: 1,
      taken_over: false,
    });
    expect(await queue.claim('a', 'r2', LEASE)).toBeNull();
    // Claimed: the index entry moved to the lease's expiry, so nobody looks before then.
    expect(await queue.due()).toEqual([]);
    clock.advance(LEASE);
    expect((await queue.due()).map((entry) => entry.id)).toEqual(['a']);
    const theirs = await queue.claim('a', 'r2', LEASE);
    expect(theirs).toMatchObject({ owner: 'r2', attempts: 2, taken_over: true });
    // The first owner's claim is lost: its writes are refused.
    expect(await queue.complete(mine!)).toBe(false);
    expect(await queue.renew(mine!, LEASE)).toBeNull();
  });

  it('renews a claim from now, and the index follows', async () => {
    await queue.enqueue('a', 'work');
    const claim = await queue.claim('a', 'r1', LEASE);
    clock.advance(800);
    const renewed = await queue.renew(claim!, LEASE);
    expect(renewed?.until).toBe(clock.now() + LEASE);
    clock.advance(500);
    expect(await queue.claim('a', 'r2', LEASE)).toBeNull();
    expect(await queue.due()).toEqual([]);
  });

  it('complete deletes the item and its index entry', async () => {
    await queue.enqueue('a', 'work');
    const claim = await queue.claim('a', 'r1', LEASE);
    expect(await queue.complete(claim!)).toBe(true);
    expect(await queue.get('a')).toBeNull();
    clock.advance(10 * LEASE);
    expect(await queue.due()).toEqual([]);
  });

  it('reschedule sets a new due time (and payload) and gives the item back', async () => {
    await queue.enqueue('a', 'step 1');
    const claim = await queue.claim('a', 'r1', LEASE);
    expect(await queue.reschedule(claim!, clock.now() + 5_000, 'step 2')).toBe(true);
    expect(await queue.claim('a', 'r2', LEASE)).toBeNull();
    clock.advance(5_000);
    expect(await queue.claim('a', 'r2', LEASE)).toMatchObject({
      payload: 'step 2',
      taken_over: false,
    });
  });

  it('release gives the item back due at once', async () => {
    await queue.enqueue('a', 'work');
    const claim = await queue.claim('a', 'r1', LEASE);
    expect(await queue.release(claim!)).toBe(true);
    expect((await queue.due()).map((entry) => entry.id)).toEqual(['a']);
    expect(await queue.claim('a', 'r2', LEASE)).toMatchObject({ owner: 'r2', taken_over: false });
  });

  it('heals the index: an entry without an item is dropped, a too-early one moves to the item’s time', async () => {
    const index = new TypedKv<unknown>(fake.asKv(), 'work', {
      validate: (raw) => ({ ok: true, value: raw }),
    });
    await index.put('_due', {
      entries: { ghost: { due_at: 0, revision: 0 }, a: { due_at: 0, revision: 0 } },
    });
    fake.putRaw('item.a', JSON.stringify({ payload: 'later', due_at: 50_000, attempts: 0 }));
    expect((await queue.due()).map((entry) => entry.id)).toEqual(['a', 'ghost']);
    expect(await queue.claimDue('r1', LEASE)).toEqual([]);
    expect(await queue.due()).toEqual([]);
    clock.advance(40_000);
    expect((await queue.due()).map((entry) => entry.id)).toEqual(['a']);
  });

  it('claimDue takes what is due, up to a limit, skipping what another holds', async () => {
    await queue.enqueue('a', 'a');
    await queue.enqueue('b', 'b');
    await queue.enqueue('c', 'c');
    await queue.claim('b', 'other', LEASE);
    const claims = await queue.claimDue('r1', LEASE, 5);
    expect(claims.map((claim) => claim.id)).toEqual(['a', 'c']);
    clock.advance(LEASE);
    expect(await queue.claimDue('r2', LEASE, 1)).toHaveLength(1);
  });

  it('refuses a payload its schema rejects, and a lease that is not positive', async () => {
    await expect((queue as unknown as KvWorkQueue<number>).enqueue('a', 5)).rejects.toThrow(
      /payload: must be a string/,
    );
    await queue.enqueue('b', 'ok');
    await expect(queue.claim('b', 'r1', 0)).rejects.toThrow(RangeError);
  });
});
