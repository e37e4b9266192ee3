import { type HttpFetch } from './metrics-http';
import { epochMsToNanosString } from './metric-units';
import { parseSignozServicesBody, signozServiceToSample } from './signoz-services.mapper';
import { buildTraceSearchRequest, parseTraceSearchBody } from './signoz-traces.mapper';
import { NO_TRAFFIC_REASON, SignozMetricsSource } from './signoz.metrics-source';

const NOW = Date.parse('2025-03-01T10:00:00.000Z');
const BASE = 'http://signoz.test:8080';

/** Shaped exactly like SigNoz's documented `/api/v1/services` items (p99/avgDuration ns, errorRate %). */
const FRONTEND = {
  serviceName: 'frontend',
  p99: 600_000_000,
  avgDuration: 123_456_789.5,
  numCalls: 1200,
  callRate: 20,
  numErrors: 60,
  errorRate: 5,
  num4XX: 12,
  fourXXRate: 1,
};
const CART = {
  serviceName: 'cart',
  p99: 2_500_000,
  avgDuration: 1_000_000,
  numCalls: 300,
  callRate: 5,
  numErrors: 0,
  errorRate: 0,
  num4XX: 0,
  fourXXRate: 0,
};

interface Recorded {
  url: string;
  headers: Headers;
  body: unknown;
}

function fakeHttp(answer: (url: string) => { status: number; body: string }) {
  const requests: Recorded[] = [];
  const http: HttpFetch = (url, init) => {
    requests.push({
      url,
      headers: new Headers(init.headers),
      body: JSON.parse(init.body as string),
    });
    const { status, body } = answer(url);
    return Promise.resolve(new Response(body, { status }));
  };
  return { http, requests };
}

function source(http: HttpFetch, useV2 = true): SignozMetricsSource {
  return new SignozMetricsSource({
    config: { url: `${BASE}/`, api_key: 'secret-key', timeout_ms: 1000, use_v2_services: useV2 },
    http,
    now: () => NOW,
  });
}

describe('SignozMetricsSource.collect', () => {
  it('v2: posts ns-string start/end with the API key and converts ns → ms and % → ratio', async () => {
    const { http, requests } = fakeHttp(() => ({
      status: 200,
      body: JSON.stringify({ status: 'success', data: [FRONTEND, CART] }),
    }));
    const snapshot = await source(http).collect(['frontend', 'cart', 'ad']);

    expect(requests).toHaveLength(1);
    const [request] = requests;
    expect(request?.url).toBe(`${BASE}/api/v2/services`);
    expect(request?.headers.get('signoz-api-key')).toBe('secret-key');
    // The window ends 30 s ago (SigNoz would pull a fresher end back anyway) and lasts 60 s.
    expect(request?.body).toEqual({
      start: epochMsToNanosString(NOW - 90_000),
      end: epochMsToNanosString(NOW - 30_000),
      tags: [],
    });
    expect(request?.body).toEqual({
      start: '1740823110000000000',
      end: '1740823170000000000',
      tags: [],
    });

    expect(snapshot.samples).toEqual([
      {
        service: 'frontend',
        at: '2025-03-01T09:59:30.000Z',
        window_s: 60,
        request_rate_rps: 20,
        error_rate_ratio: 0.05,
        latency_p99_ms: 600,
      },
      {
        service: 'cart',
        at: '2025-03-01T09:59:30.000Z',
        window_s: 60,
        request_rate_rps: 5,
        error_rate_ratio: 0,
        latency_p99_ms: 2.5,
      },
    ]);
    expect(snapshot.missing).toEqual([{ service: 'ad', reason: NO_TRAFFIC_REASON }]);
  });

  it('v1: a bare array at /api/v1/services', async () => {
    const { http, requests } = fakeHttp(() => ({ status: 200, body: JSON.stringify([FRONTEND]) }));
    const snapshot = await source(http, false).collect(['frontend']);
    expect(requests[0]?.url).toBe(`${BASE}/api/v1/services`);
    expect(snapshot.samples[0]).toMatchObject({ latency_p99_ms: 600, error_rate_ratio: 0.05 });
  });

  it('null data (Go nil slice) means no service had traffic', async () => {
    const { http } = fakeHttp(() => ({ status: 200, body: '{"status":"success","data":null}' }));
    const snapshot = await source(http).collect(['frontend']);
    expect(snapshot.missing).toEqual([{ service: 'frontend', reason: NO_TRAFFIC_REASON }]);
  });

  it('a rejected API key says so, with SigNoz message', async () => {
    const { http } = fakeHttp(() => ({
      status: 401,
      body: JSON.stringify({
        status: 'error',
        error: {
          type: 'unauthenticated',
          code: 'invalid_api_key',
          message: 'API key is invalid',
          errors: [],
        },
      }),
    }));
    await expect(source(http).collect(['frontend'])).rejects.toThrow(
      `SigNoz ${BASE}/api/v2/services rejected the API key (HTTP 401): invalid_api_key: API key is invalid`,
    );
  });

  it('the older error shape {status, errorType, error}', async () => {
    const { http } = fakeHttp(() => ({
      status: 400,
      body: JSON.stringify({
        status: 'error',
        errorType: 'bad_data',
        error: 'start must be nanoseconds',
      }),
    }));
    await expect(source(http, false).collect(['frontend'])).rejects.toThrow(
      `SigNoz ${BASE}/api/v1/services answered HTTP 400: bad_data: start must be nanoseconds`,
    );
  });

  it('a non-JSON error page is quoted (at most 200 characters)', async () => {
    const { http } = fakeHttp(() => ({ status: 502, body: `<html>${'x'.repeat(500)}</html>` }));
    const error: unknown = await source(http)
      .collect(['frontend'])
      .catch((e: unknown) => e);
    const message = error instanceof Error ? error.message : '';
    expect(message).toMatch(
      new RegExp(`^SigNoz ${BASE}/api/v2/services answered HTTP 502: <html>x+…$`),
    );
    expect(message.length).toBeLessThan(
      `SigNoz ${BASE}/api/v2/services answered HTTP 502: `.length + 201,
    );
  });

  it('a 200 that is not the documented shape is an error naming what was wrong', async () => {
    const { http } = fakeHttp(() => ({
      status: 200,
      body: JSON.stringify({ status: 'success', data: [{ p99: 1 }] }),
    }));
    await expect(source(http).collect(['frontend'])).rejects.toThrow(
      `SigNoz ${BASE}/api/v2/services: unexpected answer (item 0 has no serviceName): {"status":"success","data":[{"p99":1}]}`,
    );
    const v1AsV2 = fakeHttp(() => ({ status: 200, body: JSON.stringify([FRONTEND]) }));
    await expect(source(v1AsV2.http).collect(['frontend'])).rejects.toThrow(
      /unexpected answer \(expected \{"status": "success", "data": \[\.\.\.\]\}\)/,
    );
  });
});

describe('SigNoz services mapping', () => {
  it('a service with no calls has no error ratio or p99', () => {
    const [idle] = parseSignozServicesBody(
      [{ ...CART, numCalls: 0, callRate: 0, p99: 0, errorRate: 0 }],
      'v1',
    );
    expect(idle && signozServiceToSample(idle, 'at', 60)).toMatchObject({
      request_rate_rps: 0,
      error_rate_ratio: null,
      latency_p99_ms: null,
    });
  });

  it('a non-numeric field is refused', () => {
    expect(() => parseSignozServicesBody([{ ...CART, p99: '2500000' }], 'v1')).toThrow(
      'item 0 (cart): p99 is not a number',
    );
  });

  it('v2 with status error is refused', () => {
    expect(() => parseSignozServicesBody({ status: 'error', data: [] }, 'v2')).toThrow(
      'status is "error", not "success"',
    );
  });
});

describe('SignozMetricsSource.searchTraces', () => {
  const rawAnswer = {
    status: 'success',
    data: {
      type: 'raw',
      data: {
        results: [
          {
            queryName: 'A',
            nextCursor: '',
            rows: [
              {
                timestamp: '2025-03-01T09:58:00.5Z',
                data: {
                  trace_id: 'a1',
                  name: 'POST /api/cart',
                  duration_nano: 1_250_000_000,
                  has_error: true,
                  'service.name': 'cart',
                },
              },
              // A second span of the same trace: one summary per trace.
              {
                timestamp: '2025-03-01T09:58:00.4Z',
                data: {
                  trace_id: 'a1',
                  name: 'redis GET',
                  duration_nano: 5_000_000,
                  has_error: false,
                },
              },
              {
                timestamp: '2025-03-01T09:57:00Z',
                data: {
                  traceID: 'b2',
                  name: 'GET /api/cart',
                  durationNano: '2000000',
                  hasError: false,
                },
              },
            ],
          },
        ],
      },
    },
    meta: { rowsScanned: 3, bytesScanned: 100, durationMs: 4 },
  };

  it('posts a raw traces query (filter by service, errors, min duration) and maps ns → ms', async () => {
    const { http, requests } = fakeHttp(() => ({ status: 200, body: JSON.stringify(rawAnswer) }));
    const traces = await source(http).searchTraces('cart', {
      errorsOnly: true,
      minDurationMs: 500,
      sinceMs: NOW - 15 * 60_000,
      limit: 20,
    });
    expect(requests[0]?.url).toBe(`${BASE}/api/v5/query_range`);
    expect(requests[0]?.headers.get('SIGNOZ-API-KEY')).toBe('secret-key');
    expect(requests[0]?.body).toMatchObject({
      schemaVersion: 'v1',
      start: NOW - 15 * 60_000,
      end: NOW,
      requestType: 'raw',
      compositeQuery: {
        queries: [
          {
            type: 'builder_query',
            spec: {
              signal: 'traces',
              filter: {
                expression:
                  "service.name = 'cart' AND has_error = true AND duration_nano >= 500000000",
              },
              limit: 20,
            },
          },
        ],
      },
    });
    expect(traces).toEqual([
      {
        trace_id: 'a1',
        service: 'cart',
        operation: 'POST /api/cart',
        duration_ms: 1250,
        has_error: true,
        at: '2025-03-01T09:58:00.500Z',
      },
      {
        trace_id: 'b2',
        service: 'cart',
        operation: 'GET /api/cart',
        duration_ms: 2,
        has_error: false,
        at: '2025-03-01T09:57:00.000Z',
      },
    ]);
  });

  it('a v5 error body is reported with its code and message', async () => {
    const { http } = fakeHttp(() => ({
      status: 400,
      body: JSON.stringify({
        status: 'error',
        error: {
          type: 'invalid_input',
          code: 'invalid_input',
          message: 'unknown field has_eror',
          errors: [],
        },
      }),
    }));
    await expect(
      source(http).searchTraces('cart', { sinceMs: NOW - 60_000, limit: 5 }),
    ).rejects.toThrow(
      `SigNoz ${BASE}/api/v5/query_range answered HTTP 400: invalid_input: unknown field has_eror`,
    );
  });

  it('quotes the service name in the filter and clamps the limit', () => {
    const body = buildTraceSearchRequest("o'brien", { sinceMs: NOW - 1000, limit: 1e9 }, NOW);
    expect(JSON.stringify(body)).toContain(`"expression":"service.name = 'o\\\\'brien'"`);
    expect(JSON.stringify(body)).toContain('"limit":1000');
  });

  it('sinceMs is an epoch timestamp, not a duration', () => {
    expect(() => buildTraceSearchRequest('cart', { sinceMs: 15 * 60_000, limit: 5 }, NOW)).toThrow(
      'searchTraces: sinceMs must be an epoch timestamp in ms, got 900000',
    );
    expect(() => buildTraceSearchRequest('cart', { sinceMs: NOW, limit: 5 }, NOW)).toThrow(
      /is not in the past/,
    );
  });

  it('no rows is an empty list; a non-raw answer is refused', () => {
    expect(
      parseTraceSearchBody(
        { status: 'success', data: { type: 'raw', data: { results: null } } },
        'x',
      ),
    ).toEqual([]);
    expect(() =>
      parseTraceSearchBody(
        { status: 'success', data: { type: 'time_series', data: { results: [] } } },
        'x',
      ),
    ).toThrow('data.type is "time_series", not "raw"');
  });
});
