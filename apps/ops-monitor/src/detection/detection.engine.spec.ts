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

  it('needs two failed requests in the window for an error-rate threshold: one failure is not an incident', () => {
    // A demo run's false positive: 1 error among 21 requests of a 2 s window read as 4.76 %.
    const oneFailure = sample('cart', {
      window_s: 2,
      request_rate_rps: 10.5,
      error_rate_ratio: 1 / 21,
    });
    expect(engine.evaluate(snapshot(oneFailure), new Set()).anomalies).toEqual([]);
    const twoFailures = sample('cart', {
      window_s: 2,
      request_rate_rps: 10.5,
      error_rate_ratio: 2 / 21,
    });
    expect(pick(engine.evaluate(snapshot(twoFailures), new Set()).anomalies)).toEqual([
      'cart high_error_rate absolute medium',
    ]);
    // The floor is a count: at the 0.5 rps minimum a 15 s window holds 7.5 requests.
    const trickle = (failed: number) =>
      sample('payment', { window_s: 15, request_rate_rps: 0.5, error_rate_ratio: failed / 7.5 });
    expect(engine.evaluate(snapshot(trickle(1)), new Set()).anomalies).toEqual([]);
    expect(engine.evaluate(snapshot(trickle(2)), new Set()).anomalies).toHaveLength(1);
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
      snapshot(sample('currency', { latency_p99_ms: 600, window_s: 1, request_rate_rps: 10 })),
      new Set(),
    );
    expect(
      engine.evaluate(
        snapshot(sample('currency', { latency_p99_ms: 2400, window_s: 1, request_rate_rps: 10 })),
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

  it('neither alerts on nor learns from a p99 or ratio over too few requests to measure', () => {
    const learned: number[] = [];
    const spy = new DetectionEngine(thresholds.alerting, thresholds.detection, () => ({
      update: (value) => {
        learned.push(value);
        return {
          anomalous: true,
          score: 0.9,
          direction: 'up',
          baseline: 1,
          kind: 'baseline_shift',
        };
      },
    }));
    const floor = thresholds.detection.relative.min_window_requests;
    // 1 s windows at 10 rps: 10 requests, a p99 that is their maximum (the demo's quiet services).
    const quiet = spy.evaluate(
      snapshot(sample('product-catalog', { window_s: 1, request_rate_rps: (floor - 1) / 1 })),
      new Set(),
    );
    expect(quiet.anomalies.filter((a) => a.rule === 'drift')).toEqual([]);
    expect(learned).toEqual([]);
    // Enough requests in the window: measured, learned, judged.
    const busy = spy.evaluate(
      snapshot(sample('product-catalog', { window_s: 1, request_rate_rps: floor })),
      new Set(),
    );
    expect(pick(busy.anomalies.filter((a) => a.rule === 'drift'))).toEqual([
      'product-catalog error_rate_drift drift low',
      'product-catalog latency_drift drift low',
    ]);
    expect(learned).toHaveLength(2);
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

  describe('blame from the dependency graph (one fault, one incident, the culprit acted on)', () => {
    const graph = (): DetectionEngine =>
      new DetectionEngine(
        thresholds.alerting,
        thresholds.detection,
        null,
        (service) =>
          ({ frontend: ['checkout', 'ad'], checkout: ['shipping', 'cart'] })[service] ?? [],
      );
    /** Ten calm cycles: every service learns its usual level. */
    const warm = (engine: DetectionEngine): void => {
      for (let i = 0; i < 10; i++)
        engine.evaluate(
          snapshot(
            sample('frontend'),
            sample('checkout'),
            sample('shipping', { latency_p99_ms: 20 }),
            sample('cart'),
          ),
          new Set(),
        );
    };
    const view = (anomalies: readonly Anomaly[]) =>
      anomalies.map((a) => [a.service, a.symptom, a.rule, a.severity, a.impact?.service ?? null]);

    it("turns a caller's errors into impact on a dependency with its own anomaly: nothing of the caller's own", () => {
      const engine = graph();
      const result = engine.evaluate(
        snapshot(
          sample('frontend', { error_rate_ratio: 0.35 }),
          sample('ad', { error_rate_ratio: 0.9 }),
        ),
        new Set(),
      );
      expect(view(result.anomalies)).toEqual([
        ['ad', 'high_error_rate', 'dependency', 'critical', 'frontend'],
        ['ad', 'high_error_rate', 'absolute', 'critical', null],
      ]);
      expect(result.anomalies[0]?.detail).toMatch(
        /^frontend high_error_rate \(.*\) is explained by ad: it has its own high_error_rate/,
      );
      expect(result.anomalies[0]?.impact).toMatchObject({
        service: 'frontend',
        symptom: 'high_error_rate',
        severity: 'critical',
        peak_value: 0.35,
      });
      // A cycle later the dependency's trouble is still remembered (error windows lag)…
      const next = engine.evaluate(
        snapshot(sample('frontend', { error_rate_ratio: 0.2 })),
        new Set(),
      );
      expect(view(next.anomalies)).toEqual([
        ['ad', 'high_error_rate', 'dependency', 'critical', 'frontend'],
      ]);
      // …but not forever: three calm cycles of ad and the frontend's errors are its own (held one
      // cycle for a dependency's reading, then reported).
      engine.evaluate(snapshot(sample('ad')), new Set());
      engine.evaluate(snapshot(sample('ad')), new Set());
      const later = engine.evaluate(
        snapshot(sample('frontend', { error_rate_ratio: 0.2 }), sample('ad')),
        new Set(),
      );
      expect(view(later.anomalies)).toEqual([]);
      const reported = engine.evaluate(
        snapshot(sample('frontend', { error_rate_ratio: 0.2 }), sample('ad')),
        new Set(),
      );
      expect(view(reported.anomalies)).toEqual([
        ['frontend', 'high_error_rate', 'absolute', 'high', null],
      ]);
    });

    it('blames a dependency far above its usual latency before any rule of its own fires, through the graph to the root', () => {
      const engine = graph();
      warm(engine);
      // A latency creep on shipping: +150 ms a cycle, never ×2 its recent cycles and under its
      // own thresholds, so no rule of shipping's fires; yet far above its usual 20 ms, and
      // checkout starts timing out on it, and the frontend's checkout calls fail in turn.
      for (const latency of [200, 350, 500, 650, 800, 950, 1100])
        expect(
          engine.evaluate(snapshot(sample('shipping', { latency_p99_ms: latency })), new Set())
            .anomalies,
        ).toEqual([]);
      const result = engine.evaluate(
        snapshot(
          sample('frontend', { error_rate_ratio: 0.15 }),
          sample('checkout', { error_rate_ratio: 0.4 }),
          sample('shipping', { latency_p99_ms: 1300 }),
          sample('cart'),
        ),
        new Set(),
      );
      expect(view(result.anomalies)).toEqual([
        ['shipping', 'high_latency', 'dependency', 'high', 'frontend'],
        ['shipping', 'high_latency', 'dependency', 'critical', 'checkout'],
      ]);
      expect(result.anomalies[1]).toMatchObject({
        metric: 'latency_p99_ms',
        value: 1300,
        threshold: 20,
      });
      expect(result.anomalies[1]?.detail).toMatch(
        /^checkout high_error_rate \(.*\) is explained by shipping: its p99 is 1300 ms, 65× its usual 20 ms$/,
      );
      expect(result.anomalies[0]?.detail).toMatch(/is explained by shipping \(through checkout\)/);
    });

    it('blames a quiet dependency elevated in one of the last cycles, though it had no request in this one', () => {
      const engine = graph();
      warm(engine);
      // shipping is called about once a second: the cycle checkout fails in may hold none of its calls.
      engine.evaluate(snapshot(sample('shipping', { latency_p99_ms: 1600 })), new Set());
      const result = engine.evaluate(
        snapshot(
          sample('checkout', { error_rate_ratio: 0.4 }),
          sample('shipping', { request_rate_rps: 0, error_rate_ratio: null, latency_p99_ms: null }),
        ),
        new Set(),
      );
      expect(view(result.anomalies)).toEqual([
        ['shipping', 'high_latency', 'dependency', 'critical', 'checkout'],
      ]);
    });

    it('keeps blaming a culprit whose incident is still being worked, between its own rare measurements', () => {
      const engine = graph();
      warm(engine);
      const open = new Map([
        [
          'shipping',
          {
            incident_id: 'INC-20261124-003',
            symptom: 'high_latency',
            severity: 'critical' as const,
          },
        ],
      ]);
      // No measurement of shipping for many cycles (a quiet service), its incident open.
      for (let i = 0; i < 5; i++) engine.evaluate(snapshot(sample('cart')), new Set());
      const result = engine.evaluate(
        snapshot(sample('checkout', { error_rate_ratio: 0.4 })),
        new Set(),
        new Set(),
        open,
      );
      expect(view(result.anomalies)).toEqual([
        ['shipping', 'high_latency', 'dependency', 'critical', 'checkout'],
      ]);
      expect(result.anomalies[0]?.detail).toMatch(
        /its incident INC-20261124-003 \(high_latency\) is still being worked/,
      );
      // Resolved (not open any more): the caller's errors are its own again, after the one
      // cycle a new caller symptom waits for its dependencies' reading.
      const later = engine.evaluate(
        snapshot(sample('checkout', { error_rate_ratio: 0.4 })),
        new Set(),
      );
      expect(view(later.anomalies)).toEqual([]);
      const reported = engine.evaluate(
        snapshot(sample('checkout', { error_rate_ratio: 0.4 })),
        new Set(),
      );
      expect(view(reported.anomalies)).toEqual([
        ['checkout', 'high_error_rate', 'absolute', 'critical', null],
      ]);
    });

    it('keeps a caller its own fault when its dependencies are at their usual level, one cycle later', () => {
      const engine = graph();
      warm(engine);
      const calmDependencies = (checkoutErrors: number) =>
        snapshot(
          sample('checkout', { error_rate_ratio: checkoutErrors }),
          sample('shipping', { latency_p99_ms: 22 }),
          sample('cart'),
        );
      // Held: shipping's or cart's failure may land in their next window.
      expect(engine.evaluate(calmDependencies(0.4), new Set()).anomalies).toEqual([]);
      // Still calm a cycle later: checkout's own, with the worst reading of the two.
      const result = engine.evaluate(calmDependencies(0.2), new Set());
      expect(view(result.anomalies)).toEqual([
        ['checkout', 'high_error_rate', 'absolute', 'critical', null],
      ]);
      expect(result.anomalies[0]?.value).toBe(0.4);
      // Ongoing: reported every cycle from now on, without waiting.
      expect(view(engine.evaluate(calmDependencies(0.3), new Set()).anomalies)).toEqual([
        ['checkout', 'high_error_rate', 'absolute', 'critical', null],
      ]);
    });

    it("blames a dependency whose failure lands a window after its caller's: the race at a fault's onset", () => {
      const engine = graph();
      warm(engine);
      // checkout's calls to shipping time out at the moment shipping's requests fail; the scrape
      // fell between the two, so this window shows checkout failing and shipping calm.
      const onset = engine.evaluate(
        {
          ...snapshot(
            sample('checkout', { error_rate_ratio: 0.5 }),
            sample('shipping', { latency_p99_ms: 21 }),
          ),
          at: '2026-11-24T10:00:15.000Z',
        },
        new Set(),
      );
      expect(onset.anomalies).toEqual([]);
      const next = engine.evaluate(
        {
          ...snapshot(
            sample('checkout', { error_rate_ratio: 0.6 }),
            sample('shipping', { error_rate_ratio: 0.9 }),
          ),
          at: '2026-11-24T10:00:30.000Z',
        },
        new Set(),
      );
      // One fault, one incident: nothing of checkout's own; its impact dates from the onset.
      expect(view(next.anomalies)).toEqual([
        ['shipping', 'high_error_rate', 'dependency', 'critical', 'checkout'],
        ['shipping', 'high_error_rate', 'dependency', 'critical', 'checkout'],
        ['shipping', 'high_error_rate', 'absolute', 'critical', null],
      ]);
      expect(next.anomalies.map((a) => a.impact?.first_seen_at ?? null)).toEqual([
        '2026-11-24T10:00:15.000Z',
        '2026-11-24T10:00:30.000Z',
        null,
      ]);
    });

    it("holds a caller's caller too: frontend's errors blamed on a checkout that is itself waiting go to shipping", () => {
      const engine = graph();
      warm(engine);
      // Onset: checkout's calls to shipping and frontend's to checkout fail in this window;
      // shipping's own failures land in the next.
      const onset = engine.evaluate(
        snapshot(
          sample('frontend', { error_rate_ratio: 0.3 }),
          sample('checkout', { error_rate_ratio: 0.5 }),
          sample('shipping', { latency_p99_ms: 21 }),
        ),
        new Set(),
      );
      expect(onset.anomalies).toEqual([]);
      const next = engine.evaluate(
        snapshot(
          sample('frontend', { error_rate_ratio: 0.3 }),
          sample('checkout', { error_rate_ratio: 0.5 }),
          sample('shipping', { error_rate_ratio: 0.9 }),
        ),
        new Set(),
      );
      // Nothing on checkout or frontend: every symptom is shipping's impact.
      expect([...new Set(next.anomalies.map((a) => a.service))]).toEqual(['shipping']);
      expect(next.anomalies.filter((a) => a.impact).map((a) => a.impact?.service)).toEqual(
        expect.arrayContaining(['frontend', 'checkout']),
      );
    });

    it('reports a one-window caller symptom one evaluation later, even when the caller then goes unmeasured', () => {
      const engine = graph();
      warm(engine);
      expect(
        engine.evaluate(snapshot(sample('checkout', { error_rate_ratio: 0.4 })), new Set())
          .anomalies,
      ).toEqual([]);
      expect(view(engine.evaluate(snapshot(), new Set()).anomalies)).toEqual([
        ['checkout', 'high_error_rate', 'absolute', 'critical', null],
      ]);
    });

    it("drops a caller's held symptom when it adopts a last leader's levels (a new term)", () => {
      const engine = graph();
      warm(engine);
      engine.evaluate(snapshot(sample('checkout', { error_rate_ratio: 0.4 })), new Set());
      engine.adoptUsualLevels(engine.usualLevels());
      expect(engine.evaluate(snapshot(), new Set()).anomalies).toEqual([]);
    });

    it('holds nothing with hold_cycles 0, nor a service without measured dependencies', () => {
      const engine = new DetectionEngine(
        thresholds.alerting,
        { ...thresholds.detection, culprit: { ...thresholds.detection.culprit, hold_cycles: 0 } },
        null,
        (service) => ({ checkout: ['shipping'] })[service] ?? [],
      );
      expect(
        view(
          engine.evaluate(snapshot(sample('checkout', { error_rate_ratio: 0.4 })), new Set())
            .anomalies,
        ),
      ).toEqual([['checkout', 'high_error_rate', 'absolute', 'critical', null]]);
      const held = graph();
      expect(
        view(
          held.evaluate(snapshot(sample('shipping', { error_rate_ratio: 0.4 })), new Set())
            .anomalies,
        ),
      ).toEqual([['shipping', 'high_error_rate', 'absolute', 'critical', null]]);
      // checkout calls shipping and cart, neither ever measured (like flagd or kafka): nothing
      // could take the blame, so nothing is waited for.
      expect(
        view(
          graph().evaluate(snapshot(sample('checkout', { error_rate_ratio: 0.4 })), new Set())
            .anomalies,
        ),
      ).toEqual([['checkout', 'high_error_rate', 'absolute', 'critical', null]]);
    });

    it("attaches callers' errors to a service the crew is restarting, adding no severity", () => {
      const engine = graph();
      warm(engine);
      const result = engine.evaluate(
        snapshot(sample('checkout', { error_rate_ratio: 0.3 })),
        new Set(),
        new Set(['shipping']),
      );
      expect(view(result.anomalies)).toEqual([
        ['shipping', 'dependency_failure', 'dependency', 'info', 'checkout'],
      ]);
      expect(result.anomalies[0]?.impact?.severity).toBe('critical');
      expect(result.anomalies[0]?.detail).toMatch(/the crew is restarting it/);
    });

    it('keeps the impact informational when the culprit is locked for deliberate work', () => {
      const engine = graph();
      warm(engine);
      const result = engine.evaluate(
        snapshot(
          sample('checkout', { error_rate_ratio: 0.3 }),
          sample('shipping', { latency_p99_ms: 2500 }),
        ),
        new Set(['shipping']),
      );
      expect(
        result.anomalies.map((a) => [
          a.service,
          a.rule,
          a.informational,
          a.impact?.service ?? null,
        ]),
      ).toEqual([
        ['shipping', 'dependency', true, 'checkout'],
        // shipping's own threshold crossing, informational under the lock like every anomaly there.
        ['shipping', 'absolute', true, null],
      ]);
    });
  });

  it('errors that cannot be measured are missing data: a warning naming service, metric and why — no incident, nothing learnt', () => {
    const learned: string[] = [];
    const spy = new DetectionEngine(
      thresholds.alerting,
      thresholds.detection,
      (service, metric) => ({
        update: () => {
          learned.push(`${service}/${metric}`);
          return {
            anomalous: true,
            score: 1,
            direction: 'up',
            baseline: 0,
            kind: 'baseline_shift',
          };
        },
      }),
    );
    const reason =
      'no http_requests_total{job="cart"} series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured';
    for (let cycle = 0; cycle < 10; cycle++) {
      const result = spy.evaluate(
        {
          at: '2026-11-24T10:00:00.000Z',
          samples: [
            sample('cart', {
              error_rate_ratio: null,
              unmeasured: [{ metric: 'error_rate_ratio', reason }],
            }),
          ],
          missing: [],
        },
        new Set(),
      );
      // Latency is still watched (the drift spy fires on it); errors never are.
      expect(result.anomalies.map((a) => a.metric)).not.toContain('error_rate_ratio');
      expect(result.checked).toEqual(['cart']);
      expect(result.dataQuality).toEqual([
        {
          kind: 'missing',
          service: 'cart',
          metric: 'error_rate_ratio',
          reason,
          message: `cart error_rate_ratio: ${reason}. Missing data, never read as 0: no detection on error_rate_ratio until the source exposes it (or integrations.metrics.request_status.labels names its status label)`,
        },
      ]);
    }
    expect(learned.filter((key) => key === 'cart/error_rate_ratio')).toEqual([]);
  });

  it('a service with no sample is missing data unless it is merely waiting (first scrape, no traffic)', () => {
    const result = engine.evaluate(
      {
        at: '2026-11-24T10:00:00.000Z',
        samples: [],
        missing: [
          {
            service: 'email',
            reason: 'no http_requests_total series with job="email" in Prometheus',
          },
          { service: 'cart', reason: 'first scrape: no window yet' },
          { service: 'ad', reason: 'no traffic reported by SigNoz' },
        ],
      },
      new Set(),
    );
    expect(result.anomalies).toEqual([]);
    expect(result.dataQuality).toEqual([
      {
        kind: 'missing',
        service: 'email',
        metric: 'request_rate_rps',
        reason: 'no http_requests_total series with job="email" in Prometheus',
        message:
          'email: no metrics this cycle (no http_requests_total series with job="email" in Prometheus): the service is not checked',
      },
    ]);
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
