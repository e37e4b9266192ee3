import { CircuitBreakerRegistry } from '@opscrew/guardrails';
import { DEFAULT_REQUEST_STATUS } from './request-status';
import { FIRST_SCRAPE_REASON, ScrapeMetricsSource } from './scrape.metrics-source';
import { PromClientExporter } from './testing/prom-client.exporter';
import { freePort } from '../net/free-port.allocator';

describe('ScrapeMetricsSource against real prom-client exporters', () => {
  let cart: PromClientExporter;
  let ad: PromClientExporter;
  let dead: string;
  let now: number;
  let registry: CircuitBreakerRegistry;
  let source: ScrapeMetricsSource;

  beforeAll(async () => {
    cart = await PromClientExporter.start();
    ad = await PromClientExporter.start();
    // A loopback port nobody listens on: a service that is down.
    dead = `http://127.0.0.1:${await freePort()}/metrics`;
    now = Date.parse('2025-03-01T10:00:00.000Z');
    registry = new CircuitBreakerRegistry(
      { failure_threshold: 3, reset_timeout_s: 60 },
      { now: () => now },
    );
    source = new ScrapeMetricsSource({
      config: { timeout_ms: 2000, targets: { cart: cart.url, ad: ad.url, payment: dead } },
      now: () => now,
      breakerFor: (name) => registry.breaker(name),
    });
  });

  afterAll(async () => {
    await cart.close();
    await ad.close();
  });

  it('computes exact rates, ratio and p99 between two scrapes; counts restarts as resets; isolates a dead target', async () => {
    const first = await source.collect(['cart', 'ad', 'payment']);
    expect(first.samples).toEqual([]);
    expect(first.missing).toEqual([
      { service: 'cart', reason: FIRST_SCRAPE_REASON },
      { service: 'ad', reason: FIRST_SCRAPE_REASON },
      {
        service: 'payment',
        reason: expect.stringMatching(
          new RegExp(`^scrape failed: scrape of ${dead} failed: .*ECONNREFUSED`),
        ),
      },
    ]);

    // 180 fast successes (30 ms) and 20 slow failures (300 ms) in a 10 s window.
    cart.record(180, 200, 0.03);
    cart.record(20, 500, 0.3);
    now += 10_000;
    const second = await source.collect(['cart', 'ad', 'payment']);
    const cartSample = second.samples.find((s) => s.service === 'cart');
    expect(cartSample).toMatchObject({
      window_s: 10,
      request_rate_rps: 20,
      error_rate_ratio: 0.1,
      at: '2025-03-01T10:00:10.000Z',
    });
    // Cumulative buckets: ≤0.05 s: 180, ≤0.25 s: 180, ≤0.5 s: 200. Rank 198 lies in (0.25, 0.5]:
    // 0.25 + 0.25 × (198 − 180) / 20 = 0.475 s.
    expect(cartSample?.latency_p99_ms).toBeCloseTo(475, 6);
    expect(cartSample?.latency_p99_ms).toBeGreaterThan(250);
    expect(cartSample?.latency_p99_ms).toBeLessThanOrEqual(500);
    // prom-client's default process metrics are exposed: CPU is reported, memory is not (no limit known).
    expect(cartSample?.cpu_usage_percent).toBeGreaterThanOrEqual(0);
    expect(cartSample).not.toHaveProperty('memory_usage_percent');
    expect(second.samples.find((s) => s.service === 'ad')).toMatchObject({
      request_rate_rps: 0,
      error_rate_ratio: null,
      latency_p99_ms: null,
    });

    // A restart: every counter starts over; the new values are the increase, never a negative rate.
    cart.restart();
    cart.record(30, 200, 0.008);
    now += 10_000;
    const third = await source.collect(['cart', 'ad', 'payment']);
    const restarted = third.samples.find((s) => s.service === 'cart');
    expect(restarted).toMatchObject({ request_rate_rps: 3, error_rate_ratio: 0 });
    // All 30 in (0.005, 0.01]: 0.005 + 0.005 × 29.7/30 s.
    expect(restarted?.latency_p99_ms).toBeCloseTo(9.95, 6);

    // The dead target failed three times: its breaker is open, the others unaffected.
    expect(registry.states()).toEqual([
      { name: 'scrape:cart', state: 'closed' },
      { name: 'scrape:ad', state: 'closed' },
      { name: 'scrape:payment', state: 'open' },
    ]);
    now += 10_000;
    const fourth = await source.collect(['cart', 'ad', 'payment']);
    expect(fourth.missing).toEqual([
      {
        service: 'payment',
        reason: expect.stringMatching(
          /^circuit open until 2025-03-01T10:01:20\.000Z; last failure: scrape of/,
        ),
      },
    ]);
    expect(fourth.samples.map((s) => s.service)).toEqual(['cart', 'ad']);
  });

  it('measures 20 % errors whichever status label an exporter uses; without one, errors are missing data', async () => {
    const exporters = new Map<string, PromClientExporter>();
    for (const label of [...DEFAULT_REQUEST_STATUS.labels, null]) {
      exporters.set(
        label ?? 'none',
        await PromClientExporter.start({ statusLabel: label, defaultMetrics: false }),
      );
    }
    try {
      const targets = Object.fromEntries([...exporters].map(([label, e]) => [label, e.url]));
      const scrape = new ScrapeMetricsSource({
        config: { timeout_ms: 2000, targets },
        requestStatus: DEFAULT_REQUEST_STATUS,
        now: () => now,
      });
      await scrape.collect(Object.keys(targets));
      for (const exporter of exporters.values()) {
        exporter.record(80, 200, 0.03);
        exporter.record(20, 500, 0.03);
      }
      now += 10_000;
      const snapshot = await scrape.collect(Object.keys(targets));
      expect(snapshot.missing).toEqual([]);
      expect(
        Object.fromEntries(snapshot.samples.map((s) => [s.service, s.error_rate_ratio])),
      ).toEqual({
        status_code: 0.2,
        code: 0.2,
        status: 0.2,
        http_status_code: 0.2,
        http_response_status_code: 0.2,
        none: null,
      });
      const none = snapshot.samples.find((s) => s.service === 'none');
      expect(none?.request_rate_rps).toBe(10);
      expect(none?.unmeasured).toEqual([
        {
          metric: 'error_rate_ratio',
          reason:
            'no http_requests_total series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured',
        },
      ]);
    } finally {
      for (const exporter of exporters.values()) await exporter.close();
    }
  });
});
