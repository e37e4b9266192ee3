import { type HttpFetch } from './metrics-http';
import { DEFAULT_REQUEST_STATUS, type RequestStatusConventions } from './request-status';
import {
  buildPrometheusQueries,
  parsePromValue,
  PrometheusMetricsSource,
} from './prometheus.metrics-source';

const URL_BASE = 'http://prometheus.test:9090';
const AT_S = 1_740_823_200.123;
const STATUS_LABELS = DEFAULT_REQUEST_STATUS.labels;

function vector(rows: [string, string][], label = 'job'): string {
  return labelledVector(rows.map(([service, value]) => [{ [label]: service }, value]));
}

function labelledVector(rows: [Record<string, string>, string][]): string {
  return JSON.stringify({
    status: 'success',
    data: {
      resultType: 'vector',
      result: rows.map(([metric, value]) => ({ metric, value: [AT_S, value] })),
    },
  });
}

describe('PrometheusMetricsSource', () => {
  const queries = buildPrometheusQueries('job', '1m', ['cart', 'ad', 'email'], STATUS_LABELS);
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
    requestStatus?: RequestStatusConventions,
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
      ...(requestStatus === undefined ? {} : { requestStatus }),
    });

  beforeEach(() => {
    seen = [];
    answers = new Map([
      [
        queries.requestRateByStatus,
        {
          status: 200,
          body: labelledVector([
            [{ job: 'cart', status_code: '200' }, '9'],
            [{ job: 'cart', status_code: '503' }, '1'],
            [{ job: 'ad', status_code: '200' }, '0'],
          ]),
        },
      ],
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
      requestRateByStatus:
        'sum by (job, status_code, code, status, http_status_code, http_response_status_code) (rate(http_requests_total{job=~"cart|ad|email"}[1m]))',
      latencyP99Seconds:
        'histogram_quantile(0.99, sum by (job, le) (rate(http_request_duration_seconds_bucket{job=~"cart|ad|email"}[1m])))',
      cpuCoreSecondsPerSecond:
        'sum by (job) (rate(process_cpu_seconds_total{job=~"cart|ad|email"}[1m]))',
    });
  });

  it('escapes service names into the regex and the string literal; the service label is grouped once', () => {
    expect(
      buildPrometheusQueries('service_name', '5m', ['a.b', 'c"d'], ['code', 'service_name'])
        .requestRateByStatus,
    ).toBe(
      'sum by (service_name, code) (rate(http_requests_total{service_name=~"a\\\\.b|c\\"d"}[5m]))',
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

  it.each(STATUS_LABELS)(
    'classifies errors labelled by %s (no 5xx series at all is 0 %%, not missing)',
    async (label) => {
      answers.set(queries.requestRateByStatus, {
        status: 200,
        body: labelledVector([
          [{ job: 'cart', [label]: '200' }, '8'],
          [{ job: 'cart', [label]: '500' }, '2'],
          [{ job: 'ad', [label]: '200' }, '4'],
        ]),
      });
      const snapshot = await source().collect(['cart', 'ad', 'email']);
      expect(snapshot.samples.map((s) => [s.service, s.error_rate_ratio, s.unmeasured])).toEqual([
        ['cart', 0.2, undefined],
        ['ad', 0, undefined],
      ]);
    },
  );

  it('traffic without any status label: request rate measured, errors missing (null + why), never 0', async () => {
    answers.set(queries.requestRateByStatus, {
      status: 200,
      body: labelledVector([[{ job: 'cart' }, '10']]),
    });
    const [sample] = (await source().collect(['cart', 'ad', 'email'])).samples;
    expect(sample).toMatchObject({
      request_rate_rps: 10,
      error_rate_ratio: null,
      latency_p99_ms: 250,
    });
    expect(sample?.unmeasured).toEqual([
      {
        metric: 'error_rate_ratio',
        reason:
          'no http_requests_total{job="cart"} series with a status label among status_code, code, status, http_status_code, http_response_status_code — errors cannot be measured',
      },
    ]);
  });

  it('traffic without a latency histogram: p99 missing (null + why); a NaN quantile is only quiet', async () => {
    answers.set(queries.latencyP99Seconds, { status: 200, body: vector([['ad', 'NaN']]) });
    answers.set(queries.requestRateByStatus, {
      status: 200,
      body: labelledVector([
        [{ job: 'cart', code: '200' }, '5'],
        [{ job: 'ad', code: '200' }, '5'],
      ]),
    });
    const snapshot = await source().collect(['cart', 'ad', 'email']);
    expect(snapshot.samples.map((s) => [s.service, s.latency_p99_ms, s.unmeasured])).toEqual([
      [
        'cart',
        null,
        [
          {
            metric: 'latency_p99_ms',
            reason:
              'no http_request_duration_seconds_bucket series with job="cart" in Prometheus — p99 cannot be measured',
          },
        ],
      ],
      ['ad', null, undefined],
    ]);
  });

  it('uses the configured labels and prefixes: the first label a series carries decides', async () => {
    const conventions = { labels: ['result', 'code'], error_prefixes: ['5', '429'] };
    const custom = buildPrometheusQueries('job', '1m', ['cart'], conventions.labels);
    expect(custom.requestRateByStatus).toBe(
      'sum by (job, result, code) (rate(http_requests_total{job=~"cart"}[1m]))',
    );
    answers.set(custom.requestRateByStatus, {
      status: 200,
      body: labelledVector([
        [{ job: 'cart', result: '200', code: '500' }, '6'],
        [{ job: 'cart', result: '429' }, '1'],
        [{ job: 'cart', code: '503' }, '1'],
        // No status: left out of the ratio (neither a failure nor a success).
        [{ job: 'cart' }, '12'],
      ]),
    });
    const [sample] = (await source({}, conventions).collect(['cart'])).samples;
    expect(sample?.request_rate_rps).toBe(20);
    expect(sample?.error_rate_ratio).toBe(0.25);
    expect(() => source({}, { labels: ['http.status_code'], error_prefixes: ['5'] })).toThrow(
      'integrations.metrics.request_status.labels: "http.status_code" is not a Prometheus label name',
    );
    expect(() => source({}, { labels: [], error_prefixes: ['5'] })).toThrow(
      'integrations.metrics.request_status.labels: must name at least one label',
    );
  });

  it('names an error body: status, errorType and error', async () => {
    answers.set(queries.requestRateByStatus, {
      status: 400,
      body: JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'parse error at char 12',
      }),
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /^Prometheus query at http:\/\/prometheus\.test:9090\/api\/v1\/query failed \(HTTP 400, bad_data\): parse error at char 12 — query: sum by \(job, status_code, code, status, http_status_code, http_response_status_code\) \(rate\(http_requests_total/,
    );
  });

  it('names a non-JSON answer with an excerpt', async () => {
    answers.set(queries.requestRateByStatus, {
      status: 502,
      body: '<html>\n  <h1>502 Bad Gateway</h1>\n</html>',
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /answered HTTP 502 with a non-JSON body: <html> <h1>502 Bad Gateway<\/h1> <\/html>$/,
    );
  });

  it('rejects a non-vector result', async () => {
    answers.set(queries.requestRateByStatus, {
      status: 200,
      body: JSON.stringify({ status: 'success', data: { resultType: 'matrix', result: [] } }),
    });
    await expect(source().collect(['cart', 'ad', 'email'])).rejects.toThrow(
      /without a vector result/,
    );
  });

  it('computes the window from rate_window and validates the settings', async () => {
    const five = buildPrometheusQueries('job', '5m', ['cart'], STATUS_LABELS);
    answers.set(five.requestRateByStatus, { status: 200, body: vector([['cart', '1']]) });
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
