import { parsePrometheusText } from './prometheus-text.parser';
import { DEFAULT_REQUEST_STATUS } from './request-status';
import { NoHttpMetricsError, readScrape, type ScrapeReading } from './scrape-reading';
import { computeScrapeWindow, counterIncrease } from './scrape-window';

const T0 = Date.parse('2025-03-01T10:00:00.000Z');

function reading(
  text: string,
  atMs: number,
  prefixes: readonly string[] = ['5'],
  labels: readonly string[] = DEFAULT_REQUEST_STATUS.labels,
): ScrapeReading {
  return readScrape(parsePrometheusText(text), atMs, { labels, error_prefixes: prefixes });
}

/** A prom-client style exposition: request counter, latency histogram (s), process metrics. */
function exposition(o: {
  requests: Record<string, number>;
  buckets: Record<string, readonly number[]>;
  cpu?: number;
  rss?: number;
  start?: number;
}): string {
  const les = ['0.05', '0.1', '0.25', '0.5', '+Inf'];
  const lines = ['# HELP http_requests_total Requests.', '# TYPE http_requests_total counter'];
  for (const [status, value] of Object.entries(o.requests)) {
    const method = status === '503' ? 'POST' : 'GET';
    lines.push(
      `http_requests_total{method="${method}",route="/cart",status_code="${status}"} ${value}`,
    );
  }
  lines.push('# TYPE http_request_duration_seconds histogram');
  for (const [status, counts] of Object.entries(o.buckets)) {
    les.forEach((le, i) =>
      lines.push(
        `http_request_duration_seconds_bucket{le="${le}",route="/cart",status_code="${status}"} ${counts[i]}`,
      ),
    );
    lines.push(
      `http_request_duration_seconds_count{route="/cart",status_code="${status}"} ${counts[4]}`,
    );
  }
  if (o.cpu !== undefined) lines.push(`process_cpu_seconds_total ${o.cpu}`);
  if (o.rss !== undefined) lines.push(`process_resident_memory_bytes ${o.rss}`);
  if (o.start !== undefined) lines.push(`process_start_time_seconds ${o.start}`);
  return lines.join('\n');
}

const before = exposition({
  requests: { '200': 100, '500': 5, '503': 1 },
  buckets: { '200': [80, 95, 100, 100, 100], '500': [0, 0, 5, 5, 5], '503': [0, 0, 0, 1, 1] },
  cpu: 10,
  rss: 1e8,
  start: 1_700_000_000,
});
const after = exposition({
  requests: { '200': 280, '500': 15, '503': 11 },
  buckets: {
    '200': [230, 265, 280, 280, 280],
    '500': [0, 0, 15, 15, 15],
    '503': [0, 0, 0, 11, 11],
  },
  cpu: 12.5,
  rss: 2e8,
  start: 1_700_000_000,
});

describe('computeScrapeWindow', () => {
  it('computes rate, 5xx ratio, interpolated p99 (s → ms) and CPU over the window (hand-computed)', () => {
    const sample = computeScrapeWindow('cart', reading(before, T0), reading(after, T0 + 10_000), {
      memoryLimitBytes: 4e8,
    });
    // Increases: 200 → +180, 500 → +10, 503 → +10: 200 requests in 10 s.
    expect(sample.request_rate_rps).toBe(20);
    // 5xx: 20 of 200.
    expect(sample.error_rate_ratio).toBe(0.1);
    // Summed bucket increases: ≤0.05: 150, ≤0.1: 170, ≤0.25: 190, ≤0.5: 200, +Inf: 200.
    // Rank 0.99 × 200 = 198 lies in (0.25, 0.5]: 0.25 + 0.25 × (198 − 190)/(200 − 190) = 0.45 s.
    expect(sample.latency_p99_ms).toBeCloseTo(450, 9);
    // 2.5 CPU seconds in 10 s = a quarter of one core.
    expect(sample.cpu_usage_percent).toBeCloseTo(25, 9);
    // 200 MB resident of a 400 MB limit.
    expect(sample.memory_usage_percent).toBe(50);
    expect(sample).toMatchObject({ service: 'cart', at: '2025-03-01T10:00:10.000Z', window_s: 10 });
  });

  it('omits memory without a known limit', () => {
    const sample = computeScrapeWindow('cart', reading(before, T0), reading(after, T0 + 10_000));
    expect(sample).not.toHaveProperty('memory_usage_percent');
  });

  it('counts the configured status prefixes as errors', () => {
    const sample = computeScrapeWindow(
      'cart',
      reading(before, T0, ['503']),
      reading(after, T0 + 10_000, ['503']),
    );
    expect(sample.error_rate_ratio).toBe(10 / 200);
  });

  it('no requests in the window: rate 0, error ratio and p99 null', () => {
    const sample = computeScrapeWindow('cart', reading(after, T0), reading(after, T0 + 5_000));
    expect(sample.request_rate_rps).toBe(0);
    expect(sample.error_rate_ratio).toBeNull();
    expect(sample.latency_p99_ms).toBeNull();
    expect(sample.cpu_usage_percent).toBe(0);
  });

  it('declared families without samples (prom-client before the first request) are zero traffic', () => {
    const empty =
      '# HELP http_requests_total x\n# TYPE http_requests_total counter\n' +
      '# HELP http_request_duration_seconds x\n# TYPE http_request_duration_seconds histogram\n';
    const sample = computeScrapeWindow('cart', reading(empty, T0), reading(empty, T0 + 15_000));
    expect(sample).toMatchObject({
      request_rate_rps: 0,
      error_rate_ratio: null,
      latency_p99_ms: null,
    });
  });

  describe('counter resets (jira-resolver restarts services)', () => {
    it('a process start time that changed means every counter restarted: the increase is the new value', () => {
      const restarted = exposition({
        // 200 happens to be *higher* than before the restart: still only 300 new requests.
        requests: { '200': 300 },
        buckets: { '200': [300, 300, 300, 300, 300] },
        cpu: 0.5,
        start: 1_700_000_100,
      });
      const sample = computeScrapeWindow(
        'cart',
        reading(after, T0),
        reading(restarted, T0 + 10_000),
      );
      expect(sample.request_rate_rps).toBe(30);
      expect(sample.error_rate_ratio).toBe(0);
      // All 300 in the first bucket: 0.05 × 297/300.
      expect(sample.latency_p99_ms).toBeCloseTo(49.5, 9);
      expect(sample.cpu_usage_percent).toBeCloseTo(5, 9);
    });

    it('without process metrics, a series that went down is reset on its own (never a negative rate)', () => {
      const a =
        'http_requests_total{status_code="200"} 100\nhttp_requests_total{status_code="500"} 50\n';
      const b =
        'http_requests_total{status_code="200"} 30\nhttp_requests_total{status_code="500"} 60\n';
      const sample = computeScrapeWindow('cart', reading(a, T0), reading(b, T0 + 10_000));
      // 200: went down → +30; 500: +10.
      expect(sample.request_rate_rps).toBe(4);
      expect(sample.error_rate_ratio).toBe(0.25);
    });

    it('a histogram series whose buckets went down restarted as a whole', () => {
      const a = exposition({ requests: { '200': 10 }, buckets: { '200': [0, 0, 0, 10, 10] } });
      const b = exposition({ requests: { '200': 4 }, buckets: { '200': [4, 4, 4, 4, 4] } });
      const sample = computeScrapeWindow('cart', reading(a, T0), reading(b, T0 + 2_000));
      expect(sample.request_rate_rps).toBe(2);
      expect(sample.latency_p99_ms).toBeCloseTo(0.05 * 0.99 * 1000, 9);
    });

    it('counterIncrease follows PromQL', () => {
      expect(counterIncrease(10, 15, false)).toBe(5);
      expect(counterIncrease(10, 4, false)).toBe(4);
      expect(counterIncrease(undefined, 7, false)).toBe(7);
      expect(counterIncrease(10, 15, true)).toBe(15);
    });
  });

  it('a series that appears between scrapes counts from zero', () => {
    const a = 'http_requests_total{status_code="200"} 100\n';
    const b =
      'http_requests_total{status_code="200"} 110\nhttp_requests_total{status_code="502"} 10\n';
    const sample = computeScrapeWindow('cart', reading(a, T0), reading(b, T0 + 10_000));
    expect(sample.request_rate_rps).toBe(2);
    expect(sample.error_rate_ratio).toBe(0.5);
  });

  it('understands the OTel spellings: counts from a _milliseconds histogram, bounds already in ms', () => {
    const otel = (counts: readonly number[]) =>
      [
        '# TYPE http_server_duration_milliseconds histogram',
        ...['5', '10', '25', '+Inf'].map(
          (le, i) =>
            `http_server_duration_milliseconds_bucket{http_status_code="200",le="${le}"} ${counts[i]}`,
        ),
        `http_server_duration_milliseconds_count{http_status_code="200"} ${counts[3]}`,
        'http_server_duration_milliseconds_bucket{http_status_code="500",le="5"} 0',
        'http_server_duration_milliseconds_bucket{http_status_code="500",le="10"} 0',
        'http_server_duration_milliseconds_bucket{http_status_code="500",le="25"} 0',
        `http_server_duration_milliseconds_bucket{http_status_code="500",le="+Inf"} ${counts[4]}`,
        `http_server_duration_milliseconds_count{http_status_code="500"} ${counts[4]}`,
      ].join('\n');
    const sample = computeScrapeWindow(
      'cart',
      reading(otel([0, 0, 0, 0, 0]), T0),
      reading(otel([50, 90, 99, 99, 1]), T0 + 10_000),
    );
    expect(sample.request_rate_rps).toBe(10);
    expect(sample.error_rate_ratio).toBe(0.01);
    // Buckets ≤5: 50, ≤10: 90, ≤25: 99, +Inf: 100; rank 99 → exactly the ≤25 bound: 10 + 15 × 9/9 = 25 ms.
    expect(sample.latency_p99_ms).toBeCloseTo(25, 9);
  });

  it('an exposition without any HTTP request metric is an error, not zero traffic', () => {
    expect(() => reading('process_cpu_seconds_total 1\n', T0)).toThrow(NoHttpMetricsError);
    expect(() => reading('process_cpu_seconds_total 1\n', T0)).toThrow(
      /no HTTP request metrics \(looked for http_requests_total, http_server_requests_total, http_request_duration_seconds/,
    );
  });

  describe('status-label conventions (integrations.metrics.request_status)', () => {
    /** 80 successes and 20 failures (500) in 10 s, labelled by `label`, with a histogram. */
    const twentyPercent = (label: string, at: 'before' | 'after') => {
      const [ok, failed] = at === 'before' ? [0, 0] : [80, 20];
      return [
        `http_requests_total{route="/cart",${label}="200"} ${ok}`,
        `http_requests_total{route="/cart",${label}="500"} ${failed}`,
        '# TYPE http_request_duration_seconds histogram',
        `http_request_duration_seconds_bucket{le="0.1"} ${ok + failed}`,
        `http_request_duration_seconds_bucket{le="+Inf"} ${ok + failed}`,
      ].join('\n');
    };

    it.each(DEFAULT_REQUEST_STATUS.labels)('measures 20 %% errors labelled by %s', (label) => {
      const sample = computeScrapeWindow(
        'cart',
        reading(twentyPercent(label, 'before'), T0),
        reading(twentyPercent(label, 'after'), T0 + 10_000),
      );
      expect(sample.request_rate_rps).toBe(10);
      expect(sample.error_rate_ratio).toBeCloseTo(0.2, 12);
      expect(sample).not.toHaveProperty('unmeasured');
    });

    it('requests without any status label: errors are missing data (null + the marker), never 0', () => {
      const plain = (n: number) =>
        [
          `http_requests_total{route="/cart",outcome="failure"} ${n}`,
          '# TYPE http_request_duration_seconds histogram',
          `http_request_duration_seconds_bucket{le="0.1"} ${n}`,
          `http_request_duration_seconds_bucket{le="+Inf"} ${n}`,
        ].join('\n');
      const sample = computeScrapeWindow(
        'cart',
        reading(plain(0), T0),
        reading(plain(50), T0 + 10_000),
        {
          requestStatus: DEFAULT_REQUEST_STATUS,
        },
      );
      expect(sample.request_rate_rps).toBe(5);
      expect(sample.error_rate_ratio).toBeNull();
      expect(sample.latency_p99_ms).not.toBeNull();
      expect(sample.unmeasured).toEqual([
        {
          metric: 'error_rate_ratio',
          reason:
            'no http_requests_total series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured',
        },
      ]);
    });

    it('a label outside the configured list is not read; configured, it is', () => {
      const custom = (n: number) =>
        `http_requests_total{http_code="200"} ${n * 4}\nhttp_requests_total{http_code="503"} ${n}`;
      const shipped = computeScrapeWindow(
        'cart',
        reading(custom(0), T0),
        reading(custom(10), T0 + 10_000),
      );
      expect(shipped.error_rate_ratio).toBeNull();
      expect(shipped.unmeasured?.[0]?.metric).toBe('error_rate_ratio');
      const configured = computeScrapeWindow(
        'cart',
        reading(custom(0), T0, ['5'], ['http_code']),
        reading(custom(10), T0 + 10_000, ['5'], ['http_code']),
        { requestStatus: { labels: ['http_code'], error_prefixes: ['5'] } },
      );
      expect(configured.error_rate_ratio).toBeCloseTo(0.2, 12);
      expect(configured.unmeasured).toEqual([
        {
          metric: 'latency_p99_ms',
          reason: expect.stringMatching(
            /^no latency histogram \(looked for http_request_duration_seconds, /,
          ),
        },
      ]);
    });

    it('the first configured label a series carries decides; unlabelled traffic is left out of the ratio', () => {
      const mixed = (n: number) =>
        [
          // `code` is first in this configuration: 500 decides, not status_code's 200.
          `http_requests_total{code="500",status_code="200"} ${n}`,
          `http_requests_total{code="200"} ${n * 3}`,
          // An unlabelled route: neither failure nor success.
          `http_requests_total{route="/health"} ${n * 6}`,
        ].join('\n');
      const labels = ['code', 'status_code'];
      const sample = computeScrapeWindow(
        'cart',
        reading(mixed(0), T0, ['5'], labels),
        reading(mixed(10), T0 + 10_000, ['5'], labels),
      );
      expect(sample.request_rate_rps).toBe(10);
      expect(sample.error_rate_ratio).toBeCloseTo(0.25, 12);
    });

    it('labelled series idle while unlabelled ones have traffic: errors unmeasured, saying so', () => {
      const a = 'http_requests_total{status_code="200"} 10\nhttp_requests_total{route="/x"} 0';
      const b = 'http_requests_total{status_code="200"} 10\nhttp_requests_total{route="/x"} 30';
      const sample = computeScrapeWindow('cart', reading(a, T0), reading(b, T0 + 10_000));
      expect(sample.error_rate_ratio).toBeNull();
      expect(sample.unmeasured?.[0]?.reason).toMatch(
        /^no traffic on the http_requests_total series with a status label \(status_code, code, /,
      );
    });

    it('no traffic at all is not missing data: null without a marker', () => {
      const idle = 'http_requests_total{route="/x"} 5';
      const sample = computeScrapeWindow('cart', reading(idle, T0), reading(idle, T0 + 10_000));
      expect(sample.error_rate_ratio).toBeNull();
      expect(sample).not.toHaveProperty('unmeasured');
    });
  });

  it('refuses a window that is not positive', () => {
    expect(() => computeScrapeWindow('cart', reading(after, T0), reading(after, T0))).toThrow(
      'cart: scrape window must be positive, got 0 s',
    );
  });
});
