import { type HttpFetch } from './metrics-http';
import {
  buildPrometheusQueries,
  parsePromValue,
  PrometheusMetricsSource,
} from './prometheus.metrics-source';

const URL_BASE = 'http://prometheus.test:9090';
const AT_S = 1_740_823_200.123;

function vector(rows: [string, string][], label = 'job'): string {
  return JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: rows.map(([service, value]) => ({
        metric: { [label]: service },
        value: [AT_S, value],
      })),
    },
  });
}

describe('PrometheusMetricsSource', () => {
  const queries = buildPrometheusQueries('job', '1m', ['cart', 'ad', 'email'], ['5']);
  let answers: Map<string, { status: number; body: string }>;
  let seen: string[];
  const http: HttpFetch = (url, init) => {
    expect(url).toBe(`${URL_BASE}/api/v1/query`);
    expect(init.method).toBe('POST');
    const query = new URLSearchParams(init.body as string).get('query') ?? '';
    seen.push(query);
    const answer = answers.get(query);
    return Promise.resolve(
      answer === undefined
        ? new Response(vector([]))
        : new Response(answer.body, { status: answer.status }),
    );
  };
  const source = (
    config: Partial<ConstructorParameters<typeof PrometheusMetricsSource>[0]['config']> = {},
  ) =>
    new PrometheusMetricsSource({
      config: {
        url: `${URL_BASE}/`,
        timeout_ms: 1000,
        service_label: 'job',
        rate_window: '1m',
        ...config,
      },
      http,
      now: () => Date.parse('2025-03-01T10:00:00.000Z'),
    });

  beforeEach(() => {
    seen = [];
    answers = new Map([
      [
        queries.requestRate,
        {
          status: 200,
          body: vector([
            ['cart', '10'],
            ['ad', '0'],
          ]),
        },
      ],
      [queries.errorRate, { status: 200, body: vector([['cart', '1']]) }],
      [
        queries.latencyP99Seconds,
        {
          status: 200,
          body: vector([
            ['cart', '0.25'],
            ['ad', 'NaN'],
          ]),
        },
      ],
      [queries.cpuCoreSecondsPerSecond, { status: 200, body: vector([['cart', '0.5']]) }],
    ]);
  });

  it('sends the documented PromQL, restricted to the requested services', () => {
    expect(queries).toEqual({
      requestRate: 'sum by (job) (rate(http_requests_total{job=~"cart|ad|email"}[1m]))',
      errorRate:
        'sum by (job) (rate(http_requests_total{job=~"cart|ad|email",status_code=~"(5).*"}[1m]))',
      latencyP99Seconds:
        'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{job=~"cart|ad|email"}[1m])))',
      cpuCoreSecondsPerSecond:
        'sum by (job) (rate(process_cpu_seconds_total{job=~"cart|ad|email"}[1m]))',
    });
  });

  it('escapes service names into the regex and the string literal', () => {
    expect(buildPrometheusQueries('service_name', '5m', ['a.b', 'c"d'], ['5']).requestRate).toBe(
      'sum by (service_name) (rate(http_requests_total{service_name=~"a\\\\.b|c\\"d"}[5m]))',
    );
  });

  it('maps rates, the 5xx ratio, p99 (s → ms) and CPU; NaN is null; absent services are missing', async () => {
    const snapshot = await source().collect(['cart', 'ad', 'email']);
    expect(seen.sort()).toEqual(Object.values(queries).sort());
    expect(snapshot.samples).toEqual([
      {
        service: 'cart',
        at: new Date(AT_S * 1000).toISOString(),
        window_s: 60,
        request_rate_rps: 10,
        error_rate_ratio: 0.1,
        latency_p99_ms: 250,
        cpu_usage_percent: 50,
      },
      {
        service: 'ad',
        at: new Date(AT_S * 1000).toISOString(),
        window_s: 60,
        request_rate_rps: 0,
        error_rate_ratio: null,
        latency_p99_ms: null,
      },
    ]);
    expect(snapshot.missing).toEqual([
      { service: 'email', reason: 'no http_requests_total series with job="email" in Prometheus' },
    ]);
    expect(snapshot.at).toBe('2025-03-01T10:00:00.000Z');
  });

  it('names an error body: status, errorType and error', async () => {
    answers.set(queries.requestRate, {
      status: 400,
      body: JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error at char 12',
      }),
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /^Prometheus query at http:\/\/prometheus\.test:9090\/api\/v1\/query failed \(HTTP 400, bad_data\): parse error at char 12 — query: sum by \(job\) \(rate\(http_requests_total/,
    );
  });

  it('names a non-JSON answer with an excerpt', async () => {
    answers.set(queries.requestRate, {
      status: 502,
      body: '<html>\n  <h1>502 Bad Gateway</h1>\n</html>',
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /answered HTTP 502 with a non-JSON body: <html> <h1>502 Bad Gateway<\/h1> <\/html>$/,
    );
  });

  it('rejects a non-vector result', async () => {
    answers.set(queries.requestRate, {
      status: 200,
      body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /without a vector result/,
    );
  });

  it('computes the window from rate_window and validates the settings', async () => {
    const five = buildPrometheusQueries('job', '5m', ['cart'], ['5']);
    answers.set(five.requestRate, { status: 200, body: vector([['cart', '1']]) });
    const snapshot = await source({ rate_window: '5m' }).collect(['cart']);
    expect(snapshot.samples[0]?.window_s).toBe(300);
    expect(() => source({ service_label: 'job) or vector(1' })).toThrow(
      'integrations.metrics.prometheus.service_label: "job) or vector(1" is not a Prometheus label name',
    );
    expect(() => source({ rate_window: '1 minute' })).toThrow(/must be a PromQL duration like 1m/);
  });

  it('sends no query for no services', async () => {
    expect(await source().collect([])).toEqual({
      at: '2025-03-01T10:00:00.000Z',
      samples: [],
      missing: [],
    });
    expect(seen).toEqual([]);
  });

  it('parses Prometheus value strings', () => {
    expect(parsePromValue('NaN')).toBeNull();
    expect(parsePromValue('+Inf')).toBe(Infinity);
    expect(parsePromValue('-Inf')).toBe(-Infinity);
    expect(parsePromValue('1.5e-3')).toBe(0.0015);
    expect(parsePromValue('')).toBeNull();
  });
});
