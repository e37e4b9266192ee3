import { OutboxRateWindowRecord } from '@opscrew/contracts';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { RateWindow } from './rate-window';

describe('RateWindow', () => {
  const kv = (): TypedKv<OutboxRateWindowRecord> =>
    new TypedKv(new FakeKv('outbox').asKv(), 'outbox', { class: OutboxRateWindowRecord });

  it('allows `limit` reservations per sliding window and says when the next slot frees', async () => {
    const window = new RateWindow(kv(), 'rate.notify', 3, 60_000);
    expect(await window.reserve('a', 1000)).toEqual({ ok: true });
    expect(await window.reserve('b', 2000)).toEqual({ ok: true });
    expect(await window.reserve('c', 3000)).toEqual({ ok: true });
    expect(await window.reserve('d', 4000)).toEqual({ ok: false, free_at: 61_000 });
    expect(await window.peek(60_999)).toEqual({ ok: false, free_at: 61_000 });
    expect(await window.peek(61_000)).toEqual({ ok: true });
    expect(await window.reserve('d', 61_000)).toEqual({ ok: true });
    expect(await window.reserve('e', 61_000)).toEqual({ ok: false, free_at: 62_000 });
  });

  it('gives a slot back on release', async () => {
    const window = new RateWindow(kv(), 'rate.notify', 1, 60_000);
    await window.reserve('a', 1000);
    expect((await window.reserve('b', 2000)).ok).toBe(false);
    await window.release('a');
    expect(await window.reserve('b', 3000)).toEqual({ ok: true });
    expect(await window.used(3000)).toBe(1);
  });

  it('is shared through the bucket: a second instance sees the same budget', async () => {
    const store = kv();
    await new RateWindow(store, 'rate.notify', 2, 60_000).reserve('a', 1000);
    await new RateWindow(store, 'rate.notify', 2, 60_000).reserve('b', 1000);
    expect((await new RateWindow(store, 'rate.notify', 2, 60_000).reserve('c', 1000)).ok).toBe(
      false,
    );
  });
});
