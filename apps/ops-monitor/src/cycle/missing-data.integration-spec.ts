import { ConfigFixture } from '@opscrew/config/testing';
import { type ReportEvent } from '@opscrew/contracts';
import { PromClientExporter, PrometheusProcess } from '@opscrew/integrations/testing';
import { testNamespace } from '@opscrew/messaging/testing';
import { jestTimeout } from '@opscrew/testing';
import { type QualityReport } from '../quality/quality.tracker';
import { IntakeCrew, stored } from '../intake/testing/intake-crew.harness';

const NATS_URL = process.env['NATS_URL'] ?? 'nats://127.0.0.1:4222';
jest.setTimeout(jestTimeout(180_000));

const TRAFFIC_TICK_MS = 100;
const POLL_MS = 250;
const REASON =
  'no http_requests_total{job="cart"} series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured';

/**
 * The measured case, end to end: ops-monitor as it runs (the real app module, its
 * cycle every second) reading a real Prometheus. shipping is a plain exporter labelling its
 * requests `status` at 20 % errors — it used to read as 0 % and open nothing. cart runs at
 * 20 % failures too, but labels no status at all: nobody can measure its errors, which must
 * be missing data (a warning, in /quality), never a 0 % that looks healthy, never an incident.
 */
describe('ops-monitor on Prometheus: missing is not healthy (real app, real Prometheus)', () => {
  const namespace = testNamespace();
  const fixture = ConfigFixture.shipped();
  let shipping: PromClientExporter;
  let cart: PromClientExporter;
  let prometheus: PrometheusProcess | undefined;
  let crew: IntakeCrew | undefined;
  const timers: NodeJS.Timeout[] = [];
  const token = 'missing-data-test-token-0123456789';

  beforeAll(async () => {
    shipping = await PromClientExporter.start({ statusLabel: 'status' });
    cart = await PromClientExporter.start({ statusLabel: null });
    for (const exporter of [shipping, cart]) {
      timers.push(
        setInterval(() => {
          exporter.record(8, 200, 0.03);
          exporter.record(2, 500, 0.03);
        }, TRAFFIC_TICK_MS),
      );
    }
    prometheus = await PrometheusProcess.start(
      [
        { job: 'shipping', target: shipping.hostPort },
        { job: 'cart', target: cart.hostPort },
      ],
      1,
    );
    const url = prometheus.url;
    crew = await IntakeCrew.start({
      natsUrl: NATS_URL,
      namespace,
      fixture,
      token,
      name: 'missing-data-test',
      configure: (config) => {
        config.patch(
          'project/integrations/integrations.json5',
          "source: 'scrape'",
          "source: 'prometheus'",
        );
        config.patch(
          'project/integrations/integrations.json5',
          "url: 'http://127.0.0.1:9090'",
          `url: '${url}'`,
        );
        // 1 s scrapes: a 10 s window holds enough of them for a stable rate.
        config.patch(
          'project/integrations/integrations.json5',
          "rate_window: '1m'",
          "rate_window: '10s'",
        );
        config.patch('agents/ops-monitor.json5', 'cycle_interval_s: 15,', 'cycle_interval_s: 1,');
      },
    });
  });

  afterAll(async () => {
    for (const timer of timers) clearInterval(timer);
    await crew?.stop();
    await prometheus?.stop();
    await shipping?.close();
    await cart?.close();
  });

  /** The first defined answer of `probe`, polled; fails naming `what` after `timeoutMs`. */
  async function until<T>(
    what: string,
    probe: () => Promise<T | undefined>,
    timeoutMs: number,
  ): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const value = await probe();
      if (value !== undefined) return value;
      if (Date.now() > deadline) throw new Error(`${what}: not within ${timeoutMs} ms`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }

  async function quality(): Promise<QualityReport> {
    const response = await fetch(`${crew?.base ?? ''}/quality`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status).toBe(200);
    return (await response.json()) as QualityReport;
  }

  it('a plain exporter labelling `status` at 20 % errors opens its incident; one labelling nothing is missing data in /quality and on the bus, never an incident', async () => {
    if (crew === undefined) throw new Error('ops-monitor did not start');
    const ledger = crew.ledger;
    const shippingIncident = await until(
      'the shipping high_error_rate incident',
      async () =>
        (await ledger.list()).find(
          (r) => r.service === 'shipping' && r.symptom === 'high_error_rate',
        ),
      90_000,
    );
    expect(shippingIncident.severity).not.toBe('info');

    const report = await until(
      'cart listed as missing data in /quality',
      async () => {
        const current = await quality();
        // Before Prometheus's first scrape of cart, cart has no series at all (missing traffic);
        // the case under test is the one after it: traffic without a status label.
        return current.missing_data.some(
          (m) => m.service === 'cart' && m.metric === 'error_rate_ratio',
        )
          ? current
          : undefined;
      },
      60_000,
    );
    expect(report.missing_data.filter((m) => m.service === 'cart')).toContainEqual({
      service: 'cart',
      metric: 'error_rate_ratio',
      reason: REASON,
      since: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
    });
    // Watched services Prometheus has no series for are missing data too, and unchecked.
    expect(report.unchecked_services).toContain('frontend');
    expect(report.unchecked_services).not.toContain('cart');
    expect(report.meets_targets.completeness).toBe(false);

    const warnings = (await stored(crew.bus, 'report.data-quality')) as ReportEvent[];
    // (Before Prometheus's first scrape of cart, the whole service was missing: another warning.)
    const cartWarnings = warnings.filter(
      (w) => w.fields?.['service'] === 'cart' && w.fields['metric'] === 'error_rate_ratio',
    );
    // Reported once (then at most hourly), naming the service, the metric and why.
    expect(cartWarnings).toHaveLength(1);
    expect(cartWarnings[0]).toMatchObject({
      kind: 'data-quality',
      title: 'data_quality: cart error_rate_ratio missing',
      fields: { service: 'cart', metric: 'error_rate_ratio', kind: 'missing', reason: REASON },
    });
    expect(cartWarnings[0]?.text).toContain(REASON);

    // Many cycles later: still no incident for cart, whatever the rule.
    await until(
      'five more cycles',
      async () => ((await quality()).cycles >= report.cycles + 5 ? true : undefined),
      30_000,
    );
    expect((await ledger.list()).filter((r) => r.service === 'cart')).toEqual([]);
  });
});
