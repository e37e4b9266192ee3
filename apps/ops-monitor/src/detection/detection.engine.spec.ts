import { loadConfig, type ThresholdsConfig } from '@opscrew/config';
import { SHIPPED_CONFIG_DIR } from '@opscrew/config/testing';
import { type MetricsSnapshot, type ServiceSample } from '@opscrew/integrations';
import { type Anomaly } from './anomaly';
import { DetectionEngine, type DriftLike } from './detection.engine';

const thresholds: ThresholdsConfig = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config
  .thresholds;

const sample = (service: string, values: Partial<ServiceSample> = {}): ServiceSample => ({
  service,
  at: '2026-11-24T10:00:00.000Z',
  window_s: 15,
  request_rate_rps: 20,
  error_rate_ratio: 0.001,
  latency_p99_ms: 120,
  ...values,
});
const snapshot = (...samples: ServiceSample[]): MetricsSnapshot => ({
  at: '2026-11-24T10:00:00.000Z',
  samples,
  missing: [],
});
const pick = (anomalies: readonly Anomaly[]) =>
  anomalies.map((a) => `${a.service} ${a.symptom} ${a.rule} ${a.severity}`);

/** A drift detector that fires when told to. */
class ScriptedDrift implements DriftLike {
  static fire = new Set<string>();
  constructor(private readonly key: string) {}
  update(value: number) {
    const anomalous = ScriptedDrift.fire.has(this.key);
    return {
      anomalous,
      score: anomalous ? 0.9 : 0.1,
      direction: 'up' as const,
      baseline: value / 2,
      kind: 'baseline_shift',
    };
  }
}

describe('DetectionEngine', () => {
  let engine: DetectionEngine;
  beforeEach(() => {
    ScriptedDrift.fire.clear();
    engine = new DetectionEngine(
      thresholds.alerting,
      thresholds.detection,
      (service, metric) => new ScriptedDrift(`${service}/${metric}`),
    );
  });

  it('stays quiet on healthy services', () => {
    const result = engine.evaluate(snapshot(sample('cart'), sample('frontend')), new Set());
    expect(result.anomalies).toEqual([]);
    expect(result.checked).toEqual(['cart', 'frontend']);
  });

  it('applies per-service absolute thresholds, falling back to defaults, with severity from the bands', () => {
    const result = engine.evaluate(
      snapshot(
        sample('frontend', { error_rate_ratio: 0.015 }), // frontend: 1 % → low
        sample('currency', { error_rate_ratio: 0.04 }), // default 5 %: fine
        sample('cart', { error_rate_ratio: 0.35 }), // cart: 2 % → critical band (30 %)
        sample('recommendation', { latency_p99_ms: 2500 }), // own 2000 ms; below every latency band
        sample('shipping', { latency_p99_ms: 6000 }), // default 5000 ms → high band
      ),
      new Set(),
    );
    expect(pick(result.anomalies)).toEqual([
      'frontend high_error_rate absolute low',
      'cart high_error_rate absolute critical',
      'recommendation high_latency absolute low',
      'shipping high_latency absolute high',
    ]);
    expect(result.anomalies[1]).toMatchObject({
      value: 0.35,
      threshold: 0.02,
      metric: 'error_rate_ratio',
    });
  });

  it('ignores error rates under the minimum request rate (1 error in 2 requests is not 50 %)', () => {
    const result = engine.evaluate(
      snapshot(sample('cart', { request_rate_rps: 0.1, error_rate_ratio: 0.5 })),
      new Set(),
    );
    expect(result.anomalies).toEqual([]);
  });

  it('flags a jump against the recent cycles before any absolute threshold (error rate ×3, latency ×2)', () => {
    engine.evaluate(
      snapshot(sample('currency', { error_rate_ratio: 0.005, latency_p99_ms: 600 })),
      new Set(),
    );
    const result = engine.evaluate(
      snapshot(sample('currency', { error_rate_ratio: 0.016, latency_p99_ms: 1400 })),
      new Set(),
    );
    expect(pick(result.anomalies)).toEqual([
      'currency high_error_rate relative low',
      'currency high_latency relative low',
    ]);
  });

  it('does not call a tripled trickle a jump (below the relative minimum level, traffic or window size)', () => {
    engine.evaluate(snapshot(sample('currency', { error_rate_ratio: 0.001 })), new Set());
    expect(
      engine.evaluate(snapshot(sample('currency', { error_rate_ratio: 0.004 })), new Set())
        .anomalies,
    ).toEqual([]);
    // A p99 that doubles but stays under a second.
    engine.evaluate(snapshot(sample('ad', { latency_p99_ms: 300 })), new Set());
    expect(
      engine.evaluate(snapshot(sample('ad', { latency_p99_ms: 900 })), new Set()).anomalies,
    ).toEqual([]);
    // 10 requests in a 1 s window: their p99 is their maximum, no verdict.
    engine.evaluate(
      snapshot(sample('shipping', { latency_p99_ms: 600, window_s: 1, request_rate_rps: 10 })),
      new Set(),
    );
    expect(
      engine.evaluate(
        snapshot(sample('shipping', { latency_p99_ms: 2400, window_s: 1, request_rate_rps: 10 })),
        new Set(),
      ).anomalies,
    ).toEqual([]);
  });

  it('compares with the median of recent cycles, so one quiet window is no reference', () => {
    for (const p99 of [900, 1000, 950, 400])
      engine.evaluate(snapshot(sample('checkout', { latency_p99_ms: p99 })), new Set());
    // 1500 is ×3.75 the last (quiet) window but only ×1.6 the recent median: no jump.
    expect(
      engine.evaluate(snapshot(sample('checkout', { latency_p99_ms: 1500 })), new Set()).anomalies,
    ).toEqual([]);
  });

  it('reports drift on its own, and folds it into a threshold crossing of the same metric', () => {
    ScriptedDrift.fire.add('checkout/latency_p99_ms');
    const drift = engine.evaluate(snapshot(sample('checkout', { latency_p99_ms: 900 })), new Set());
    expect(pick(drift.anomalies)).toEqual(['checkout latency_drift drift low']);
    expect(drift.anomalies[0]?.detail).toMatch(
      /drifted up \(baseline_shift, score 0\.90, baseline 450 ms\)/,
    );
    const both = engine.evaluate(snapshot(sample('checkout', { latency_p99_ms: 9000 })), new Set());
    expect(pick(both.anomalies)).toEqual(['checkout high_latency absolute high']);
  });

  it('never alerts on, or learns from, a physically implausible value: a data-quality warning instead', () => {
    ScriptedDrift.fire.add('recommendation/latency_p99_ms');
    const learned: number[] = [];
    const spy = new DetectionEngine(thresholds.alerting, thresholds.detection, () => ({
      update: (value) => {
        learned.push(value);
        return { anomalous: false, score: 0, direction: null, baseline: null, kind: 'none' };
      },
    }));
    const result = spy.evaluate(
      snapshot(sample('recommendation', { latency_p99_ms: 600_000, error_rate_ratio: 5 })),
      new Set(),
    );
    expect(result.anomalies).toEqual([]);
    expect(result.dataQuality.map((w) => w.metric)).toEqual(['latency_p99_ms', 'error_rate_ratio']);
    expect(result.dataQuality[0]?.message).toMatch(
      /600000 ms is beyond 300000 ms .*unit error \(µs or ns read as ms\)/,
    );
    expect(result.dataQuality[1]?.message).toMatch(/likely a percentage read as a ratio/);
    expect(learned).toEqual([]);
  });

  it("attributes a caller's errors to a failing dependency: recorded, informational, no action of its own", () => {
    const graph = new DetectionEngine(thresholds.alerting, thresholds.detection, null, (service) =>
      service === 'frontend' ? ['cart', 'ad'] : [],
    );
    const result = graph.evaluate(
      snapshot(
        sample('frontend', { error_rate_ratio: 0.2 }),
        sample('cart', { error_rate_ratio: 0.9 }),
      ),
      new Set(),
    );
    expect(
      result.anomalies.map((a) => [a.service, a.symptom, a.informational, a.severity]),
    ).toEqual([
      ['frontend', 'dependency_failure', true, 'info'],
      ['cart', 'high_error_rate', false, 'critical'],
    ]);
    expect(result.anomalies[0]?.detail).toMatch(/follows cart's high_error_rate: inhibited/);
    // A cycle later the dependency's trouble is still remembered (error windows lag).
    const next = graph.evaluate(snapshot(sample('frontend', { error_rate_ratio: 0.2 })), new Set());
    expect(next.anomalies[0]?.symptom).toBe('dependency_failure');
    // ...but not forever: three cycles of calm in cart and the frontend's errors are its own.
    graph.evaluate(snapshot(sample('cart')), new Set());
    graph.evaluate(snapshot(sample('cart')), new Set());
    const later = graph.evaluate(
      snapshot(sample('frontend', { error_rate_ratio: 0.2 })),
      new Set(),
    );
    expect(later.anomalies[0]).toMatchObject({ symptom: 'high_error_rate', informational: false });
  });

  it('marks anomalies of a locked service informational (severity info, no action)', () => {
    const result = engine.evaluate(
      snapshot(sample('cart', { error_rate_ratio: 0.4 }), sample('ad', { error_rate_ratio: 0.4 })),
      new Set(['cart']),
    );
    expect(result.anomalies.map((a) => [a.service, a.informational, a.severity])).toEqual([
      ['cart', true, 'info'],
      ['ad', false, 'critical'],
    ]);
  });
});
