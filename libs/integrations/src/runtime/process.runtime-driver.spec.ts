import { type RuntimeTarget } from '@opscrew/sandbox';
import { stubFetch, type StubReply } from '../testing/stub-fetch';
import { ProcessRuntimeDriver } from './process.runtime-driver';
import { type ProcessInspection } from './process/supervisor-control.contract';
import { RuntimeDriverError } from './runtime-driver.error';

const CART: RuntimeTarget = {
  service: 'cart',
  runtime_name: 'shop-cart',
  protected: false,
  restartable: true,
};

const RUNNING: ProcessInspection = {
  name: 'shop-cart',
  pid: 4242,
  running: true,
  status: 'running',
  started_at: '2026-11-24T10:00:00.000Z',
  restart_count: 1,
  exit_code: null,
  signal: null,
  rss_bytes: 50_000_000,
  health: 'healthy',
};

function driver(replies: StubReply[]) {
  const stub = stubFetch(replies);
  const d = new ProcessRuntimeDriver({
    base_url: 'http://127.0.0.1:7190/',
    token: 'control-token-0123456789',
    fetch: stub.fetch,
    read_timeout_ms: 200,
  });
  return { driver: d, calls: stub.calls };
}

async function failure(promise: Promise<unknown>): Promise<RuntimeDriverError> {
  const err = await promise.catch((e: unknown) => e);
  expect(err).toBeInstanceOf(RuntimeDriverError);
  return err as RuntimeDriverError;
}

describe('ProcessRuntimeDriver', () => {
  it('inspects with the bearer token and maps the supervisor answer', async () => {
    const { driver: d, calls } = driver([{ status: 200, body: RUNNING }]);
    expect(await d.inspect(CART)).toEqual({
      service: 'cart',
      id: '4242',
      name: 'shop-cart',
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      health: 'healthy',
      started_at: '2026-11-24T10:00:00.000Z',
      restart_count: 1,
      memory_bytes: 50_000_000,
    });
    expect(calls).toEqual([
      expect.objectContaining({
        url: 'http://127.0.0.1:7190/processes/shop-cart',
        method: 'GET',
        headers: expect.objectContaining({ authorization: 'Bearer control-token-0123456789' }),
      }),
    ]);
  });

  it('passes on the process’s soft memory limit when the supervisor reports one', async () => {
    const limit = 192 * 1024 * 1024;
    const { driver: d } = driver([
      { status: 200, body: { ...RUNNING, memory_limit_bytes: limit } },
    ]);
    expect(await d.inspect(CART)).toMatchObject({
      memory_bytes: 50_000_000,
      memory_limit_bytes: limit,
    });
  });

  it('reports exit 137 as is, a signal death as 128 + signal, and never OOMKilled', async () => {
    const exited = { ...RUNNING, running: false, status: 'exited', pid: null, rss_bytes: null };
    const { driver: d } = driver([
      { status: 200, body: { ...exited, exit_code: 137 } },
      { status: 200, body: { ...exited, exit_code: null, signal: 'SIGKILL' } },
      { status: 200, body: { ...exited, exit_code: null, signal: 'SIGTERM' } },
    ]);
    expect(await d.inspect(CART)).toMatchObject({ exit_code: 137, oom_killed: false, id: '' });
    expect(await d.inspect(CART)).toMatchObject({ exit_code: 137, oom_killed: false });
    expect(await d.inspect(CART)).toMatchObject({ exit_code: 143 });
  });

  it('reads logs with the tail and restarts with POST', async () => {
    const { driver: d, calls } = driver([
      {
        status: 200,
        body: { name: 'shop-cart', lines: [{ stream: 'stderr', text: 'boom', at: 'x' }] },
      },
      {
        status: 200,
        body: {
          name: 'shop-cart',
          pid: 5,
          started_at: '2026-11-24T10:01:00.000Z',
          restart_count: 2,
        },
      },
    ]);
    expect(await d.logs(CART, 20)).toEqual({
      service: 'cart',
      lines: [{ stream: 'stderr', text: 'boom' }],
    });
    expect(await d.restart(CART)).toEqual({ started_at: '2026-11-24T10:01:00.000Z' });
    expect(calls.map((c) => `${c.method} ${c.url}`)).toEqual([
      'GET http://127.0.0.1:7190/processes/shop-cart/logs?tail=20',
      'POST http://127.0.0.1:7190/processes/shop-cart/restart',
    ]);
  });

  it('says the token was refused on 401', async () => {
    const { driver: d } = driver([
      { status: 401, body: { error: 'missing or wrong bearer token' } },
    ]);
    const err = await failure(d.restart(CART));
    expect(err.code).toBe('unauthorized');
    expect(err.message).toBe(
      'process supervisor at http://127.0.0.1:7190 refused the control token (HTTP 401)',
    );
  });

  it('names the process and the supervisor on 404', async () => {
    const { driver: d } = driver([{ status: 404, body: { error: 'no such process' } }]);
    const err = await failure(d.inspect(CART));
    expect(err.code).toBe('not_found');
    expect(err.message).toBe(
      'no supervised process "shop-cart" for service cart at http://127.0.0.1:7190',
    );
  });

  it('names the URL when the supervisor is unreachable or slow', async () => {
    const refused = Object.assign(new TypeError('fetch failed'), {
      cause: { code: 'ECONNREFUSED' },
    });
    const { driver: d } = driver([{ error: refused }, { hang: true }]);
    const unreachable = await failure(d.inspect(CART));
    expect(unreachable.code).toBe('unreachable');
    expect(unreachable.message).toBe(
      'process supervisor unreachable at http://127.0.0.1:7190 (ECONNREFUSED): fetch failed',
    );
    const slow = await failure(d.inspect(CART));
    expect(slow.code).toBe('timeout');
    expect(slow.message).toMatch(/did not answer GET shop-cart within 200 ms/);
  });

  it('passes the supervisor error text on other failures', async () => {
    const { driver: d } = driver([{ status: 500, body: { error: 'spawn failed' } }]);
    const err = await failure(d.restart(CART));
    expect(err.code).toBe('failed');
    expect(err.message).toMatch(/POST shop-cart\/restart failed with HTTP 500: spawn failed/);
  });
});
