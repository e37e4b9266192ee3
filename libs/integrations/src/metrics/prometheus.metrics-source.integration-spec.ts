import { type ServiceSample } from './metrics-source.port';
import { PrometheusMetricsSource } from './prometheus.metrics-source';
import { PromClientExporter } from './testing/prom-client.exporter';
import { freePort, PrometheusProcess } from './testing/prometheus.process';

/** Long enough for Prometheus (1 s scrapes) to hold several samples in a 10 s rate window. */
const SETTLE_TIMEOUT_MS = 45_000;
const TRAFFIC_TICK_MS = 100;

describe('PrometheusMetricsSource against a real Prometheus', () => {
  let exporter: PromClientExporter;
  let prometheus: PrometheusProcess | undefined;
  let traffic: NodeJS.Timeout | undefined;

  beforeAll(async () => {
    exporter = await PromClientExporter.start();
    // Fails (does not skip) with "install prometheus (apt-get install prometheus)" when the binary is missing.
    prometheus = await PrometheusProcess.start([{ job: 'cart', target: exporter.hostPort }], 1);
  });

  afterAll(async () => {
    if (traffic !== undefined) clearInterval(traffic);
    await prometheus?.stop();
    await exporter.close();
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

  it('reports the rate, the 5xx ratio and a p99 inside the observed bucket', async () => {
    // 9 successes and 1 failure every tick, all in the (25 ms, 50 ms] bucket.
    traffic = setInterval(() => {
      exporter.record(9, 200, 0.03);
      exporter.record(1, 503, 0.04);
    }, TRAFFIC_TICK_MS);

    const adapter = source();
    let sample: ServiceSample | undefined;
    let missing: string[] = [];
    const deadline = Date.now() + SETTLE_TIMEOUT_MS;
    while (Date.now() < deadline) {
      const scrapes = await prometheus?.scrapesOf('cart');
      const snapshot = await adapter.collect(['cart', 'email']);
      missing = snapshot.missing.map((m) => `${m.service}: ${m.reason}`);
      sample = snapshot.samples.find((s) => s.service === 'cart');
      if (
        (scrapes ?? 0) >= 3 &&
        sample !== undefined &&
        sample.request_rate_rps > 0 &&
        sample.latency_p99_ms !== null
      ) {
        break;
      }
      await new Promise((resolve) => setTimeout(resolve, 500));
    }

    expect(sample).toBeDefined();
    expect(sample?.window_s).toBe(10);
    expect(sample?.request_rate_rps).toBeGreaterThan(0);
    // Failures and successes grow in lockstep at every scrape: the ratio is 1 in 10.
    expect(sample?.error_rate_ratio).toBeCloseTo(0.1, 2);
    expect(sample?.latency_p99_ms).toBeGreaterThan(25);
    expect(sample?.latency_p99_ms).toBeLessThanOrEqual(50);
    expect(sample?.cpu_usage_percent).toBeGreaterThanOrEqual(0);
    expect(missing).toEqual([
      'email: no http_requests_total series with job="email" in Prometheus',
    ]);
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
