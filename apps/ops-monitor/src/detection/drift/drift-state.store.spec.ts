import { loadConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { TypedKv } from '@opscrew/messaging';
import { FakeKv } from '@opscrew/messaging/testing';
import { DriftDetector } from './drift.detector';
import {
  type DriftSnapshot,
  driftKey,
  driftSnapshotSchema,
  DriftStateStore,
} from './drift-state.store';

const drift = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config.thresholds.detection
  .drift;

function store(kv: FakeKv): { store: DriftStateStore; warnings: string[] } {
  const warnings: string[] = [];
  const logger = { warn: (m: string): void => void warnings.push(m), log: (): void => undefined };
  return {
    warnings,
    store: new DriftStateStore(
      new TypedKv(kv.asKv(), 'learning', driftSnapshotSchema),
      async () => {
        const keys: string[] = [];
        for await (const key of await kv.asKv().keys()) keys.push(key);
        return keys;
      },
      logger,
    ),
  };
}

const snapshot = (service: string, savedAt: string, detector = new DriftDetector(drift)) =>
  ({
    service,
    metric: 'latency_p99_ms',
    saved_at: savedAt,
    state: detector.toJSON(),
  }) satisfies DriftSnapshot;

describe('DriftStateStore', () => {
  const at = '2026-12-07T10:00:00.000Z';

  it('reads back only its own keys; a corrupt one is skipped with its key named', async () => {
    const kv = new FakeKv('learning');
    const { store: drifts, warnings } = store(kv);
    expect(await drifts.save([snapshot('cart', at), snapshot('shipping', at)])).toBe(2);
    // demo-controller's records share the bucket; a hand-edited snapshot is refused.
    kv.putRaw('demo-controller.run.1', '{"run_id":"r1"}');
    kv.putRaw(driftKey('frontend', 'latency_p99_ms'), '{"service":"frontend","state":{}}');
    const loaded = await drifts.load(Date.parse(at), 60_000);
    expect(loaded.map((s) => s.service).sort()).toEqual(['cart', 'shipping']);
    expect(warnings.join('\n')).toContain(driftKey('frontend', 'latency_p99_ms'));
  });

  it('does not save a state over the bucket value limit, and says so once', async () => {
    const kv = new FakeKv('learning');
    const { store: drifts, warnings } = store(kv);
    const big = { ...drift, seasonal: { ...drift.seasonal, history_samples: 20_000 } };
    const detector = new DriftDetector(big);
    for (let i = 0; i < 20_000; i++) detector.update(100 + (i % 17), i);
    expect(await drifts.save([snapshot('cart', at, detector)])).toBe(0);
    expect(await drifts.save([snapshot('cart', at, detector)])).toBe(0);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/over the learning bucket's 64 KiB value limit/);
  });
});
