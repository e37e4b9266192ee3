import { FaultBoard } from '../faults/fault.board';
import { MemoryGuard } from '../faults/memory.guard';
import { LatencySampler } from '../runtime/latency.sampler';
import { ServiceLog } from '../runtime/service.log';
import { type ShopService } from '../services/service.definition';
import { ConcurrencyLimiter } from './concurrency.limiter';
import { ControlToken } from './control-token';
import { DependencyError } from './dependency.client';
import { HttpError, ok } from './http-reply';
import { ServiceServer } from './service.server';
import { ShopMetrics } from './shop.metrics';

const TOKEN = 'test-token-0123456789abcdef';
const MiB = 1024 * 1024;

const SERVICE: ShopService = {
  routes: [
    {
      method: 'GET',
      pattern: '/items/:id',
      handle: ({ params }) => Promise.resolve(ok({ id: params['id'] })),
    },
    { method: 'POST', pattern: '/items', handle: async ({ body }) => ok(await body()) },
    {
      method: 'GET',
      pattern: '/broken',
      handle: () => Promise.reject(new HttpError(500, 'storage down')),
    },
    {
      method: 'GET',
      pattern: '/upstream',
      handle: () =>
        Promise.reject(new DependencyError('cart', 'timeout', 'cart did not answer in time')),
    },
  ],
};

describe('ServiceServer', () => {
  let server: ServiceServer;
  let base: string;
  let rss: number;
  let lines: string[];
  let faults: FaultBoard;
  let memory: MemoryGuard;

  const start = async (
    options: { concurrency?: number; queue?: number; medianMs?: number } = {},
  ) => {
    rss = 50 * MiB;
    lines = [];
    const log = new ServiceLog('web', (_level, line) => lines.push(line));
    const limiter = new ConcurrencyLimiter({
      concurrency: options.concurrency ?? 4,
      queue: options.queue ?? 4,
      queueTimeoutMs: 1_000,
    });
    // The leak's own background growth (every 125 ms) is left out: on a loaded machine two
    // requests can take longer than a tick, and these tests count what requests retain.
    faults = new FaultBoard(Date.now, (_tick, ms) => setInterval(() => undefined, ms));
    memory = new MemoryGuard(100 * MiB, log, () => rss);
    server = new ServiceServer({
      name: 'web',
      service: SERVICE,
      limiter,
      latency: new LatencySampler(options.medianMs ?? 0),
      faults,
      memory,
      metrics: new ShopMetrics(() => ({ inFlight: limiter.inFlight, queued: limiter.queued })),
      log,
      token: new ControlToken(TOKEN),
    });
    base = `http://127.0.0.1:${await server.listen('127.0.0.1', 0)}`;
  };
  const get = async (path: string, init: RequestInit = {}) => {
    const response = await fetch(`${base}${path}`, init);
    const text = await response.text();
    return { status: response.status, text, json: () => JSON.parse(text) as unknown };
  };
  const auth = { authorization: `Bearer ${TOKEN}` };

  afterEach(async () => {
    memory.stop();
    await server.close();
  });

  it('counts requests by route pattern and status; scrapes, health and faults are not traffic', async () => {
    await start();
    for (const id of ['a', 'b', 'c']) expect((await get(`/items/${id}?x=${id}`)).status).toBe(200);
    expect((await get('/broken')).status).toBe(500);
    expect((await get('/upstream')).status).toBe(504);
    expect((await get('/nowhere/at/all')).status).toBe(404);
    expect((await get('/items/a', { method: 'DELETE' })).status).toBe(405);
    await get('/health');
    await get('/faults', { headers: auth });
    const metrics = (await get('/metrics')).text;
    const count = (labels: string): string | undefined =>
      new RegExp(`^http_requests_total\\{${labels}\\} (\\d+)$`, 'm').exec(metrics)?.[1];
    expect(count('method="GET",route="/items/:id",status_code="200"')).toBe('3');
    expect(count('method="GET",route="/broken",status_code="500"')).toBe('1');
    expect(count('method="GET",route="/upstream",status_code="504"')).toBe('1');
    expect(count('method="GET",route="unmatched",status_code="404"')).toBe('1');
    expect(count('method="DELETE",route="/items/:id",status_code="405"')).toBe('1');
    expect(metrics).not.toMatch(/route="\/(health|metrics|faults)/);
    expect(metrics).toMatch(
      /^http_request_duration_seconds_bucket\{le="30",method="GET",route="\/items\/:id",status_code="200"\} 3$/m,
    );
    expect(metrics).toMatch(/^process_resident_memory_bytes /m);
    expect(metrics).toMatch(/^shop_queued_requests 0$/m);
    expect(lines.join('\n')).toMatch(/ERROR web: GET \/broken -> 500: storage down/);
    expect(lines.join('\n')).toMatch(
      /ERROR web: GET \/upstream -> 504: cart did not answer in time/,
    );
  });

  it('reads JSON bodies', async () => {
    await start();
    const answer = await get('/items', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ product_id: 'X' }),
    });
    expect(answer.json()).toEqual({ product_id: 'X' });
    const bad = await get('/items', { method: 'POST', body: '{nope' });
    expect(bad.status).toBe(400);
  });

  it('refuses a request beyond workers and queue with 503', async () => {
    await start({ concurrency: 1, queue: 0, medianMs: 250 });
    const statuses = await Promise.all([get('/items/a'), get('/items/b'), get('/items/c')]);
    expect(statuses.map((s) => s.status).sort()).toEqual([200, 503, 503]);
    expect(lines.join('\n')).toMatch(
      /WARN web: GET \/items\/:id -> 503: overloaded: 1 requests in progress and 0 queued/,
    );
  });

  it('answers 503 "memory exhausted" and fails /health past the soft memory limit', async () => {
    await start();
    expect((await get('/health')).json()).toEqual({ status: 'ok', service: 'web' });
    rss = 120 * MiB;
    memory.sample();
    const refused = await get('/items/a');
    expect(refused.status).toBe(503);
    expect(refused.json()).toEqual({
      error: expect.stringMatching(/^memory exhausted: rss 120 MiB/),
    });
    const health = await get('/health');
    expect(health.status).toBe(503);
    expect(health.json()).toMatchObject({
      status: 'unhealthy',
      reasons: [expect.stringContaining('memory exhausted')],
    });
  });

  it('guards /faults with the bearer token', async () => {
    await start();
    expect((await get('/faults/memory_leak', { method: 'POST' })).status).toBe(401);
    expect(
      (
        await get('/faults/memory_leak', {
          method: 'POST',
          headers: { authorization: 'Bearer wrong' },
        })
      ).status,
    ).toBe(401);
    expect((await get('/faults', { method: 'DELETE' })).status).toBe(401);
    expect(faults.armed()).toEqual([]);
  });

  it('arms, reports and clears faults; a leak retains memory per request', async () => {
    await start();
    const armed = await get('/faults/memory_leak', { method: 'POST', headers: auth });
    expect(armed.json()).toMatchObject({ service: 'web', armed: ['memory_leak'] });
    await get('/items/a');
    await get('/items/b');
    expect(faults.snapshot().memory_leak).toMatchObject({ retained_entries: 2, scan_delay_ms: 10 });
    expect((await get('/faults/latency_creep', { method: 'POST', headers: auth })).status).toBe(
      200,
    );
    expect((await get('/faults/cpu_spike', { method: 'POST', headers: auth })).status).toBe(404);
    expect((await get('/faults/latency_creep', { headers: auth })).status).toBe(405);
    const cleared = await get('/faults', { method: 'DELETE', headers: auth });
    expect(cleared.json()).toMatchObject({
      armed: [],
      faults: { memory_leak: { retained_bytes: 0 } },
    });
    expect(lines.join('\n')).toMatch(
      /WARN web: fault injected: memory_leak[\s\S]*INFO web: faults cleared: memory_leak, latency_creep/,
    );
  });
});
