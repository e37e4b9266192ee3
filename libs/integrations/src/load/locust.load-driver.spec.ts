import { errorMessage } from '@opscrew/contracts';
import { type HttpFetch } from '../metrics/metrics-http';
import { LoadDriverError } from './load-driver.port';
import { parseLocustStats } from './locust-stats.parser';
import { LocustLoadDriver } from './locust.load-driver';
import { isLoopbackHostname, requireLoopbackUrl } from './loopback-url';

/** `GET /stats/requests` of Debian's Locust 2.12.1, captured on this kind of machine. */
const LOCUST_2_12 = {
  current_response_time_percentile_50: 2,
  current_response_time_percentile_95: 3,
  errors: [],
  fail_ratio: 0.0,
  state: 'running',
  stats: [
    {
      avg_content_length: 2.0,
      avg_response_time: 2.4,
      current_fail_per_sec: 0.0,
      current_rps: 18.5,
      max_response_time: 5.0,
      median_response_time: 2,
      method: 'GET',
      min_response_time: 1.0,
      name: '/',
      ninetieth_response_time: 3,
      ninety_ninth_response_time: 5,
      num_failures: 0,
      num_requests: 132,
      safe_name: '/',
    },
    {
      avg_content_length: 2.0,
      avg_response_time: 2.4,
      current_fail_per_sec: 0.0,
      current_rps: 18.5,
      max_response_time: 5.0,
      median_response_time: 2,
      method: '',
      min_response_time: 1.0,
      name: 'Aggregated',
      ninetieth_response_time: 3,
      ninety_ninth_response_time: 5,
      num_failures: 0,
      num_requests: 132,
      safe_name: 'Aggregated',
    },
  ],
  total_rps: 18.5,
  user_count: 5,
};

/** The shape of Locust 2.2x: percentile keys named by quantile, a current-percentiles object. */
const LOCUST_2_2X = {
  state: 'spawning',
  user_count: 40,
  total_rps: 120.5,
  total_fail_per_sec: 6.2,
  fail_ratio: 0.05,
  current_response_time_percentiles: {
    'response_time_percentile_0.5': 30,
    'response_time_percentile_0.95': 180,
  },
  errors: [{ method: 'GET', name: '/cart', error: '500', occurrences: 50 }],
  stats: [
    {
      name: 'Aggregated',
      method: '',
      num_requests: 1000,
      num_failures: 50,
      current_rps: 120.5,
      median_response_time: 28,
      'response_time_percentile_0.95': 170,
      'response_time_percentile_0.99': 420,
    },
  ],
};

describe('parseLocustStats', () => {
  it('reads Locust 2.12 (Debian): aggregated percentiles since reset, current p95', () => {
    expect(parseLocustStats(LOCUST_2_12)).toEqual({
      state: 'running',
      users: 5,
      rps: 18.5,
      fail_ratio: 0,
      p50_ms: 2,
      p95_ms: 3,
      p99_ms: 5,
      requests: 132,
      failures: 0,
    });
  });

  it('reads Locust 2.2x: response_time_percentile_0.99 and friends', () => {
    expect(parseLocustStats(LOCUST_2_2X)).toEqual({
      state: 'spawning',
      users: 40,
      rps: 120.5,
      fail_ratio: 0.05,
      p50_ms: 28,
      p95_ms: 170,
      p99_ms: 420,
      requests: 1000,
      failures: 50,
    });
  });

  it('reads the ~2.15 shape (current percentiles 1 and 2) and a runner that is not there yet', () => {
    const middle = {
      state: 'cleanup',
      user_count: 0,
      total_rps: 0,
      fail_ratio: 0,
      current_response_time_percentile_1: 12,
      current_response_time_percentile_2: 90,
      stats: [{ name: 'Aggregated', num_requests: 10, num_failures: 1 }],
    };
    expect(parseLocustStats(middle)).toMatchObject({
      state: 'stopping',
      p50_ms: 12,
      p95_ms: 90,
      requests: 10,
    });
    expect(parseLocustStats(middle).p99_ms).toBeUndefined();
    const missing = {
      stats: [],
      errors: [],
      total_rps: 0.0,
      fail_ratio: 0.0,
      current_response_time_percentile_95: null,
      current_response_time_percentile_50: null,
      state: 'missing',
      user_count: 0,
    };
    expect(parseLocustStats(missing)).toEqual({
      state: 'ready',
      users: 0,
      rps: 0,
      fail_ratio: 0,
      p50_ms: 0,
      p95_ms: 0,
      requests: 0,
      failures: 0,
    });
  });

  it('refuses an answer that is not Locust stats', () => {
    expect(() => parseLocustStats({ status: 'ok' })).toThrow(
      /\/stats\/requests answered without a "stats" array/,
    );
  });
});

interface Call {
  url: string;
  method: string;
  body: string | undefined;
}

function scripted(replies: ((call: Call) => Response | Error)[]): {
  fetch: HttpFetch;
  calls: Call[];
} {
  const calls: Call[] = [];
  const fetch: HttpFetch = (url, init) => {
    const call = {
      url,
      method: init.method ?? 'GET',
      body: typeof init.body === 'string' ? init.body : undefined,
    };
    calls.push(call);
    const reply = replies[Math.min(calls.length - 1, replies.length - 1)];
    const result = reply ? reply(call) : new Error('no reply');
    return result instanceof Error ? Promise.reject(result) : Promise.resolve(result);
  };
  return { fetch, calls };
}

const json = (body: unknown, status = 200): Response =>
  new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
const refused = (): Error =>
  Object.assign(new TypeError('fetch failed'), {
    cause: Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8089'), {
      code: 'ECONNREFUSED',
    }),
  });

describe('LocustLoadDriver', () => {
  it('swarms with user_count, spawn_rate (both: Locust 2.12 answers 500 without either), host and run_time', async () => {
    const { fetch, calls } = scripted([
      () => json({ success: true, message: 'Swarming started', host: 'http://127.0.0.1:7100' }),
      () => json(LOCUST_2_12),
      () => new Response('ok'),
      () => json({ success: true, message: 'Test stopped' }),
    ]);
    const driver = new LocustLoadDriver({
      api_url: 'http://127.0.0.1:8089',
      timeout_ms: 1000,
      fetch,
    });
    await driver.start({
      users: 200,
      spawn_rate: 50,
      host: 'http://127.0.0.1:7100',
      run_time_s: 180.2,
    });
    expect(calls[0]).toEqual({
      url: 'http://127.0.0.1:8089/swarm',
      method: 'POST',
      body: 'user_count=200&spawn_rate=50&host=http%3A%2F%2F127.0.0.1%3A7100&run_time=181s',
    });
    expect((await driver.stats()).requests).toBe(132);
    await driver.reset();
    await driver.stop();
    expect(calls.map((c) => `${c.method} ${new URL(c.url).pathname}`)).toEqual([
      'POST /swarm',
      'GET /stats/requests',
      'GET /stats/reset',
      'GET /stop',
    ]);
  });

  it('says what went wrong: a 500 with its page, a refused swarm, Locust down', async () => {
    const page =
      '<!doctype html><html><title>500 Internal Server Error</title><h1>Internal Server Error</h1></html>';
    const failing = scripted([() => new Response(page, { status: 500 })]);
    const driver = new LocustLoadDriver({
      api_url: 'http://127.0.0.1:8089',
      timeout_ms: 1000,
      fetch: failing.fetch,
    });
    await expect(
      driver.start({ users: 1, spawn_rate: 1, host: 'http://127.0.0.1:7100' }),
    ).rejects.toThrow(
      'locust: POST http://127.0.0.1:8089/swarm answered 500: 500 Internal Server Error Internal Server Error',
    );
    const refusedSwarm = scripted([
      () => json({ success: false, message: 'Cannot swarm while stopping' }),
    ]);
    await expect(
      new LocustLoadDriver({
        api_url: 'http://127.0.0.1:8089',
        timeout_ms: 1000,
        fetch: refusedSwarm.fetch,
      }).start({
        users: 1,
        spawn_rate: 1,
        host: 'http://127.0.0.1:7100',
      }),
    ).rejects.toThrow(/refused the swarm: Cannot swarm while stopping/);
    const down = scripted([() => refused()]);
    const error = await new LocustLoadDriver({
      api_url: 'http://127.0.0.1:8089',
      timeout_ms: 1000,
      fetch: down.fetch,
    })
      .stats()
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(LoadDriverError);
    expect(errorMessage(error)).toMatch(
      /^locust: not reachable at http:\/\/127\.0\.0\.1:8089 \(.*ECONNREFUSED.*\); start it \(locust -f <locustfile>/,
    );
    const notOk = scripted([() => new Response('nope')]);
    await expect(
      new LocustLoadDriver({
        api_url: 'http://127.0.0.1:8089',
        timeout_ms: 1000,
        fetch: notOk.fetch,
      }).reset(),
    ).rejects.toThrow('answered "nope" instead of "ok"');
  });

  it('starts Locust once when it is down and allowed to, and stops it on close', async () => {
    let up = false;
    const { fetch } = scripted([() => (up ? json(LOCUST_2_12) : refused())]);
    const stop = jest.fn(() => Promise.resolve());
    const launch = jest.fn(() => {
      up = true;
      return Promise.resolve({ stop });
    });
    const driver = new LocustLoadDriver({
      api_url: 'http://127.0.0.1:8089',
      timeout_ms: 1000,
      fetch,
      launch,
    });
    expect((await driver.stats()).users).toBe(5);
    expect((await driver.stats()).users).toBe(5);
    expect(launch).toHaveBeenCalledTimes(1);
    await driver.close();
    expect(stop).toHaveBeenCalledTimes(1);
  });
});

describe('loopback URLs', () => {
  it.each([
    ['127.0.0.1', true],
    ['127.3.4.5', true],
    ['localhost', true],
    ['[::1]', true],
    ['::ffff:127.0.0.1', true],
    ['10.0.0.1', false],
    ['128.0.0.1', false],
    ['example.com', false],
    ['localhost.example.com', false],
    ['::ffff:10.0.0.1', false],
  ])('%s is loopback: %s', (host, expected) => {
    expect(isLoopbackHostname(host)).toBe(expected);
  });

  it('names what was refused', () => {
    expect(requireLoopbackUrl('http://127.0.0.1:7100/metrics', 'x').origin).toBe(
      'http://127.0.0.1:7100',
    );
    expect(() => requireLoopbackUrl('http://shop.example.com/', 'fault target cart')).toThrow(
      'fault target cart: shop.example.com is not a loopback address (127.0.0.0/8, ::1, localhost): load and faults never leave this machine',
    );
    expect(() => requireLoopbackUrl('nope', 'x')).toThrow('x: not an absolute URL: "nope"');
  });
});
