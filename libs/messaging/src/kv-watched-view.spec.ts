import { eventually } from '@opscrew/testing';
import { KvWatchedView } from './kv-watched-view';
import { FakeKv } from './testing/fake-kv';

/** Lets a watch's pump take what the fake KV already pushed. */
const settle = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

/** The smallest view with a revision rule: a key keeps its newest revision, a delete included. */
class TestView {
  private readonly byKey = new Map<string, { revision: number; value: string | null }>();

  apply(key: string, revision: number, value: string | null): void {
    const known = this.byKey.get(key);
    if (known !== undefined && known.revision >= revision) return;
    this.byKey.set(key, { revision, value });
  }

  /** `key=value` of every live key, sorted. */
  live(): string[] {
    return [...this.byKey]
      .filter(([, entry]) => entry.value !== null)
      .map(([key, entry]) => `${key}=${entry.value ?? ''}`)
      .sort();
  }
}

function setup(options: { maxAgeMs?: number; quietMs?: number; closed?: boolean } = {}) {
  const fake = new FakeKv('watched');
  const warnings: string[] = [];
  let now = 0;
  let scans = 0;
  /** Runs inside the next scan, after its first get (a writer racing the scan). */
  let duringScan: (() => Promise<void>) | null = null;
  const put = (key: string, value: string): Promise<number> =>
    fake.put(key, new TextEncoder().encode(value));
  const watched = new KvWatchedView<TestView>({
    kv: fake.asKv(),
    key: 'item.>',
    createView: () => new TestView(),
    scanInto: async (view) => {
      scans += 1;
      const keys: string[] = [];
      for await (const key of await fake.keys()) if (key.startsWith('item.')) keys.push(key);
      for (const key of keys) {
        const entry = await fake.get(key);
        const race = duringScan;
        duringScan = null;
        await race?.();
        if (entry !== null) view.apply(key, entry.revision, entry.string());
      }
    },
    applyWatched: (view, entry) =>
      view.apply(entry.key, entry.revision, entry.operation === 'PUT' ? entry.string() : null),
    label: 'items',
    logger: { warn: (message) => warnings.push(message) },
    maxAgeMs: options.maxAgeMs ?? 60_000,
    quietMs: options.quietMs,
    now: () => now,
    closed: options.closed,
  });
  return {
    fake,
    watched,
    warnings,
    put,
    scans: (): number => scans,
    race: (fn: () => Promise<void>): void => {
      duringScan = fn;
    },
    advance: (ms: number): void => {
      now += ms;
    },
    live: async (): Promise<string[]> => (await watched.read()).live(),
  };
}

describe('KvWatchedView', () => {
  it('opens the watch before the scan, so a write racing the scan is not lost', async () => {
    const t = setup();
    await t.put('item.a', '1');
    await t.put('other.x', 'not watched');
    t.race(async () => {
      // The scan already read item.a (and never lists item.b): only the watch can tell.
      await t.put('item.a', '2');
      await t.put('item.b', '1');
    });
    await t.watched.read();
    await eventually(async () => (await t.live()).join() === 'item.a=2,item.b=1');
    expect(t.scans()).toBe(1);
    expect(t.watched.resyncs).toBe(1);
    t.watched.close();
  });

  it('follows the watch without scanning again, deletes included', async () => {
    const t = setup();
    await t.put('item.a', '1');
    expect(await t.live()).toEqual(['item.a=1']);
    await t.put('item.b', '1');
    await t.fake.delete('item.a');
    await eventually(async () => (await t.live()).join() === 'item.b=1');
    expect(t.scans()).toBe(1);
    t.watched.close();
  });

  it('resyncs on the next read after the watch ended, and says so', async () => {
    const t = setup();
    await t.put('item.a', '1');
    await t.watched.read();
    // A purge no watch tells, then the watch is lost: the resync drops what it missed.
    t.fake.purgeSilently('item.a');
    t.fake.endWatches(new Error('consumer deleted'));
    await eventually(() => t.warnings.some((w) => w.includes('items watch ended')));
    expect(t.warnings).toContain('items watch failed: consumer deleted');
    expect(t.watched.current).toBeNull();
    expect(await t.live()).toEqual([]);
    expect(t.scans()).toBe(2);
    expect(t.watched.resyncs).toBe(2);
    t.watched.close();
  });

  it('does not install a watch that died while the scan ran', async () => {
    const t = setup();
    await t.put('item.a', '1');
    t.race(async () => {
      t.fake.endWatches();
      await settle();
    });
    expect(await t.live()).toEqual(['item.a=1']);
    expect(t.watched.current).toBeNull();
    // Never installed, so its end is no outage to report; the next read starts over.
    expect(t.warnings.filter((w) => w.includes('watch ended'))).toEqual([]);
    await t.put('item.b', '1');
    expect(await t.live()).toEqual(['item.a=1', 'item.b=1']);
    expect(t.scans()).toBe(2);
    expect(t.watched.current).not.toBeNull();
    t.watched.close();
  });

  it('scans while the bucket cannot be watched, said once per outage', async () => {
    const t = setup();
    await t.put('item.a', '1');
    const watch = jest.spyOn(t.fake, 'watch').mockRejectedValue(new Error('permissions violation'));
    expect(await t.live()).toEqual(['item.a=1']);
    expect(await t.live()).toEqual(['item.a=1']);
    const said = (): string[] => t.warnings.filter((w) => w.includes('cannot watch the bucket'));
    expect(said()).toEqual(['items: cannot watch the bucket (permissions violation); scanning it']);
    expect(t.scans()).toBe(2);
    expect(t.watched.resyncs).toBe(0);
    // It can again: one resync, then memory.
    watch.mockRestore();
    await t.watched.read();
    await t.watched.read();
    expect(t.scans()).toBe(3);
    expect(t.watched.resyncs).toBe(1);
    // A second outage is a second line.
    const again = jest.spyOn(t.fake, 'watch').mockRejectedValue(new Error('connection closed'));
    t.fake.endWatches();
    await eventually(() => t.watched.current === null);
    await t.watched.read();
    await t.watched.read();
    expect(said()).toHaveLength(2);
    again.mockRestore();
    t.watched.close();
  });

  it('rebuilds a view that reached its max age', async () => {
    const t = setup({ maxAgeMs: 1000 });
    await t.put('item.a', '1');
    await t.watched.read();
    t.fake.purgeSilently('item.a');
    t.advance(999);
    expect(await t.live()).toEqual(['item.a=1']);
    t.advance(1);
    expect(await t.live()).toEqual([]);
    expect(t.watched.resyncs).toBe(2);
    // The new watch follows the bucket (the replaced one was stopped, and said nothing).
    await t.put('item.b', '1');
    await eventually(async () => (await t.live()).join() === 'item.b=1');
    expect(t.warnings).toEqual([]);
    t.watched.close();
  });

  it('rebuilds a view that heard nothing for quietMs; every entry heard restarts that clock', async () => {
    const t = setup({ quietMs: 100 });
    await t.put('item.a', '1');
    await t.watched.read();
    t.advance(99);
    await t.watched.read();
    expect(t.scans()).toBe(1);
    await t.put('item.a', '2');
    await eventually(async () => (await t.live()).join() === 'item.a=2');
    t.advance(99);
    await t.watched.read();
    expect(t.scans()).toBe(1);
    t.advance(1);
    await t.watched.read();
    expect(t.scans()).toBe(2);
    t.watched.close();
  });

  it('without quietMs a silent watch is kept until max age', async () => {
    const t = setup({ maxAgeMs: 10_000 });
    await t.watched.read();
    t.advance(9_999);
    await t.watched.read();
    expect(t.scans()).toBe(1);
    t.watched.close();
  });

  it('shares one resync between concurrent reads, exposing the view it fills', async () => {
    const t = setup();
    await t.put('item.a', '1');
    const watch = jest.spyOn(t.fake, 'watch');
    let release: () => void = () => undefined;
    t.race(() => new Promise<void>((resolve) => (release = resolve)));
    const first = t.watched.read();
    const second = t.watched.read();
    await eventually(() => t.scans() === 1);
    expect(t.watched.loading).not.toBeNull();
    expect(t.watched.current).toBeNull();
    const loading = t.watched.loading;
    release();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(a).toBe(loading);
    expect(t.watched.current).toBe(a);
    expect(t.watched.loading).toBeNull();
    expect(watch).toHaveBeenCalledTimes(1);
    expect(t.scans()).toBe(1);
    t.watched.close();
  });

  it('scans every read while closed (and from the start when asked), watches again on open', async () => {
    const t = setup({ closed: true });
    await t.put('item.a', '1');
    const watch = jest.spyOn(t.fake, 'watch');
    expect(await t.live()).toEqual(['item.a=1']);
    expect(await t.live()).toEqual(['item.a=1']);
    expect(watch).not.toHaveBeenCalled();
    expect(t.scans()).toBe(2);
    t.watched.open();
    await t.watched.read();
    await t.watched.read();
    expect(t.scans()).toBe(3);
    t.watched.close();
    expect(t.watched.current).toBeNull();
    await t.put('item.b', '1');
    expect(await t.live()).toEqual(['item.a=1', 'item.b=1']);
    expect(t.scans()).toBe(4);
    expect(watch).toHaveBeenCalledTimes(1);
    expect(t.watched.resyncs).toBe(1);
    expect(t.warnings).toEqual([]);
  });
});
