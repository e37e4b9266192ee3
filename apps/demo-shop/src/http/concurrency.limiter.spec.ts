import { ConcurrencyLimiter, OverloadedError } from './concurrency.limiter';

/** A piece of work the test finishes by hand. */
function gate(): { promise: Promise<void>; open: () => void } {
  let open = (): void => undefined;
  const promise = new Promise<void>((resolve) => {
    open = resolve;
  });
  return { promise, open };
}

describe('ConcurrencyLimiter', () => {
  it('runs up to `concurrency` at once, queues up to `queue`, refuses the rest', async () => {
    const limiter = new ConcurrencyLimiter({ concurrency: 2, queue: 1, queueTimeoutMs: 1_000 });
    const gates = [gate(), gate(), gate()];
    const started: number[] = [];
    const runs = gates.map((g, i) =>
      limiter.run(async () => {
        started.push(i);
        await g.promise;
        return i;
      }),
    );
    await Promise.resolve();
    expect(started).toEqual([0, 1]);
    expect(limiter.inFlight).toBe(2);
    expect(limiter.queued).toBe(1);
    const refused = await limiter.run(() => Promise.resolve(9)).catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(OverloadedError);
    expect(refused).toMatchObject({ reason: 'queue_full' });
    gates[0]?.open();
    await runs[0];
    await new Promise((resolve) => setImmediate(resolve));
    expect(started).toEqual([0, 1, 2]);
    gates[1]?.open();
    gates[2]?.open();
    expect(await Promise.all(runs)).toEqual([0, 1, 2]);
    expect(limiter.inFlight).toBe(0);
  });

  it('refuses a request that waited longer than the queue timeout', async () => {
    const limiter = new ConcurrencyLimiter({ concurrency: 1, queue: 5, queueTimeoutMs: 20 });
    const busy = gate();
    const first = limiter.run(() => busy.promise);
    const error = await limiter.run(() => Promise.resolve()).catch((e: unknown) => e);
    expect(error).toMatchObject({ reason: 'queue_timeout' });
    expect(limiter.queued).toBe(0);
    busy.open();
    await first;
  });

  it('drops a queued request whose caller went away', async () => {
    const limiter = new ConcurrencyLimiter({ concurrency: 1, queue: 5, queueTimeoutMs: 1_000 });
    const busy = gate();
    const first = limiter.run(() => busy.promise);
    const abandoned = new AbortController();
    const queued = limiter.run(() => Promise.resolve(), abandoned.signal);
    abandoned.abort();
    await expect(queued).rejects.toMatchObject({ reason: 'abandoned' });
    expect(limiter.queued).toBe(0);
    busy.open();
    await first;
    expect(limiter.inFlight).toBe(0);
  });

  it('frees the slot when the work throws', async () => {
    const limiter = new ConcurrencyLimiter({ concurrency: 1, queue: 0, queueTimeoutMs: 10 });
    await expect(limiter.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await limiter.run(() => Promise.resolve('ok'))).toBe('ok');
  });
});
