import { CircuitBreakerRegistry } from '@opscrew/guardrails';
import { type HttpFetch, MAX_METRICS_RESPONSE_BYTES } from './metrics-http';
import {
  FIRST_SCRAPE_REASON,
  MAX_SCRAPE_WINDOW_MS,
  NOT_EXPOSED_REASON,
  ScrapeMetricsSource,
} from './scrape.metrics-source';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');
const CART = 'http://127.0.0.1:7102/metrics';
const AD = 'http://127.0.0.1:7101/metrics';

function exposition(ok: number, errors: number): string {
  return [
    '# TYPE http_requests_total counter',
    `http_requests_total{method="GET",route="/",status_code="200"} ${ok}`,
    `http_requests_total{method="GET",route="/",status_code="500"} ${errors}`,
    '# TYPE http_request_duration_seconds histogram',
    `http_request_duration_seconds_bucket{le="0.1",method="GET",route="/",status_code="200"} ${ok + errors}`,
    `http_request_duration_seconds_bucket{le="+Inf",method="GET",route="/",status_code="200"} ${ok + errors}`,
  ].join('\n');
}

type Route = (init: RequestInit) => Response | Promise<Response>;

class FakeHttp {
  readonly routes = new Map<string, Route>();
  readonly calls: string[] = [];
  readonly fetch: HttpFetch = async (url, init) => {
    this.calls.push(url);
    const route = this.routes.get(url);
    if (route === undefined)
      throw new TypeError('fetch failed', { cause: new Error(`no route ${url}`) });
    return route(init);
  };

  serve(url: string, body: () => string, status = 200): void {
    this.routes.set(url, () => new Response(body(), { status }));
  }
}

describe('ScrapeMetricsSource', () => {
  let now: number;
  let http: FakeHttp;
  let counts: { ok: number; errors: number };

  function source(extra: Partial<ConstructorParameters<typeof ScrapeMetricsSource>[0]> = {}) {
    return new ScrapeMetricsSource({
      config: { timeout_ms: 1000, targets: { cart: CART, ad: AD } },
      http: http.fetch,
      now: () => now,
      ...extra,
    });
  }

  beforeEach(() => {
    now = T0;
    http = new FakeHttp();
    counts = { ok: 0, errors: 0 };
    http.serve(CART, () => exposition(counts.ok, counts.errors));
    http.serve(AD, () => exposition(0, 0));
  });

  it('first scrape: every target is missing "no window yet"; an unknown service is "not exposed"', async () => {
    const snapshot = await source().collect(['cart', 'ad', 'email']);
    expect(snapshot.samples).toEqual([]);
    expect(snapshot.missing).toEqual([
      { service: 'cart', reason: FIRST_SCRAPE_REASON },
      { service: 'ad', reason: FIRST_SCRAPE_REASON },
      { service: 'email', reason: NOT_EXPOSED_REASON },
    ]);
    expect(http.calls.sort()).toEqual([AD, CART]);
    expect(snapshot.at).toBe('2025-03-01T10:00:00.000Z');
  });

  it('second scrape: rates over the window since the first', async () => {
    const scrape = source();
    counts = { ok: 100, errors: 0 };
    await scrape.collect(['cart', 'ad']);
    now += 10_000;
    counts = { ok: 190, errors: 10 };
    const snapshot = await scrape.collect(['cart', 'ad']);
    expect(snapshot.missing).toEqual([]);
    expect(snapshot.samples).toEqual([
      {
        service: 'cart',
        at: '2025-03-01T10:00:10.000Z',
        window_s: 10,
        request_rate_rps: 10,
        error_rate_ratio: 0.1,
        latency_p99_ms: expect.closeTo(99, 9), // all 100 in ≤0.1 s: 0.1 × 99/100 s
      },
      {
        service: 'ad',
        at: '2025-03-01T10:00:10.000Z',
        window_s: 10,
        request_rate_rps: 0,
        error_rate_ratio: null,
        latency_p99_ms: null,
      },
    ]);
  });

  it('reads errors by the configured request_status; a service without a status label is sampled with errors missing', async () => {
    // cart labels its status `result` (not a shipped label); ad labels nothing at all.
    const byResult = (ok: number, failed: number) =>
      `http_requests_total{result="200"} ${ok}\nhttp_requests_total{result="429"} ${failed}`;
    http.serve(CART, () => byResult(counts.ok, counts.errors));
    http.serve(AD, () => `http_requests_total{route="/"} ${counts.ok}`);
    const scrape = source({ requestStatus: { labels: ['result'], error_prefixes: ['5', '429'] } });
    await scrape.collect(['cart', 'ad']);
    now += 10_000;
    counts = { ok: 80, errors: 20 };
    const snapshot = await scrape.collect(['cart', 'ad']);
    expect(snapshot.samples.map((s) => [s.service, s.error_rate_ratio])).toEqual([
      ['cart', 0.2],
      ['ad', null],
    ]);
    expect(snapshot.samples[1]?.unmeasured?.[0]).toEqual({
      metric: 'error_rate_ratio',
      reason:
        'no http_requests_total series with a status label among result — errors cannot be measured',
    });
  });

  it('scrapes the targets in parallel', async () => {
    const started: string[] = [];
    const release: (() => void)[] = [];
    for (const url of [CART, AD]) {
      http.routes.set(url, () => {
        started.push(url);
        return new Promise((resolve) =>
          release.push(() => resolve(new Response(exposition(1, 0)))),
        );
      });
    }
    const pending = source().collect(['cart', 'ad']);
    await new Promise((r) => setImmediate(r));
    expect(started.sort()).toEqual([AD, CART]);
    release.forEach((r) => r());
    await pending;
  });

  it('a failing target is missing with a reason naming its URL and status; the others are sampled', async () => {
    const scrape = source();
    await scrape.collect(['cart', 'ad']);
    http.serve(CART, () => '<html><body>upstream connect error</body></html>', 503);
    now += 10_000;
    const snapshot = await scrape.collect(['cart', 'ad']);
    expect(snapshot.missing).toEqual([
      {
        service: 'cart',
        reason: `scrape failed: scrape of ${CART} answered HTTP 503: <html><body>upstream connect error</body></html>`,
      },
    ]);
    expect(snapshot.samples.map((s) => s.service)).toEqual(['ad']);
  });

  it('a scrape that hangs times out, naming the URL and the timeout', async () => {
    http.routes.set(
      CART,
      (init) =>
        new Promise((_, reject) =>
          init.signal?.addEventListener('abort', () =>
            reject(new DOMException('aborted', 'AbortError')),
          ),
        ),
    );
    const snapshot = await source({ config: { timeout_ms: 30, targets: { cart: CART } } }).collect([
      'cart',
    ]);
    expect(snapshot.missing).toEqual([
      { service: 'cart', reason: `scrape failed: scrape of ${CART} timed out after 30 ms` },
    ]);
  });

  it('an HTTP client that ignores the abort signal still cannot stall the cycle', async () => {
    http.routes.set(CART, () => new Promise<Response>(() => undefined));
    const snapshot = await source({ config: { timeout_ms: 30, targets: { cart: CART } } }).collect([
      'cart',
    ]);
    expect(snapshot.missing[0]?.reason).toBe(
      `scrape failed: scrape of ${CART} timed out after 30 ms`,
    );
  });

  it('surfaces the network reason hidden in fetch’s cause', async () => {
    http.routes.set(CART, () => {
      const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:7102'), {
        code: 'ECONNREFUSED',
      });
      throw new TypeError('fetch failed', { cause });
    });
    const snapshot = await source().collect(['cart']);
    expect(snapshot.missing[0]?.reason).toBe(
      `scrape failed: scrape of ${CART} failed: connect ECONNREFUSED 127.0.0.1:7102`,
    );
  });

  it('a body that is not an exposition names the URL and the line', async () => {
    http.serve(CART, () => '{"status":"ok"}');
    const snapshot = await source().collect(['cart']);
    expect(snapshot.missing[0]?.reason).toMatch(
      new RegExp(`^scrape failed: scrape of ${CART}: not a Prometheus text exposition \\(line 1: `),
    );
  });

  it('an exposition without HTTP metrics says what it looked for', async () => {
    http.serve(CART, () => 'process_cpu_seconds_total 3\n');
    const snapshot = await source().collect(['cart']);
    expect(snapshot.missing[0]?.reason).toMatch(
      `scrape failed: scrape of ${CART}: no HTTP request metrics (looked for http_requests_total`,
    );
  });

  it('refuses a body larger than the cap', async () => {
    http.serve(CART, () => 'x'.repeat(MAX_METRICS_RESPONSE_BYTES + 1));
    const snapshot = await source().collect(['cart']);
    expect(snapshot.missing[0]?.reason).toBe(
      `scrape failed: scrape of ${CART} answered more than ${MAX_METRICS_RESPONSE_BYTES} bytes; refusing to read it`,
    );
  });

  describe('windows', () => {
    it('collects closer than a second apart are measured against an older scrape', async () => {
      const scrape = source();
      counts = { ok: 10, errors: 0 };
      await scrape.collect(['cart']);
      now += 200;
      counts = { ok: 12, errors: 0 };
      const quick = await scrape.collect(['cart']);
      expect(quick.missing).toEqual([
        {
          service: 'cart',
          reason: `${FIRST_SCRAPE_REASON} (previous scrape less than 1000 ms ago)`,
        },
      ]);
      now += 1_000;
      counts = { ok: 22, errors: 0 };
      const later = await scrape.collect(['cart']);
      // Against the T0+200 ms scrape (the newest at least 1 s older): 10 requests in 1 s.
      expect(later.samples[0]).toMatchObject({ window_s: 1, request_rate_rps: 10 });
    });

    it('a previous scrape older than the maximum window starts a new window', async () => {
      const scrape = source();
      await scrape.collect(['cart']);
      now += MAX_SCRAPE_WINDOW_MS + 1;
      const snapshot = await scrape.collect(['cart']);
      expect(snapshot.missing).toEqual([
        { service: 'cart', reason: `${FIRST_SCRAPE_REASON} (previous scrape older than 600 s)` },
      ]);
      now += 5_000;
      expect((await scrape.collect(['cart'])).samples).toHaveLength(1);
    });

    it('a failed scrape keeps the previous reading: the next window spans the gap', async () => {
      const scrape = source();
      counts = { ok: 0, errors: 0 };
      await scrape.collect(['cart']);
      http.serve(CART, () => 'down', 500);
      now += 10_000;
      await scrape.collect(['cart']);
      http.serve(CART, () => exposition(counts.ok, counts.errors));
      counts = { ok: 40, errors: 0 };
      now += 10_000;
      const snapshot = await scrape.collect(['cart']);
      expect(snapshot.samples[0]).toMatchObject({ window_s: 20, request_rate_rps: 2 });
    });
  });

  describe('one breaker per target', () => {
    it('a dead target opens its own breaker; the others keep being scraped', async () => {
      const registry = new CircuitBreakerRegistry(
        { failure_threshold: 3, reset_timeout_s: 60 },
        { now: () => now },
      );
      const scrape = source({ breakerFor: (name) => registry.breaker(name) });
      expect(registry.breakers.map((b) => b.name)).toEqual(['scrape:cart', 'scrape:ad']);
      http.serve(CART, () => 'down', 502);
      for (let i = 0; i < 3; i++) {
        await scrape.collect(['cart', 'ad']);
        now += 15_000;
      }
      expect(registry.states()).toEqual([
        { name: 'scrape:cart', state: 'open' },
        { name: 'scrape:ad', state: 'closed' },
      ]);
      const callsBefore = http.calls.filter((u) => u === CART).length;
      const snapshot = await scrape.collect(['cart', 'ad']);
      expect(http.calls.filter((u) => u === CART)).toHaveLength(callsBefore);
      // Opened at the third failure (T0 + 30 s): retry at T0 + 90 s.
      expect(snapshot.missing).toEqual([
        {
          service: 'cart',
          reason: `circuit open until 2025-03-01T10:01:30.000Z; last failure: scrape of ${CART} answered HTTP 502: down`,
        },
      ]);
      expect(snapshot.samples.map((s) => s.service)).toEqual(['ad']);

      // After the reset timeout one trial scrape goes through; it succeeds and the breaker closes.
      http.serve(CART, () => exposition(counts.ok, counts.errors));
      now = T0 + 90_000;
      const trial = await scrape.collect(['cart']);
      expect(trial.missing[0]?.reason).toBe(FIRST_SCRAPE_REASON);
      expect(registry.breaker('scrape:cart').state).toBe('closed');
    });
  });

  it('rejects an invalid target URL at construction, naming the config path', () => {
    expect(
      () =>
        new ScrapeMetricsSource({ config: { timeout_ms: 1000, targets: { cart: 'not a url' } } }),
    ).toThrow('integrations.metrics.scrape.targets.cart: invalid URL "not a url"');
  });

  it('asks for the 0.0.4 text format', async () => {
    let accept: string | null = null;
    http.routes.set(CART, (init) => {
      accept = new Headers(init.headers).get('accept');
      return new Response(exposition(0, 0));
    });
    await source().collect(['cart']);
    expect(accept).toBe('text/plain;version=0.0.4;q=0.9,*/*;q=0.1');
  });
});
