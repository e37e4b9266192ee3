import { freePorts, parsePrometheusText } from '@opscrew/integrations';
import { eventually, jestTimeout } from '@opscrew/testing';
import { randomBytes } from 'node:crypto';
import {
  copyFileSync,
  mkdtempSync,
  readFileSync,
  renameSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type RunningShop, startShop } from './shop.launcher';
import { type ProcessInspection } from './supervisor/supervisor-control.contract';
import { SHOP_SERVICE_NAMES, type ShopServiceName } from './shop-service.profiles';
import { buildShopForTest, type ShopTestBuild } from './testing/shop-build';

// The project-level testTimeout is not applied to this project by Jest 30: set it here.
jest.setTimeout(jestTimeout(120_000));

const FIXTURES = join(__dirname, 'flags', 'fixtures');
const TOKEN = randomBytes(24).toString('hex');
/** A lower soft limit for recommendation so the leak test needs ~70 requests, not ~140. */
const RECOMMENDATION_LIMIT_BYTES = 128 * 1024 * 1024;

interface Answer {
  status: number;
  body: unknown;
  ms: number;
}

describe('demo shop (nine real processes under the supervisor)', () => {
  let build: ShopTestBuild;
  let shop: RunningShop;
  let flagDir: string;
  let flagFile: string;
  let endpoints: Record<ShopServiceName, string>;
  let cookie = '';

  const url = (service: ShopServiceName, path: string): string => `${endpoints[service]}${path}`;

  /** One request; the frontend's session cookie is kept like a browser would. */
  const call = async (
    target: string,
    init: { method?: string; body?: unknown; token?: string | null } = {},
  ): Promise<Answer> => {
    const started = performance.now();
    const headers: Record<string, string> = {};
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    if (cookie !== '') headers['cookie'] = cookie;
    if (init.token !== undefined && init.token !== null) {
      headers['authorization'] = `Bearer ${init.token}`;
    }
    const response = await fetch(target, {
      method: init.method ?? 'GET',
      headers,
      ...(init.body === undefined ? {} : { body: JSON.stringify(init.body) }),
    });
    const setCookie = response.headers.get('set-cookie');
    if (setCookie !== null) cookie = setCookie.split(';')[0] ?? '';
    const text = await response.text();
    return {
      status: response.status,
      body: text === '' ? null : (JSON.parse(text) as unknown),
      ms: performance.now() - started,
    };
  };
  const control = (path: string, method = 'GET'): Promise<Answer> =>
    call(`${shop.controlUrl}${path}`, { method, token: TOKEN });
  const logs = async (service: ShopServiceName): Promise<string[]> => {
    const answer = await control(`/processes/${service}/logs?tail=500`);
    return (answer.body as { lines: { text: string }[] }).lines.map((l) => l.text);
  };
  /** Counter samples of one service by label set. */
  const requestSeries = async (service: ShopServiceName) => {
    const response = await fetch(url(service, '/metrics'));
    const exposition = parsePrometheusText(await response.text());
    return exposition.samples.filter((s) => s.name === 'http_requests_total');
  };
  const writeFlags = (fixture: string, changes: Record<string, string> = {}): void => {
    const file = JSON.parse(readFileSync(join(FIXTURES, fixture), 'utf8')) as {
      flags: Record<string, { defaultVariant: string }>;
    };
    for (const [name, variant] of Object.entries(changes)) {
      const flag = file.flags[name];
      if (flag === undefined) throw new Error(`${fixture} has no flag ${name}`);
      flag.defaultVariant = variant;
    }
    // Atomically, as demo-controller writes it: a temp file in the same folder, then rename.
    const temp = `${flagFile}.tmp`;
    writeFileSync(temp, JSON.stringify(file, null, 2));
    renameSync(temp, flagFile);
  };
  const restart = async (service: ShopServiceName): Promise<number> => {
    const answer = await control(`/processes/${service}/restart`, 'POST');
    expect(answer.status).toBe(200);
    await eventually(async () => {
      try {
        return (await call(url(service, '/health'))).status > 0;
      } catch {
        return false;
      }
    }, 10_000);
    return (answer.body as { pid: number }).pid;
  };

  beforeAll(async () => {
    build = buildShopForTest();
    flagDir = mkdtempSync(join(tmpdir(), 'opscrew-shop-flags-'));
    flagFile = join(flagDir, 'demo.flagd.json');
    copyFileSync(join(FIXTURES, 'otel-demo-3.0.flagd.json'), flagFile);
    const ports = await freePorts(SHOP_SERVICE_NAMES.length);
    endpoints = Object.fromEntries(
      SHOP_SERVICE_NAMES.map((name, i) => [name, `http://127.0.0.1:${ports[i] ?? 0}`]),
    ) as Record<ShopServiceName, string>;
    shop = await startShop({
      endpoints,
      control: { host: '127.0.0.1', port: 0, token: TOKEN },
      flagFile,
      serviceEntry: build.entry,
      memoryLimitBytes: { recommendation: RECOMMENDATION_LIMIT_BYTES },
      stopGraceMs: 2_000,
    });
  });

  afterAll(async () => {
    await shop?.stop();
    build?.remove();
    if (flagDir !== undefined) rmSync(flagDir, { recursive: true, force: true });
  });

  it('starts every service as its own process, each answering /health', async () => {
    const list = await control('/processes');
    const processes = (list.body as { processes: { name: string; running: boolean }[] }).processes;
    expect(processes.map((p) => p.name).sort()).toEqual([...SHOP_SERVICE_NAMES].sort());
    expect(processes.every((p) => p.running)).toBe(true);
    expect(new Set(shop.pids()).size).toBe(SHOP_SERVICE_NAMES.length);
    for (const name of SHOP_SERVICE_NAMES) {
      expect(await call(url(name, '/health'))).toMatchObject({ status: 200 });
    }
    const inspection = (await control('/processes/cart')).body as ProcessInspection;
    expect(inspection).toMatchObject({ health: 'healthy', memory_limit_bytes: 192 * 1024 * 1024 });
    expect(inspection.rss_bytes).toBeLessThan(inspection.memory_limit_bytes ?? 0);
  });

  it('serves pages through the frontend and counts them by route pattern in /metrics', async () => {
    const ids = ['OLJCESPC7Z', '66VCHSJNUP', 'L9ECAV7KIM', '2ZYFJ3GM2N', 'HQTGWGPNH4'];
    expect((await call(url('frontend', '/'))).status).toBe(200);
    for (const id of [...ids, ...ids]) {
      expect((await call(url('frontend', `/product/${id}`))).status).toBe(200);
    }
    expect(
      (
        await call(url('frontend', '/cart'), {
          method: 'POST',
          body: { product_id: ids[1], quantity: 2 },
        })
      ).status,
    ).toBe(200);
    const cart = await call(url('frontend', '/cart'));
    expect(cart).toMatchObject({
      status: 200,
      body: { items: [{ product_id: ids[1], quantity: 2 }] },
    });
    const order = await call(url('frontend', '/checkout'), { method: 'POST', body: {} });
    expect(order).toMatchObject({ status: 200, body: { total: { currency_code: 'USD' } } });
    expect((await call(url('frontend', '/product/NOSUCHITEM'))).status).toBe(404);

    const frontend = await requestSeries('frontend');
    const count = (route: string, status: string): number =>
      frontend
        .filter((s) => s.labels['route'] === route && s.labels['status_code'] === status)
        .reduce((sum, s) => sum + s.value, 0);
    expect(count('/product/:id', '200')).toBe(10);
    expect(count('/product/:id', '404')).toBe(1);
    expect(count('/', '200')).toBeGreaterThanOrEqual(1);
    expect(count('/checkout', '200')).toBe(1);
    // Route patterns only: no product id, session id or query string ever becomes a label.
    for (const sample of frontend) {
      expect(sample.labels['route']).toMatch(/^(\/|\/product\/:id|\/cart|\/checkout|unmatched)$/);
    }
    const metricsText = await (await fetch(url('frontend', '/metrics'))).text();
    expect(metricsText).toContain(
      'http_request_duration_seconds_count{method="GET",route="/product/:id",status_code="200"} 10',
    );
    expect(metricsText).toMatch(/^process_resident_memory_bytes \d+/m);
    expect(metricsText).toMatch(/^process_cpu_seconds_total \d/m);

    const catalogRoutes = new Set(
      (await requestSeries('product-catalog')).map((s) => s.labels['route']),
    );
    expect(catalogRoutes).toEqual(new Set(['/products', '/products/:id']));
    const cartRoutes = new Set((await requestSeries('cart')).map((s) => s.labels['route']));
    expect(cartRoutes).toEqual(new Set(['/cart/:userId', '/cart/:userId/items']));
    const payment = await requestSeries('payment');
    expect(payment).toEqual([
      expect.objectContaining({
        labels: { method: 'POST', route: '/charge', status_code: '200' },
        value: 1,
      }),
    ]);
  });

  it('cartFailure fails cart and the frontend pages that need it; a restart does not cure it', async () => {
    writeFlags('otel-demo-3.0.flagd.json', { cartFailure: '100%' });
    const addToCart = () =>
      call(url('frontend', '/cart'), { method: 'POST', body: { product_id: 'L9ECAV7KIM' } });
    await eventually(async () => (await addToCart()).status === 502, 5_000);
    expect((await addToCart()).body).toEqual({
      error: expect.stringContaining("Can't access cart storage"),
    });
    expect((await call(url('frontend', '/cart'))).status).toBe(502);
    // Pages without the cart still work: the failure is the cart's, not the frontend's.
    expect((await call(url('frontend', '/product/L9ECAV7KIM'))).status).toBe(200);

    const cartErrors = (await requestSeries('cart')).filter(
      (s) => s.labels['status_code'] === '500',
    );
    expect(cartErrors.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThanOrEqual(2);
    const frontendErrors = (await requestSeries('frontend')).filter((s) =>
      s.labels['status_code']?.startsWith('5'),
    );
    expect(frontendErrors.map((s) => s.labels['route'])).toEqual(expect.arrayContaining(['/cart']));

    const before = (await control('/processes/cart')).body as ProcessInspection;
    const pid = await restart('cart');
    expect(pid).not.toBe(before.pid);
    // The flag is on disk: the new process reads it at start and fails like the old one.
    expect((await addToCart()).status).toBe(502);
    expect((await logs('cart')).join('\n')).toMatch(/flag cartFailure: off -> on \(1\)/);

    writeFlags('otel-demo-3.0.flagd.json');
    await eventually(async () => (await addToCart()).status === 200, 5_000);

    // The 1.x name is an alias: cartServiceFailure (a bool) fails every call the same way.
    writeFlags('otel-demo-1.12.flagd.json', { cartServiceFailure: 'on' });
    await eventually(async () => (await addToCart()).status === 502, 5_000);
    writeFlags('otel-demo-3.0.flagd.json');
    await eventually(async () => (await addToCart()).status === 200, 5_000);
  });

  it('paymentFailure fails checkout too, with payment named in its error', async () => {
    writeFlags('otel-demo-3.0.flagd.json', { paymentFailure: '100%' });
    // A shopper's checkout: something in the cart (a failed checkout keeps it), then pay.
    const checkout = async (): Promise<Answer> => {
      await call(url('frontend', '/cart'), { method: 'POST', body: { product_id: 'OLJCESPC7Z' } });
      return call(url('frontend', '/checkout'), { method: 'POST', body: {} });
    };
    await eventually(async () => (await checkout()).status === 502, 5_000);
    expect((await checkout()).body).toEqual({
      error: expect.stringMatching(/failed to charge card: payment answered 500 .*Invalid token/),
    });
    writeFlags('otel-demo-3.0.flagd.json');
    await eventually(async () => (await checkout()).status === 200, 5_000);
  });

  it('refuses fault injection without the control token (401)', async () => {
    const target = url('recommendation', '/faults/memory_leak');
    expect((await call(target, { method: 'POST' })).status).toBe(401);
    expect((await call(target, { method: 'POST', token: 'not-the-token-0123456789' })).status).toBe(
      401,
    );
    expect((await call(url('recommendation', '/faults'))).status).toBe(401);
    const state = await call(url('recommendation', '/faults'), { token: TOKEN });
    expect(state).toMatchObject({ status: 200, body: { armed: [] } });
  });

  it('memory_leak in recommendation: latency rises, then 503 "memory exhausted"; a restart clears it', async () => {
    const armed = await call(url('recommendation', '/faults/memory_leak'), {
      method: 'POST',
      token: TOKEN,
    });
    expect(armed).toMatchObject({ status: 200, body: { armed: ['memory_leak'] } });
    const target = url('recommendation', '/recommendations?product_ids=OLJCESPC7Z');
    const answers: Answer[] = [];
    const deadline = Date.now() + 60_000;
    // Eight shoppers at a time until the service runs out of memory.
    const shopper = async (): Promise<void> => {
      while (Date.now() < deadline && !answers.some((a) => a.status === 503)) {
        answers.push(await call(target));
      }
    };
    await Promise.all(Array.from({ length: 8 }, shopper));
    const exhausted = answers.find((a) => a.status === 503);
    expect(exhausted?.body).toEqual({ error: expect.stringContaining('memory exhausted') });
    const served = answers.filter((a) => a.status === 200).map((a) => a.ms);
    const median = (xs: number[]): number =>
      [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;
    const early = median(served.slice(0, 10));
    const late = median(served.slice(-10));
    expect(late).toBeGreaterThan(early + 100);

    const inspection = (await control('/processes/recommendation')).body as ProcessInspection;
    expect(inspection.memory_limit_bytes).toBe(RECOMMENDATION_LIMIT_BYTES);
    expect(inspection.rss_bytes).toBeGreaterThanOrEqual(RECOMMENDATION_LIMIT_BYTES * 0.9);
    expect(inspection.health).toBe('unhealthy');
    expect((await call(url('recommendation', '/health'))).status).toBe(503);
    expect((await logs('recommendation')).join('\n')).toContain('out of memory');
    const metrics = await requestSeries('recommendation');
    expect(metrics.some((s) => s.labels['status_code'] === '503' && s.value > 0)).toBe(true);

    await restart('recommendation');
    const after = await call(target);
    expect(after.status).toBe(200);
    expect(after.ms).toBeLessThan(500);
    expect(await call(url('recommendation', '/faults'), { token: TOKEN })).toMatchObject({
      body: { armed: [] },
    });
    const fresh = (await control('/processes/recommendation')).body as ProcessInspection;
    expect(fresh.health).toBe('healthy');
    expect(fresh.rss_bytes).toBeLessThan(RECOMMENDATION_LIMIT_BYTES * 0.75);
  });

  it('connection_pool_exhaustion: requests fail with "pool exhausted" in the log until cleared', async () => {
    const target = url('cart', '/cart/pool-test-user');
    expect(
      (
        await call(url('cart', '/faults/connection_pool_exhaustion'), {
          method: 'POST',
          token: TOKEN,
        })
      ).status,
    ).toBe(200);
    const statuses: number[] = [];
    for (let i = 0; i < 24; i++) statuses.push((await call(target)).status);
    // Ten connections, one lease in two leaked: the 21st request finds the pool empty.
    expect(statuses.slice(0, 20).every((s) => s === 200)).toBe(true);
    expect(statuses.slice(20)).toEqual([500, 500, 500, 500]);
    expect((await call(url('cart', '/health'))).status).toBe(503);
    expect((await logs('cart')).join('\n')).toContain(
      'Timeout acquiring connection: pool exhausted',
    );

    expect((await call(url('cart', '/faults'), { method: 'DELETE', token: TOKEN })).status).toBe(
      200,
    );
    expect((await call(target)).status).toBe(200);
  });

  it('latency_creep adds a delay that grows with time, until cleared', async () => {
    const target = url('currency', '/convert?from=USD&to=EUR&amount=10');
    const faults = url('currency', '/faults');
    expect((await call(`${faults}/latency_creep`, { method: 'POST', token: TOKEN })).status).toBe(
      200,
    );
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    const slow = await call(target);
    expect(slow.status).toBe(200);
    expect(slow.ms).toBeGreaterThanOrEqual(180);
    const state = await call(faults, { token: TOKEN });
    expect(state.body).toMatchObject({
      faults: { latency_creep: { armed: true, delay_ms: expect.any(Number) } },
    });
    await call(faults, { method: 'DELETE', token: TOKEN });
    const fast = await call(target);
    expect(fast.ms).toBeLessThan(slow.ms - 100);
  });

  it('stop() ends every process (no orphan PID) and frees every port', async () => {
    const pids = shop.pids();
    expect(pids).toHaveLength(SHOP_SERVICE_NAMES.length);
    await shop.stop();
    const alive = pids.filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch (error) {
        return (error as NodeJS.ErrnoException).code !== 'ESRCH';
      }
    });
    expect(alive).toEqual([]);
    for (const name of SHOP_SERVICE_NAMES) {
      await expect(fetch(url(name, '/health'))).rejects.toThrow();
    }
  });
});
