import { errorMessage } from '@opscrew/contracts';
import { type RuntimeTarget } from '@opscrew/sandbox';
import type Dockerode from 'dockerode';
import {
  type DockerApi,
  type DockerContainerApi,
  DockerRuntimeDriver,
} from './docker.runtime-driver';
import { RuntimeDriverError } from './runtime-driver.error';

const CART: RuntimeTarget = {
  service: 'cart',
  runtime_name: 'cart',
  protected: false,
  restartable: true,
};

function info(
  id: string,
  name: string,
  labels: Record<string, string> = {},
): Dockerode.ContainerInfo {
  return { Id: id, Names: [`/${name}`], Labels: labels } as unknown as Dockerode.ContainerInfo;
}

function inspectInfo(overrides: {
  tty?: boolean;
  running?: boolean;
  exitCode?: number;
  health?: string;
  startedAt?: string;
  memory?: number;
}): Dockerode.ContainerInspectInfo {
  return {
    Id: 'c0ffee',
    Name: '/opscrew-cart-1',
    RestartCount: 2,
    Config: { Tty: overrides.tty ?? false },
    HostConfig: { Memory: overrides.memory ?? 0 },
    State: {
      Status: overrides.running === false ? 'exited' : 'running',
      Running: overrides.running ?? true,
      Restarting: false,
      OOMKilled: false,
      ExitCode: overrides.exitCode ?? 0,
      StartedAt: overrides.startedAt ?? '2026-11-24T10:00:00.123Z',
      ...(overrides.health ? { Health: { Status: overrides.health } } : {}),
    },
  } as unknown as Dockerode.ContainerInspectInfo;
}

class FakeDocker implements DockerApi {
  readonly listCalls: { label?: string[]; name?: string[] }[] = [];
  readonly containerCalls: { id: string; op: string; options: unknown }[] = [];
  byLabel: Dockerode.ContainerInfo[] = [];
  byName: Dockerode.ContainerInfo[] = [];
  inspected = inspectInfo({});
  logsBody: unknown = Buffer.alloc(0);
  listError: Error | null = null;

  listContainers(options: { all: boolean; filters: { label?: string[]; name?: string[] } }) {
    this.listCalls.push(options.filters);
    if (this.listError) return Promise.reject(this.listError);
    return Promise.resolve(options.filters.label ? this.byLabel : this.byName);
  }

  getContainer(id: string): DockerContainerApi {
    const record = (op: string, options: unknown) => this.containerCalls.push({ id, op, options });
    return {
      inspect: (options) => {
        record('inspect', options);
        return Promise.resolve(this.inspected);
      },
      restart: (options) => {
        record('restart', { t: options.t });
        this.inspected = inspectInfo({ startedAt: '2026-11-24T10:05:00.000Z' });
        return Promise.resolve(undefined);
      },
      logs: (options) => {
        record('logs', { ...options, abortSignal: undefined });
        return Promise.resolve(this.logsBody as Buffer);
      },
    };
  }
}

function driver(docker: FakeDocker, compose_project?: string): DockerRuntimeDriver {
  return new DockerRuntimeDriver({
    socket_path: '/run/test-docker.sock',
    stop_timeout_s: 3,
    docker,
    ...(compose_project ? { compose_project } : {}),
  });
}

describe('DockerRuntimeDriver', () => {
  it('finds the container by compose service and project labels', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('c0ffee', 'opscrew-cart-1')];
    await driver(docker, 'opscrew').inspect(CART);
    expect(docker.listCalls).toEqual([
      { label: ['com.docker.compose.service=cart', 'com.docker.compose.project=opscrew'] },
    ]);
    expect(docker.containerCalls[0]).toMatchObject({ id: 'c0ffee', op: 'inspect' });
  });

  it('falls back to the exact container name, ignoring substring matches', async () => {
    const docker = new FakeDocker();
    docker.byName = [info('other', 'cart-old'), info('right', 'cart')];
    await driver(docker).inspect(CART);
    expect(docker.listCalls).toEqual([
      { label: ['com.docker.compose.service=cart'] },
      { name: ['cart'] },
    ]);
    expect(docker.containerCalls[0]?.id).toBe('right');
  });

  it('ignores one-off `compose run` containers', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [
      info('oneoff', 'opscrew_cart_run_1', { 'com.docker.compose.oneoff': 'True' }),
      info('svc', 'opscrew-cart-1', { 'com.docker.compose.oneoff': 'False' }),
    ];
    await driver(docker).restart(CART);
    expect(docker.containerCalls.map((c) => [c.id, c.op])).toEqual([
      ['svc', 'restart'],
      ['svc', 'inspect'],
    ]);
  });

  it('names the labels and the name it tried when nothing matches', async () => {
    const docker = new FakeDocker();
    docker.byName = [info('x', 'cart-2')];
    const err = await driver(docker, 'shop')
      .inspect(CART)
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(RuntimeDriverError);
    expect((err as RuntimeDriverError).code).toBe('not_found');
    expect(errorMessage(err)).toBe(
      'no container for service cart: tried labels com.docker.compose.service=cart, com.docker.compose.project=shop and container name "cart" (daemon at /run/test-docker.sock)',
    );
  });

  it('refuses to pick one of several replicas', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('a', 'shop-cart-1'), info('b', 'shop-cart-2')];
    await expect(driver(docker).restart(CART)).rejects.toThrow(
      /2 containers match labels com.docker.compose.service=cart \(shop-cart-1, shop-cart-2\)/,
    );
    expect(docker.containerCalls).toEqual([]);
  });

  it('names the socket when the daemon is unreachable', async () => {
    const docker = new FakeDocker();
    docker.listError = Object.assign(new Error('connect ENOENT /run/test-docker.sock'), {
      code: 'ENOENT',
    });
    const err = await driver(docker)
      .inspect(CART)
      .catch((e: unknown) => e);
    expect((err as RuntimeDriverError).code).toBe('unreachable');
    expect(errorMessage(err)).toMatch(
      /^Docker daemon unreachable at unix:\/\/\/run\/test-docker.sock \(ENOENT\) during list containers of cart/,
    );
  });

  it('restarts with the configured stop timeout and reports the new StartedAt', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('c0ffee', 'opscrew-cart-1')];
    const result = await driver(docker).restart(CART);
    expect(docker.containerCalls[0]).toEqual({ id: 'c0ffee', op: 'restart', options: { t: 3 } });
    expect(result).toEqual({ started_at: '2026-11-24T10:05:00.000Z' });
  });

  it('maps inspect: state, health, exit code, restart count, memory limit', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('c0ffee', 'opscrew-cart-1')];
    docker.inspected = inspectInfo({ health: 'unhealthy', memory: 256 * 1024 * 1024 });
    expect(await driver(docker).inspect(CART)).toEqual({
      service: 'cart',
      id: 'c0ffee',
      name: 'opscrew-cart-1',
      running: true,
      status: 'running',
      oom_killed: false,
      exit_code: null,
      health: 'unhealthy',
      started_at: '2026-11-24T10:00:00.123Z',
      restart_count: 2,
      memory_limit_bytes: 268435456,
    });
    docker.inspected = inspectInfo({
      running: false,
      exitCode: 137,
      startedAt: '0001-01-01T00:00:00Z',
    });
    expect(await driver(docker).inspect(CART)).toMatchObject({
      running: false,
      status: 'exited',
      exit_code: 137,
      health: 'none',
      started_at: null,
    });
  });

  it('reads logs with stdout, stderr, tail and no follow, and demultiplexes them', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('c0ffee', 'opscrew-cart-1')];
    const header = (type: number, n: number) => Buffer.from([type, 0, 0, 0, 0, 0, 0, n]);
    docker.logsBody = Buffer.concat([
      header(1, 3),
      Buffer.from('up\n'),
      header(2, 5),
      Buffer.from('boom\n'),
    ]);
    const logs = await driver(docker).logs(CART, 50);
    expect(docker.containerCalls.find((c) => c.op === 'logs')?.options).toEqual({
      stdout: true,
      stderr: true,
      tail: 50,
      follow: false,
      timestamps: false,
      abortSignal: undefined,
    });
    expect(logs).toEqual({
      service: 'cart',
      lines: [
        { stream: 'stdout', text: 'up' },
        { stream: 'stderr', text: 'boom' },
      ],
    });
  });

  it('reads a TTY container log as raw text, even when docker-modem parsed it as JSON', async () => {
    const docker = new FakeDocker();
    docker.byLabel = [info('c0ffee', 'opscrew-cart-1')];
    docker.inspected = inspectInfo({ tty: true });
    docker.logsBody = 42;
    expect((await driver(docker).logs(CART, 10)).lines).toEqual([{ stream: 'stdout', text: '42' }]);
  });
});
