import { type MetricsSnapshot, type ServiceSample } from './metrics-source.port';
import { PrometheusMetricsSource } from './prometheus.metrics-source';
import { DEFAULT_REQUEST_STATUS } from './request-status';
import { PromClientExporter } from './testing/prom-client.exporter';
import { freePort } from '../net/free-port.allocator';
import { PrometheusProcess } from './testing/prometheus.process';

/** Long enough for Prometheus (1 s scrapes) to hold several samples in a 10 s rate window. */
const SETTLE_TIMEOUT_MS = 45_000;
const TRAFFIC_TICK_MS = 100;

/** One exporter per status-label convention (job `by-<label>`), and one without any. */
const CONVENTIONS = DEFAULT_REQUEST_STATUS.labels;
const jobOf = (label: string): string => `by-${label.replace(/_/g, '-')}`;
const PLAIN = 'no-status-label';

describe('PrometheusMetricsSource against a real Prometheus', () => {
  let cart: PromClientExporter;
  let byConvention: Map<string, PromClientExporter>;
  let plain: PromClientExporter;
  let prometheus: PrometheusProcess | undefined;
  const timers: NodeJS.Timeout[] = [];

  beforeAll(async () => {
    cart = await PromClientExporter.start();
    byConvention = new Map();
    for (const label of CONVENTIONS) {
      byConvention.set(
        label,
        await PromClientExporter.start({ statusLabel: label, defaultMetrics: false }),
      );
    }
    plain = await PromClientExporter.start({ statusLabel: null, defaultMetrics: false });
    // Fails (does not skip) with "install prometheus (apt-get install prometheus)" when the binary is missing.
    prometheus = await PrometheusProcess.start(
      [
        { job: 'cart', target: cart.hostPort },
        ...[...byConvention].map(([label, exporter]) => ({
          job: jobOf(label),
          target: exporter.hostPort,
        })),
        { job: PLAIN, target: plain.hostPort },
      ],
      1,
    );
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    await prometheus?.stop();
    for (const exporter of [cart, ...(byConvention?.values() ?? []), plain]) {
      await exporter?.close();
    }
  });

  function source(rateWindow = '10s'): PrometheusMetricsSource {
    if (prometheus === undefined) throw new Error('prometheus did not start');
    return new PrometheusMetricsSource({
      config: {
        url: prometheus.url,
        timeout_ms: 5000,
        service_label: 'job',
        rate_window: rateWindow,
      },
    });
  }

  /** Collects until every listed job has been scraped 3 times and `ready` holds for the snapshot. */
  async function settle(
    services: readonly string[],
    ready: (snapshot: MetricsSnapshot) => boolean,
  ): Promise<MetricsSnapshot> {
    const adapter = source();
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    let snapshot = await adapter.collect(services);
    while (Date.now() < deadline) {
      const scrapes = await Promise.all(
        services.map((job) => prometheus?.scrapesOf(job) ?? Promise.resolve(0)),
      );
      snapshot = await adapter.collect(services);
      if (scrapes.every((n) => n >= 3) && ready(snapshot)) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    return snapshot;
  }

  it('reports the rate, the 5xx ratio and a p99 inside the observed bucket', async () => {
    // 9 successes and 1 failure every tick, all in the (25 ms, 50 ms] bucket.
    timers.push(
      setInterval(() => {
        cart.record(9, 200, 0.03);
        cart.record(1, 503, 0.04);
      }, TRAFFIC_TICK_MS),
    );

    const snapshot = await settle(['cart'], (s) => {
      const sample = s.samples.find((x) => x.service === 'cart');
      return sample !== undefined && sample.request_rate_rps > 0 && sample.latency_p99_ms !== null;
    });
    const sample = snapshot.samples.find((s) => s.service === 'cart');
    const missing = (await source().collect(['cart', 'email'])).missing.map(
      (m) => `${m.service}: ${m.reason}`,
    );

    expect(sample).toBeDefined();
    expect(sample?.window_s).toBe(10);
    expect(sample?.request_rate_rps).toBeGreaterThan(0);
    // Failures and successes grow in lockstep at every scrape: the ratio is 1 in 10.
    expect(sample?.error_rate_ratio).toBeCloseTo(0.1, 2);
    expect(sample?.latency_p99_ms).toBeGreaterThan(25);
    expect(sample?.latency_p99_ms).toBeLessThanOrEqual(50);
    expect(sample?.cpu_usage_percent).toBeGreaterThanOrEqual(0);
    expect(sample).not.toHaveProperty('unmeasured');
    // A service Prometheus has no series for is missing, not a healthy zero.
    expect(missing).toEqual([
      'email: no http_requests_total series with job="email" in Prometheus',
    ]);
  });

  it('measures 20 % errors as 0.2 whichever status label the exporter uses; without one, errors are missing (not 0)', async () => {
    // Every exporter: 8 successes and 2 failures (500) per tick, in lockstep.
    for (const exporter of [...byConvention.values(), plain]) {
      timers.push(
        setInterval(() => {
          exporter.record(8, 200, 0.03);
          exporter.record(2, 500, 0.03);
        }, TRAFFIC_TICK_MS),
      );
    }
    // Prometheus scraped these exporters before they had traffic: give the 10 s window
    // several scrapes (1 s apart) of it, so the ratio is measured over more than a pair.
    await new Promise((resolve) => setTimeout(resolve, 4_000));
    const jobs = [...CONVENTIONS.map(jobOf), PLAIN];
    const snapshot = await settle(jobs, (s) =>
      jobs.every((job) => (s.samples.find((x) => x.service === job)?.request_rate_rps ?? 0) > 0),
    );
    const byJob = new Map<string, ServiceSample>(snapshot.samples.map((s) => [s.service, s]));

    for (const label of CONVENTIONS) {
      const sample = byJob.get(jobOf(label));
      expect({ label, rate: sample?.error_rate_ratio ?? null }).toEqual({
        label,
        rate: expect.closeTo(0.2, 2),
      });
      expect(sample).not.toHaveProperty('unmeasured');
    }

    const unlabelled = byJob.get(PLAIN);
    expect(unlabelled?.request_rate_rps).toBeGreaterThan(0);
    expect(unlabelled?.latency_p99_ms).not.toBeNull();
    expect(unlabelled?.error_rate_ratio).toBeNull();
    expect(unlabelled?.unmeasured).toEqual([
      {
        metric: 'error_rate_ratio',
        reason: `no http_requests_total{job="${PLAIN}"} series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured`,
      },
    ]);
    expect(snapshot.missing).toEqual([]);
  });

  it('turns a PromQL error into a clear error naming the endpoint', async () => {
    await expect(source('0s').collect(['cart'])).rejects.toThrow(
      new RegExp(
        `^Prometheus query at ${prometheus?.url ?? ''}/api/v1/query failed \\(HTTP 400, bad_data\\): `,
      ),
    );
  });

  it('an unreachable Prometheus names the URL', async () => {
    const url = `http://127.0.0.1:${await freePort()}`;
    const offline = new PrometheusMetricsSource({
      config: { url, timeout_ms: 2000, service_label: 'job', rate_window: '1m' },
    });
    await expect(offline.collect(['cart'])).rejects.toThrow(
      new RegExp(`^Prometheus query ${url}/api/v1/query failed: .*ECONNREFUSED`),
    );
  });
});
