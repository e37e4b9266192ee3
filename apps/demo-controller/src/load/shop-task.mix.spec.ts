import { seededRandom } from '@opscrew/testing';
import { BuiltinLoadDriver, type LoadHttpRequest, type LoadHttpSend } from '@opscrew/integrations';
import { ManualScheduler } from '@opscrew/integrations/testing';
import { SHOP_LOAD_MIX, SHOP_TASKS, SHOP_THINK_TIME_MS } from './shop-task.mix';

interface Harness {
  driver: BuiltinLoadDriver;
  clock: ManualScheduler;
  sent: LoadHttpRequest[];
}

function harness(
  options: { status?: (request: LoadHttpRequest) => number; latencyMs?: number } = {},
): Harness {
  const clock = new ManualScheduler();
  const sent: LoadHttpRequest[] = [];
  const send: LoadHttpSend = (request) => {
    sent.push(request);
    const status = options.status?.(request) ?? 200;
    if (options.latencyMs === undefined)
      return Promise.resolve({ status, setCookies: ['session=abc; Path=/'] });
    return new Promise((resolve) => {
      clock.after(options.latencyMs ?? 0, () => resolve({ status, setCookies: [] }));
    });
  };
  const driver = new BuiltinLoadDriver({
    ...SHOP_LOAD_MIX,
    scheduler: clock,
    send,
    random: seededRandom(42),
  });
  return { driver, clock, sent };
}

describe('the shop mix on the built-in load driver', () => {
  it('runs the locustfile mix: home 5, product 10, add-to-cart 3, view-cart 2, checkout 1', async () => {
    const { driver, clock, sent } = harness();
    await driver.start({ users: 50, spawn_rate: 50, host: 'http://127.0.0.1:7100' });
    // 50 users × 10 min at 1.25 s mean think time ≈ 24,000 tasks.
    await clock.advance(600_000);
    await driver.stop();
    const counts = driver.taskCounts();
    const total = [...counts.values()].reduce((a, b) => a + b, 0);
    expect(total).toBeGreaterThan(20_000);
    const weights = SHOP_TASKS.reduce((sum, task) => sum + task.weight, 0);
    for (const task of SHOP_TASKS) {
      const share = (counts.get(task.name) ?? 0) / total;
      expect(Math.abs(share - task.weight / weights)).toBeLessThan(0.01);
    }
    // Checkout adds an item first, then checks out; product pages carry a catalogue id.
    expect(sent.some((r) => r.method === 'POST' && r.url.pathname === '/checkout')).toBe(true);
    expect(sent.find((r) => r.url.pathname.startsWith('/product/'))?.url.pathname).toMatch(
      /^\/product\/[0-9A-Z]{10}$/,
    );
    expect(sent.find((r) => r.url.pathname === '/')?.url.search).toMatch(/^\?currency=[A-Z]{3}$/);
    const checkout = sent.find((r) => r.url.pathname === '/checkout');
    expect(JSON.parse(checkout?.body ?? '{}')).toMatchObject({
      email: expect.stringMatching(/@example\.com$/),
      currency: expect.any(String),
      address: expect.any(Object),
    });
    const cart = sent.find((r) => r.method === 'POST' && r.url.pathname === '/cart');
    expect(cart?.headers['content-type']).toBe('application/json');
    expect(JSON.parse(cart?.body ?? '{}')).toEqual({
      product_id: expect.any(String),
      quantity: expect.any(Number),
    });
  });

  it('waits the think time (0.5–2 s) between two tasks of a user', async () => {
    const { driver, clock, sent } = harness();
    await driver.start({ users: 1, spawn_rate: 1, host: 'http://127.0.0.1:7100' });
    await clock.advance(SHOP_THINK_TIME_MS.min - 1);
    const first = sent.length;
    expect(first).toBeGreaterThanOrEqual(1);
    await clock.advance(SHOP_THINK_TIME_MS.max - SHOP_THINK_TIME_MS.min + 2);
    expect(sent.length).toBeGreaterThan(first);
    await driver.stop();
  });

  it('keeps a user session: cookies set by the shop are sent back', async () => {
    const { driver, clock, sent } = harness();
    await driver.start({ users: 1, spawn_rate: 1, host: 'http://127.0.0.1:7100' });
    await clock.advance(5_000);
    await driver.stop();
    expect(sent[0]?.headers['cookie']).toBeUndefined();
    expect(sent[1]?.headers['cookie']).toBe('session=abc');
  });

  it('counts failures (status ≥ 400 or no answer) and measures latency percentiles', async () => {
    const { driver, clock } = harness({
      latencyMs: 40,
      status: (request) => (request.url.pathname === '/' ? 503 : 200),
    });
    await driver.start({ users: 20, spawn_rate: 20, host: 'http://127.0.0.1:7100' });
    await clock.advance(60_000);
    const stats = await driver.stats();
    expect(stats.requests).toBeGreaterThan(500);
    // Home is 5 of 21 weighted tasks, but checkout sends two requests: about 22 % of requests.
    expect(stats.fail_ratio).toBeGreaterThan(0.15);
    expect(stats.fail_ratio).toBeLessThan(0.3);
    expect(stats.failures).toBe(Math.round(stats.fail_ratio * stats.requests));
    expect(stats).toMatchObject({ p50_ms: 40, p95_ms: 40, p99_ms: 40 });
    // 20 users, one request per ~1.3 s (40 ms + 1.25 s mean think) ≈ 15–17 rps.
    expect(stats.rps).toBeGreaterThan(12);
    expect(stats.rps).toBeLessThan(20);
    await driver.reset();
    expect(await driver.stats()).toMatchObject({
      requests: 0,
      failures: 0,
      fail_ratio: 0,
      p95_ms: 0,
    });
    await driver.stop();
  });
});
