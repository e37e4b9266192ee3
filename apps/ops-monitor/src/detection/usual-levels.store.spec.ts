import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { seededRandom } from '@opscrew/testing';
import { DRIFT_KEY_PREFIX } from './drift/drift-state.store';
import {
  usualKey,
  UsualLevelsStore,
  type UsualSnapshot,
  usualSnapshotSchema,
} from './usual-levels.store';

function store(kv: FakeKv): { store: UsualLevelsStore; warnings: string[]; logs: string[] } {
  const warnings: string[] = [];
  const logs: string[] = [];
  const logger = {
    warn: (m: string): void => void warnings.push(m),
    log: (m: string): void => void logs.push(m),
  };
  return {
    warnings,
    logs,
    store: new UsualLevelsStore(
      new TypedKv(kv.asKv(), 'learning', usualSnapshotSchema),
      async () => {
        const keys: string[] = [];
        for await (const key of await kv.asKv().keys()) keys.push(key);
        return keys;
      },
      logger,
    ),
  };
}

const at = '2026-12-07T10:00:00.000Z';

/** A random valid snapshot: measured windows (some not measured: null), usual levels. */
function randomSnapshot(random: () => number, service: string): UsualSnapshot {
  const maybe = (value: number): number | null => (random() < 0.2 ? null : value);
  return {
    service,
    saved_at: at,
    recent: Array.from({ length: Math.floor(random() * 6) }, () => ({
      error_rate_ratio: maybe(random()),
      latency_p99_ms: maybe(random() * 5000),
    })),
    usual_latency_ms: Array.from({ length: Math.floor(random() * 100) }, () => random() * 5000),
    usual_error_ratio: Array.from({ length: Math.floor(random() * 100) }, () => random()),
  };
}

describe('UsualLevelsStore', () => {
  it('reads back what it saved, exactly, under one key per service (random snapshots)', async () => {
    const random = seededRandom(11);
    for (let round = 0; round < 20; round++) {
      const kv = new FakeKv('learning');
      const { store: usual } = store(kv);
      const saved = ['frontend', 'checkout', 'shipping'].map((s) => randomSnapshot(random, s));
      expect(await usual.save(saved)).toBe(3);
      expect(await kv.asKv().get(usualKey('checkout'))).not.toBeNull();
      const loaded = await usual.load(Date.parse(at), 60_000);
      const byService = (a: UsualSnapshot, b: UsualSnapshot) => a.service.localeCompare(b.service);
      expect([...loaded].sort(byService)).toEqual([...saved].sort(byService));
    }
  });

  it('skips a corrupt snapshot naming its key, leaves other keys alone, and an old one is relearned', async () => {
    const kv = new FakeKv('learning');
    const { store: usual, warnings, logs } = store(kv);
    const random = seededRandom(3);
    await usual.save([
      randomSnapshot(random, 'cart'),
      { ...randomSnapshot(random, 'shipping'), saved_at: '2026-12-07T08:00:00.000Z' },
    ]);
    // demo-controller's records and the drift states share the bucket.
    kv.putRaw('demo-controller.run.1', '{"run_id":"r1"}');
    kv.putRaw(`${DRIFT_KEY_PREFIX}cart.latency_p99_ms`, '{"service":"cart"}');
    kv.putRaw(usualKey('frontend'), '{"service":"frontend","saved_at":"2026-12-07T10:00:00Z"}');
    const loaded = await usual.load(Date.parse(at), 3600_000);
    expect(loaded.map((s) => s.service)).toEqual(['cart']);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(usualKey('frontend'));
    expect(warnings[0]).toContain('recent must be an array');
    expect(logs.join('\n')).toMatch(/1 usual levels snapshot\(s\) older than 3600 s: relearned/);
  });

  it('does not save a snapshot over the bucket value limit, and says so once', async () => {
    const kv = new FakeKv('learning');
    const { store: usual, warnings } = store(kv);
    const big: UsualSnapshot = {
      service: 'cart',
      saved_at: at,
      recent: [],
      usual_latency_ms: Array.from({ length: 20_000 }, (_, i) => 100.123456789 + i),
      usual_error_ratio: [],
    };
    expect(await usual.save([big])).toBe(0);
    expect(await usual.save([big])).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(usualKey('cart'));
    expect(warnings[0]).toMatch(/over the learning bucket's 64 KiB value limit/);
    expect(await kv.asKv().get(usualKey('cart'))).toBeNull();
  });
});

describe('usualSnapshotSchema', () => {
  const valid = {
    service: 'cart',
    saved_at: at,
    recent: [{ error_rate_ratio: 0.002, latency_p99_ms: null }],
    usual_latency_ms: [120, 130],
    usual_error_ratio: [0.002, 0],
  };

  it('keeps only the fields the engine uses', () => {
    const result = usualSnapshotSchema.validate({
      ...valid,
      extra: 'x',
      recent: [{ ...valid.recent[0], service: 'cart', request_rate_rps: 3 }],
    });
    expect(result).toEqual({ ok: true, value: valid });
  });

  it.each([
    ['not an object', 'nope', 'not an object'],
    ['no service', { ...valid, service: '' }, 'service must be a non-empty string'],
    ['a bad time', { ...valid, saved_at: 'yesterday' }, 'saved_at must be an ISO-8601 time'],
    ['recent not a list', { ...valid, recent: {} }, 'recent must be an array'],
    ['a recent window not an object', { ...valid, recent: [3] }, 'recent[0] is not an object'],
    [
      'a recent ratio above 1',
      { ...valid, recent: [{ error_rate_ratio: 2, latency_p99_ms: 1 }] },
      'recent[0].error_rate_ratio is 2',
    ],
    [
      'a recent p99 missing',
      { ...valid, recent: [{ error_rate_ratio: 0 }] },
      'recent[0].latency_p99_ms is undefined',
    ],
    [
      'a latency not finite',
      { ...valid, usual_latency_ms: [1, null] },
      'usual_latency_ms[1] is null',
    ],
    ['a negative latency', { ...valid, usual_latency_ms: [-1] }, 'usual_latency_ms[0] is -1'],
    [
      'errors not a list',
      { ...valid, usual_error_ratio: 0.1 },
      'usual_error_ratio must be an array',
    ],
    [
      'a ratio as a string',
      { ...valid, usual_error_ratio: ['0.1'] },
      'usual_error_ratio[0] is "0.1"',
    ],
  ])('refuses %s, saying what is wrong', (_case, raw, reason) => {
    const result = usualSnapshotSchema.validate(raw);
    expect(result.ok).toBe(false);
    if (!result.ok) {
      expect(result.reason).toContain('usual levels: ');
      expect(result.reason).toContain(reason);
    }
  });
});
