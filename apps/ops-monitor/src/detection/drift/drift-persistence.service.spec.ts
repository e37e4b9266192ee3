import { type DriftRuleConfig, loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { seededRandom } from '@opscrew/testing';
import { type MonitorConfigView } from '../../ops-monitor.config';
import { DetectionEngine } from '../detection.engine';
import { DriftPersistence } from './drift-persistence.service';
import { DRIFT_KEY_PREFIX, driftSnapshotSchema, DriftStateStore } from './drift-state.store';
import { DriftRegistry } from './drift.registry';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
const shipped: DriftRuleConfig = loaded.thresholds.detection.drift;
const quiet = { warn: (): void => undefined, log: (): void => undefined };

/** One ops-monitor replica's drift side: its registry, engine and persistence on a shared bucket. */
function replica(kv: FakeKv, clock: { now: number }, drift: DriftRuleConfig = shipped) {
  const view = {
    ...loaded,
    thresholds: {
      ...loaded.thresholds,
      detection: { ...loaded.thresholds.detection, drift },
    },
  } as MonitorConfigView;
  const registry = new DriftRegistry(drift, quiet);
  const engine = new DetectionEngine(
    loaded.thresholds.alerting,
    view.thresholds.detection,
    registry.create,
  );
  const store = new DriftStateStore(
    new TypedKv(kv.asKv(), 'learning', driftSnapshotSchema),
    async () => {
      const keys: string[] = [];
      for await (const key of await kv.asKv().keys()) keys.push(key);
      return keys;
    },
    quiet,
  );
  const persistence = new DriftPersistence(engine, registry, store, view, null, () => clock.now);
  return { registry, persistence };
}

describe('DriftPersistence', () => {
  it('a new leader carries on where the last one stopped: the same verdicts, no relearning', async () => {
    const kv = new FakeKv('learning');
    const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
    const random = seededRandom(7);
    const series = Array.from({ length: 900 }, (_, i) =>
      // Noise, then a shift up after the takeover: the leader that took over must see it.
      i < 700 ? 200 + random() * 20 : 320 + random() * 20,
    );
    const leader = replica(kv, clock);
    const reference = new DriftRegistry(shipped, quiet).create('cart', 'latency_p99_ms');
    await leader.persistence.beforeCycle();
    const detector = leader.registry.create('cart', 'latency_p99_ms');
    for (const value of series.slice(0, 600)) {
      detector.update(value, clock.now);
      reference.update(value, clock.now);
    }
    clock.now += shipped.persist.interval_s * 1000;
    await leader.persistence.afterCycle();

    // The leader dies; a standby takes over with nothing in memory.
    const standby = replica(kv, clock);
    await standby.persistence.beforeCycle();
    const restored = standby.registry.create('cart', 'latency_p99_ms');
    const after = series.slice(600);
    const verdicts = after.map((value) => restored.update(value, clock.now));
    const expected = after.map((value) => reference.update(value, clock.now));
    expect(verdicts).toEqual(expected);
    expect(verdicts.some((v) => v.anomalous)).toBe(true);
    // A detector that started from nothing would still be learning (min_samples) here.
    expect(
      new DriftRegistry(shipped, quiet).create('cart', 'latency_p99_ms').update(200, 0).learning,
    ).toBe(true);
  });

  it('saves at most once per interval, and relearns a snapshot older than max_age_s', async () => {
    const kv = new FakeKv('learning');
    const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
    const leader = replica(kv, clock);
    await leader.persistence.beforeCycle();
    const detector = leader.registry.create('cart', 'error_rate_ratio');
    for (let i = 0; i < 200; i++) detector.update(0.01, clock.now);
    await leader.persistence.afterCycle();
    expect(await kv.asKv().get(`${DRIFT_KEY_PREFIX}cart.error_rate_ratio`)).toBeNull();
    clock.now += shipped.persist.interval_s * 1000;
    await leader.persistence.afterCycle();
    const saved = await kv.asKv().get(`${DRIFT_KEY_PREFIX}cart.error_rate_ratio`);
    expect(saved?.json()).toMatchObject({ service: 'cart', metric: 'error_rate_ratio' });

    clock.now += shipped.persist.max_age_s * 1000 + 1;
    const late = replica(kv, clock);
    await late.persistence.beforeCycle();
    expect(late.registry.create('cart', 'error_rate_ratio').update(0.01, 0).learning).toBe(true);
  });

  it('keeps the detectors in memory only when persistence is off', async () => {
    const kv = new FakeKv('learning');
    const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
    const off = { ...shipped, persist: { ...shipped.persist, enabled: false } };
    const leader = replica(kv, clock, off);
    await leader.persistence.beforeCycle();
    leader.registry.create('cart', 'error_rate_ratio').update(0.01, 0);
    clock.now += 10 * off.persist.interval_s * 1000;
    await leader.persistence.afterCycle();
    await leader.persistence.onModuleDestroy();
    expect(await kv.asKv().get(`${DRIFT_KEY_PREFIX}cart.error_rate_ratio`)).toBeNull();
  });
});
