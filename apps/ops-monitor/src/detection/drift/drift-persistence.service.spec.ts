import { type DriftRuleConfig, loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type MetricsSnapshot } from '@opscrew/integrations';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { seededRandom } from '@opscrew/testing';
import { type MonitorConfigView } from '../../ops-monitor.config';
import { type Anomaly } from '../anomaly';
import { DetectionEngine } from '../detection.engine';
import { dependsOnShop, shopSeries } from '../testing/shop-series.fixture';
import {
  USUAL_KEY_PREFIX,
  usualKey,
  usualSnapshotSchema,
  UsualLevelsStore,
} from '../usual-levels.store';
import { DriftPersistence } from './drift-persistence.service';
import { DRIFT_KEY_PREFIX, driftSnapshotSchema, DriftStateStore } from './drift-state.store';
import { DriftRegistry } from './drift.registry';

const loaded = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;
const shipped: DriftRuleConfig = loaded.thresholds.detection.drift;
const quiet = { warn: (): void => undefined, log: (): void => undefined };

async function keysOf(kv: FakeKv): Promise<string[]> {
  const keys: string[] = [];
  for await (const key of await kv.asKv().keys()) keys.push(key);
  return keys;
}

/**
 * One ops-monitor replica's learning side: its registry, engine and persistence on a shared
 * bucket; `warnings` collects what its stores logged.
 */
function replica(kv: FakeKv, clock: { now: number }, drift: DriftRuleConfig = shipped) {
  const warnings: string[] = [];
  const logger = { warn: (m: string): void => void warnings.push(m), log: (): void => undefined };
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
    dependsOnShop,
  );
  const store = new DriftStateStore(
    new TypedKv(kv.asKv(), 'learning', driftSnapshotSchema),
    () => keysOf(kv),
    logger,
  );
  const usual = new UsualLevelsStore(
    new TypedKv(kv.asKv(), 'learning', usualSnapshotSchema),
    () => keysOf(kv),
    logger,
  );
  const persistence = new DriftPersistence(
    engine,
    registry,
    store,
    usual,
    view,
    null,
    () => clock.now,
  );
  return { registry, engine, persistence, warnings };
}

/** One leader's cycle as MonitorCycleRunner runs it; the clock moves one cycle on. */
async function cycle(
  leader: ReturnType<typeof replica>,
  clock: { now: number },
  snapshot: MetricsSnapshot,
): Promise<readonly Anomaly[]> {
  await leader.persistence.beforeCycle();
  const { anomalies } = leader.engine.evaluate(snapshot, new Set());
  await leader.persistence.afterCycle();
  clock.now += 15_000;
  return anomalies;
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

  it('a takeover mid-series gives the anomalies of the leader that never stopped: relative references and usual levels carry over', async () => {
    let blamed = 0;
    for (let seed = 1; seed <= 8; seed++) {
      const kv = new FakeKv('learning');
      const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
      const series = shopSeries(seed, 90, { from: 56, to: 60 });
      const unstopped = replica(new FakeKv('learning'), { ...clock });
      const expected: (readonly Anomaly[])[] = [];
      for (const snapshot of series)
        expected.push(unstopped.engine.evaluate(snapshot, new Set()).anomalies);

      const leader = replica(kv, clock);
      for (const snapshot of series.slice(0, 60)) await cycle(leader, clock, snapshot);
      // A clean stop saves while the lease is ours; the standby restores before its first cycle.
      await leader.persistence.onModuleDestroy();
      const standby = replica(kv, clock);
      const got: (readonly Anomaly[])[] = [];
      for (const snapshot of series.slice(60)) got.push(await cycle(standby, clock, snapshot));
      expect(got).toEqual(expected.slice(60));
      expect(await kv.asKv().get(usualKey('shipping'))).not.toBeNull();
      blamed += got.flat().filter((a) => a.rule === 'dependency').length;
    }
    expect(blamed).toBeGreaterThan(0);
  });

  it('skips a corrupt or old usual-levels snapshot, naming its key, and restores the rest', async () => {
    const kv = new FakeKv('learning');
    const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
    const leader = replica(kv, clock);
    for (const snapshot of shopSeries(5, 20, { from: 0, to: 20 }))
      await cycle(leader, clock, snapshot);
    await leader.persistence.onModuleDestroy();
    const saved = leader.engine.usualLevels();
    kv.putRaw(
      usualKey('checkout'),
      JSON.stringify({
        ...saved[1],
        saved_at: new Date(clock.now).toISOString(),
        usual_latency_ms: [120, 'slow'],
      }),
    );
    const standby = replica(kv, clock);
    await standby.persistence.beforeCycle();
    expect(standby.engine.usualLevels().map((l) => l.service)).toEqual(['frontend', 'shipping']);
    expect(standby.warnings.join('\n')).toContain(usualKey('checkout'));
    expect(standby.warnings.join('\n')).toContain('usual_latency_ms[1]');

    clock.now += shipped.persist.max_age_s * 1000 + 1;
    const late = replica(kv, clock);
    await late.persistence.beforeCycle();
    expect(late.engine.usualLevels()).toEqual([]);
  });

  it('carries the usual levels when drift detection is off; nothing when persistence is off', async () => {
    const clock = { now: Date.parse('2026-12-07T10:00:00Z') };
    const series = shopSeries(9, 12, { from: 0, to: 12 });
    const noDrift = { ...shipped, enabled: false };
    const kv = new FakeKv('learning');
    const leader = replica(kv, clock, noDrift);
    for (const snapshot of series) await cycle(leader, clock, snapshot);
    await leader.persistence.onModuleDestroy();
    expect((await keysOf(kv)).every((key) => key.startsWith(USUAL_KEY_PREFIX))).toBe(true);
    const standby = replica(kv, clock, noDrift);
    await standby.persistence.beforeCycle();
    expect(standby.engine.usualLevels()).toEqual(leader.engine.usualLevels());

    const off = { ...shipped, persist: { ...shipped.persist, enabled: false } };
    const none = new FakeKv('learning');
    const alone = replica(none, clock, off);
    for (const snapshot of series) await cycle(alone, clock, snapshot);
    await alone.persistence.onModuleDestroy();
    expect(await keysOf(none)).toEqual([]);
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
