import { errorMessage } from '@opscrew/contracts';
import fc from 'fast-check';
import { TransientError } from './handler-errors';
import { contentionPause } from './typed-kv';
import {
  InvalidKvKeyError,
  KvContentionError,
  KvCorruptValueError,
  KvInvalidValueError,
} from './kv-errors';
import {
  type KvDecision,
  KV_MUTATE_BACKOFF,
  KV_MUTATE_MAX_ATTEMPTS,
  type KvRevisioned,
} from './kv-mutation';
import { FakeKv } from './testing/fake-kv';
import { TypedKv } from './typed-kv';

interface Counter {
  n: number;
}
const counterSchema = {
  validate: (raw: unknown) =>
    typeof raw === 'object' &&
    raw !== null &&
    typeof (raw as Counter).n === 'number' &&
    (raw as Counter).n >= 0
      ? { ok: true as const, value: raw as Counter }
      : { ok: false as const, reason: 'n: must be a number ≥ 0' },
};

/** The canonical mutation: add one, answer the new count. */
const increment = (current: KvRevisioned<Counter> | null): KvDecision<Counter, number> => {
  const n = (current?.value.n ?? 0) + 1;
  return { put: { n }, result: n };
};

const noPause = { sleep: () => Promise.resolve() };

describe('TypedKv.mutate', () => {
  let fake: FakeKv;
  let kv: TypedKv<Counter>;

  beforeEach(() => {
    fake = new FakeKv('counters');
    kv = new TypedKv(fake.asKv(), 'counters', counterSchema);
  });

  it('creates an absent key (CAS on "no entry") and answers the decision and the new entry', async () => {
    const out = await kv.mutate('c', increment);
    expect(out).toEqual({
      result: 1,
      entry: { value: { n: 1 }, revision: 1 },
      written: true,
      attempts: 1,
    });
    expect((await kv.get('c'))?.value).toEqual({ n: 1 });
  });

  it('updates a present key on the revision it read', async () => {
    await kv.put('c', { n: 41 });
    const seen: (KvRevisioned<Counter> | null)[] = [];
    const out = await kv.mutate('c', (current) => {
      seen.push(current);
      return increment(current);
    });
    expect(seen).toEqual([{ value: { n: 41 }, revision: 1 }]);
    expect(out.result).toBe(42);
    expect(out.entry).toEqual({ value: { n: 42 }, revision: 2 });
  });

  it('writes nothing on keep, and hands back the entry it decided on', async () => {
    await kv.put('c', { n: 7 });
    const out = await kv.mutate('c', (current) => ({ keep: current?.value.n ?? -1 }));
    expect(out).toEqual({
      result: 7,
      entry: { value: { n: 7 }, revision: 1 },
      written: false,
      attempts: 1,
    });
    expect(fake.revisionOf('c')).toBe(1);
    const absent = await kv.mutate('none', (current) => ({ keep: current }));
    expect(absent).toEqual({ result: null, entry: null, written: false, attempts: 1 });
    expect(fake.revisionOf('none')).toBeUndefined();
  });

  it('deletes on the revision it read; deleting an absent key writes nothing', async () => {
    await kv.put('c', { n: 3 });
    const out = await kv.mutate('c', (current) => ({ delete: true, result: current?.value.n }));
    expect(out).toEqual({ result: 3, entry: null, written: true, attempts: 1 });
    expect(await kv.get('c')).toBeNull();
    const again = await kv.mutate('c', () => ({ delete: true, result: 'gone' }));
    expect(again).toEqual({ result: 'gone', entry: null, written: false, attempts: 1 });
    // A deleted key is absent: the next put creates it again.
    expect((await kv.mutate('c', increment)).result).toBe(1);
  });

  it('after a lost update race, decides again on what the winner wrote', async () => {
    await kv.put('c', { n: 1 });
    let raced = false;
    fake.beforeWrite = async () => {
      if (raced) return;
      raced = true;
      await kv.put('c', { n: 10 }); // another process wins this round
    };
    const seen: number[] = [];
    const out = await kv.mutate(
      'c',
      (current) => {
        seen.push(current?.value.n ?? 0);
        return increment(current);
      },
      noPause,
    );
    expect(seen).toEqual([1, 10]);
    expect(out.result).toBe(11);
    expect(out.attempts).toBe(2);
    expect((await kv.get('c'))?.value).toEqual({ n: 11 });
  });

  it('after a lost create race (both saw no entry), decides again on the created value', async () => {
    let raced = false;
    fake.beforeWrite = async () => {
      if (raced) return;
      raced = true;
      await kv.create('c', { n: 5 });
    };
    const out = await kv.mutate('c', increment, noPause);
    expect(out).toMatchObject({ result: 6, attempts: 2, written: true });
  });

  it('after a lost delete race, decides again (here: keeps what the winner wrote)', async () => {
    await kv.put('c', { n: 1 });
    let raced = false;
    fake.beforeWrite = async () => {
      if (raced) return;
      raced = true;
      await kv.put('c', { n: 99 });
    };
    const out = await kv.mutate(
      'c',
      (current): KvDecision<Counter, string> =>
        current !== null && current.value.n >= 50
          ? { keep: 'kept' }
          : { delete: true, result: 'deleted' },
      noPause,
    );
    expect(out).toMatchObject({ result: 'kept', written: false, attempts: 2 });
    expect((await kv.get('c'))?.value).toEqual({ n: 99 });
  });

  it('gives up after the policy rounds with a transient error naming bucket, key and rounds', async () => {
    fake.beforeWrite = async (key) => {
      fake.beforeWrite = null;
      await kv.put(key, { n: 1000 }); // always someone faster
      fake.beforeWrite = once;
    };
    const once = fake.beforeWrite;
    const pauses: number[] = [];
    const error = await kv
      .mutate('c', increment, {
        // Rounds take no time on this clock: the plain backoff, however loaded the machine.
        now: () => 0,
        sleep: (ms) => {
          pauses.push(ms);
          return Promise.resolve();
        },
      })
      .catch((err: unknown) => err);
    expect(error).toBeInstanceOf(KvContentionError);
    expect(error).toBeInstanceOf(TransientError);
    expect(error).toMatchObject({ bucket: 'counters', key: 'c', attempts: KV_MUTATE_MAX_ATTEMPTS });
    expect(errorMessage(error)).toBe(
      `kv counters: key "c" kept changing under us; gave up after ${KV_MUTATE_MAX_ATTEMPTS} attempts (write contention, retry later)`,
    );
    // A pause between rounds, none after the last; jittered, small, never above the cap.
    expect(pauses).toHaveLength(KV_MUTATE_MAX_ATTEMPTS - 1);
    for (const ms of pauses) {
      expect(ms).toBeGreaterThanOrEqual(KV_MUTATE_BACKOFF.initial_delay_ms / 2);
      expect(ms).toBeLessThanOrEqual(KV_MUTATE_BACKOFF.max_delay_ms);
    }
    expect(Math.max(...pauses)).toBeGreaterThan(KV_MUTATE_BACKOFF.initial_delay_ms);
  });

  it('takes max_attempts and a backoff from the caller', async () => {
    fake.beforeWrite = () => {
      fake.putRaw('c', JSON.stringify({ n: fake.revisionOf('c') ?? 0 }));
    };
    const pauses: number[] = [];
    await expect(
      kv.mutate('c', increment, {
        max_attempts: 3,
        backoff: { initial_delay_ms: 10, max_delay_ms: 20 },
        random: () => 0.5,
        now: () => 0,
        sleep: (ms) => {
          pauses.push(ms);
          return Promise.resolve();
        },
      }),
    ).rejects.toThrow(/gave up after 3 attempts/);
    expect(pauses).toEqual([8, 15]); // equal jitter at 0.5: 10 → 7.5, 20 → 15
    await expect(kv.mutate('c', increment, { max_attempts: 0 })).rejects.toThrow(RangeError);
  });

  it('spreads losers over the length of a round once a round is slower than the backoff cap', async () => {
    fake.beforeWrite = () => {
      fake.putRaw('c', JSON.stringify({ n: fake.revisionOf('c') ?? 0 }));
    };
    // Each round "takes" 400 ms on this clock (a loaded machine): more than the 50 ms cap.
    let clock = 0;
    const pauses: number[] = [];
    await expect(
      kv.mutate('c', increment, {
        max_attempts: 3,
        random: () => 0.5,
        now: () => (clock += 200),
        sleep: (ms) => {
          pauses.push(ms);
          return Promise.resolve();
        },
      }),
    ).rejects.toThrow(/gave up after 3 attempts/);
    // Equal jitter of the backoff (2 ms → 2, 4 ms → 3) plus half of the 200 ms round.
    expect(pauses).toEqual([2 + 100, 3 + 100]);
  });

  it('keeps the plain backoff while rounds are quicker than its cap', () => {
    expect(contentionPause(1, 10, KV_MUTATE_BACKOFF, () => 0.5)).toBe(2);
    expect(contentionPause(1, KV_MUTATE_BACKOFF.max_delay_ms, KV_MUTATE_BACKOFF, () => 0.5)).toBe(
      2,
    );
    expect(contentionPause(1, 1000, KV_MUTATE_BACKOFF, () => 0)).toBe(1);
    expect(contentionPause(1, 1000, KV_MUTATE_BACKOFF, () => 0.999)).toBeLessThanOrEqual(2 + 1000);
  });

  it("throws the caller's error, with the contention as its cause, when asked to", async () => {
    fake.beforeWrite = (key) => {
      fake.putRaw(key, JSON.stringify({ n: 0 }));
    };
    const error = await kv
      .mutate('c', increment, {
        ...noPause,
        max_attempts: 2,
        onContention: (cause) => new Error('tracker: c kept changing', { cause }),
      })
      .then(
        () => new Error('no error'),
        (err: unknown) => err as Error,
      );
    expect(error.message).toBe('tracker: c kept changing');
    expect(error.cause).toBeInstanceOf(KvContentionError);
    expect(error.cause).toMatchObject({ attempts: 2, key: 'c' });
  });

  it('waits real (short) pauses by default', async () => {
    let raced = 0;
    fake.beforeWrite = (key) => {
      if (raced++ < 2) fake.putRaw(key, JSON.stringify({ n: 0 }));
    };
    const out = await kv.mutate('c', increment);
    expect(out.attempts).toBe(3);
  });

  it('decides first on an entry the caller holds, without a read; a stale one costs one round', async () => {
    await kv.put('c', { n: 1 });
    const get = jest.spyOn(fake, 'get');
    const fresh = await kv.mutate('c', increment, { current: { value: { n: 1 }, revision: 1 } });
    expect(fresh).toMatchObject({ result: 2, attempts: 1 });
    expect(get).not.toHaveBeenCalled();

    const stale = await kv.mutate('c', increment, {
      ...noPause,
      current: { value: { n: 1 }, revision: 1 },
    });
    expect(stale).toMatchObject({ result: 3, attempts: 2 });
    expect(get).toHaveBeenCalledTimes(1);
    // "Known absent" while it exists: the create fails, the read finds it.
    const absent = await kv.mutate('c', increment, { ...noPause, current: null });
    expect(absent).toMatchObject({ result: 4, attempts: 2 });
  });

  it('lets an error from decide through, writing nothing', async () => {
    await kv.put('c', { n: 1 });
    await expect(
      kv.mutate('c', () => {
        throw new Error('refused: not in this phase');
      }),
    ).rejects.toThrow('refused: not in this phase');
    expect(fake.revisionOf('c')).toBe(1);
  });

  it('refuses an invalid value, an invalid key and a corrupt stored value at once (no retry)', async () => {
    const decide = jest.fn(() => ({ put: { n: -1 }, result: null }));
    await expect(kv.mutate('c', decide)).rejects.toThrow(KvInvalidValueError);
    expect(decide).toHaveBeenCalledTimes(1);
    await expect(kv.mutate('.bad', increment)).rejects.toThrow(InvalidKvKeyError);
    fake.putRaw('c', '{not json');
    await expect(kv.mutate('c', increment)).rejects.toThrow(KvCorruptValueError);
  });

  describe('properties', () => {
    /**
     * FakeKv whose every read and write first yields a number of microtask turns drawn from
     * `delays` (cycled): concurrent mutators interleave differently for every drawn list.
     */
    const interleavedKv = (delays: readonly number[]): { fake: FakeKv; kv: TypedKv<Counter> } => {
      const fake = new FakeKv('counters');
      let step = 0;
      const yieldSome = async (): Promise<void> => {
        const turns = delays[step++ % delays.length] ?? 0;
        for (let i = 0; i < turns; i++) await Promise.resolve();
      };
      const get = fake.get.bind(fake);
      fake.get = async (key) => {
        await yieldSome();
        return get(key);
      };
      fake.beforeWrite = yieldSome;
      return { fake, kv: new TypedKv(fake.asKv(), 'counters', counterSchema) };
    };
    const delays = fc.array(fc.nat({ max: 6 }), { minLength: 1, maxLength: 20 });

    it('concurrent incrementers never lose an update, in any interleaving', async () => {
      let raced = 0;
      await fc.assert(
        fc.asyncProperty(
          delays,
          fc.array(fc.integer({ min: 1, max: 5 }), { minLength: 2, maxLength: 6 }),
          async (turns, increments) => {
            const { kv } = interleavedKv(turns);
            let conflicts = 0;
            const workers = increments.map(async (times) => {
              const results: number[] = [];
              for (let i = 0; i < times; i++) {
                // Rounds are bounded by the writes of the others: no starvation past the total.
                const out = await kv.mutate('c', increment, { ...noPause, max_attempts: 100 });
                conflicts += out.attempts - 1;
                results.push(out.result);
              }
              return results;
            });
            const results = await Promise.all(workers);
            const total = increments.reduce((a, b) => a + b, 0);
            expect((await kv.get('c'))?.value.n).toBe(total);
            // Every increment answered a distinct count: each saw exactly the state it replaced.
            expect(new Set(results.flat()).size).toBe(total);
            raced += conflicts;
          },
        ),
        { numRuns: 200 },
      );
      // The interleavings did make mutators lose rounds (else this proved nothing).
      expect(raced).toBeGreaterThan(0);
    });

    it('a mix of raise-to-max and keep converges to the largest proposal, whatever the order', async () => {
      await fc.assert(
        fc.asyncProperty(
          delays,
          fc.array(fc.nat({ max: 1000 }), { minLength: 1, maxLength: 8 }),
          async (turns, proposals) => {
            const { fake, kv } = interleavedKv(turns);
            const writers = proposals.map((n) =>
              kv.mutate(
                'max',
                (current): KvDecision<Counter, boolean> =>
                  current !== null && current.value.n >= n
                    ? { keep: false }
                    : { put: { n }, result: true },
                { ...noPause, max_attempts: 100 },
              ),
            );
            const outs = await Promise.all(writers);
            expect((await kv.get('max'))?.value.n).toBe(Math.max(...proposals));
            // The revision counts exactly the writes that reported themselves.
            expect(fake.revisionOf('max')).toBe(outs.filter((o) => o.written).length);
          },
        ),
        { numRuns: 200 },
      );
    });
  });
});
