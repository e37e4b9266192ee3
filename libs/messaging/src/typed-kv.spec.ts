import { LeaseRecord, errorMessage } from '@opscrew/contracts';
import { NatsError } from 'nats';
import { InvalidKvKeyError, KvCorruptValueError, KvInvalidValueError } from './kv-errors';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

const record = (holder: string): LeaseRecord =>
  Object.assign(new LeaseRecord(), {
    holder,
    acquired_at: '2025-01-31T12:00:00.000Z',
    expires_at: '2025-01-31T12:01:00.000Z',
    ttl_ms: 60_000,
    reason: 'test',
  });

interface Counter {
  n: number;
}
const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'object' && raw !== null && typeof (raw as Counter).n === 'number'
      ? { ok: true as const, value: raw as Counter }
      : { ok: false as const, reason: 'n: must be a number' },
};

describe('TypedKv', () => {
  let fake: FakeKv;
  let kv: TypedKv<LeaseRecord>;

  beforeEach(() => {
    fake = new FakeKv('locks');
    kv = new TypedKv(fake.asKv(), 'locks', { class: LeaseRecord });
  });

  it('creates, reads with revision, and refuses a second create', async () => {
    const rev = await kv.create('checkout', record('a'));
    expect(rev).toBe(1);
    const got = await kv.get('checkout');
    expect(got?.revision).toBe(1);
    expect(got?.value).toBeInstanceOf(LeaseRecord);
    expect(got?.value.holder).toBe('a');
    expect(await kv.create('checkout', record('b'))).toBeNull();
    expect((await kv.get('checkout'))?.value.holder).toBe('a');
  });

  it('updates with the current revision and refuses a stale one', async () => {
    const rev = (await kv.create('checkout', record('a'))) as number;
    const next = await kv.update('checkout', record('b'), rev);
    expect(next).toBe(2);
    expect(await kv.update('checkout', record('c'), rev)).toBeNull();
    expect((await kv.get('checkout'))?.value.holder).toBe('b');
    await expect(kv.update('checkout', record('c'), 0)).rejects.toThrow(/needs a revision ≥ 1/);
  });

  it('deletes, optionally only at a given revision; a deleted key reads as null and can be created again', async () => {
    const rev = (await kv.create('checkout', record('a'))) as number;
    expect(await kv.delete('checkout', rev + 5)).toBe(false);
    expect(await kv.delete('checkout', rev)).toBe(true);
    expect(await kv.get('checkout')).toBeNull();
    expect(await kv.create('checkout', record('b'))).not.toBeNull();
    expect(await kv.delete('checkout')).toBe(true);
    expect(await kv.get('missing')).toBeNull();
  });

  it('puts unconditionally and lists keys and values', async () => {
    await kv.put('b', record('b'));
    await kv.put('a', record('a'));
    await kv.put('c', record('c'));
    await kv.delete('c');
    expect(await kv.keys()).toEqual(['a', 'b']);
    const values = await kv.values();
    expect(values.map((v) => [v.key, v.value.holder, v.revision])).toEqual([
      ['a', 'a', 2],
      ['b', 'b', 1],
    ]);
  });

  it('validates on write: nothing invalid reaches the bucket', async () => {
    const bad = Object.assign(record('a'), { ttl_ms: -1 });
    await expect(kv.put('checkout', bad)).rejects.toThrow(KvInvalidValueError);
    await expect(kv.create('checkout', bad)).rejects.toThrow(
      'kv locks: refusing to write key "checkout": ttl_ms: must be an integer ≥ 1',
    );
    expect(fake.revisionOf('checkout')).toBeUndefined();
  });

  it('names bucket, key and revision when a stored value is corrupted', async () => {
    fake.putRaw('checkout', '{"holder": 42}');
    const error = await kv.get('checkout').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(KvCorruptValueError);
    expect(errorMessage(error)).toMatch(
      /^kv locks: value of key "checkout" \(revision 1\) is invalid: holder: must be a non-empty string/,
    );
    fake.putRaw('other', 'not json');
    await expect(kv.get('other')).rejects.toThrow(
      /kv locks: value of key "other" \(revision 2\) is invalid: not JSON/,
    );
  });

  it('validates keys', async () => {
    for (const key of ['', 'a b', 'a*', 'a>', '.a', 'a.']) {
      await expect(kv.get(key)).rejects.toThrow(InvalidKvKeyError);
      await expect(kv.put(key, record('a'))).rejects.toThrow(/invalid key/);
    }
    await expect(kv.put('svc/checkout=1_a-b.c', record('a'))).resolves.toBe(1);
  });

  it('accepts a validation function instead of a class', async () => {
    const counters = new TypedKv<Counter>(new FakeKv().asKv(), 'learning', counterSchema);
    await counters.put('x', { n: 1 });
    expect((await counters.get('x'))?.value).toEqual({ n: 1 });
    await expect(counters.put('y', { n: 'one' } as unknown as Counter)).rejects.toThrow(
      'n: must be a number',
    );
  });

  it('rethrows errors that are not CAS refusals', async () => {
    const broken = new FakeKv();
    broken.beforeWrite = () => {
      throw new NatsError('timeout', 'TIMEOUT');
    };
    const typed = new TypedKv(broken.asKv(), 'locks', { class: LeaseRecord });
    await expect(typed.create('a', record('a'))).rejects.toThrow('timeout');
    await expect(typed.update('a', record('a'), 1)).rejects.toThrow('timeout');
    await expect(typed.delete('a', 1)).rejects.toThrow('timeout');
  });
});
