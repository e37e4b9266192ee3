import { mkdtempSync, rmSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DockerAgentRuntime } from './docker.agent-runtime';

interface FakeContainer {
  Id: string;
  Names: string[];
  Labels: Record<string, string>;
  pid: number;
}

/**
 * A fake Docker Engine API on a unix socket: the three calls the adapter may make (list,
 * inspect, restart), and a log of every request so a test sees nothing else was asked.
 */
class FakeDockerd {
  readonly requests: string[] = [];
  readonly containers: FakeContainer[] = [];
  restartStatus = 204;
  private server: Server | null = null;
  private nextPid = 5000;

  async listen(socketPath: string): Promise<void> {
    this.server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://docker');
      this.requests.push(`${request.method} ${url.pathname}`);
      const json = (status: number, body: unknown): void => {
        response.writeHead(status, { 'Content-Type': 'application/json' });
        response.end(JSON.stringify(body));
      };
      const path = url.pathname.replace(/^\/v[\d.]+/, '');
      if (request.method === 'GET' && path === '/containers/json') {
        const filters = JSON.parse(url.searchParams.get('filters') ?? '{}') as {
          label?: string[];
        };
        const wanted = filters.label ?? [];
        return json(
          200,
          this.containers.filter((c) =>
            wanted.every((label) => {
              const [key = '', value] = label.split('=');
              return c.Labels[key] === value;
            }),
          ),
        );
      }
      const match = /^\/containers\/([^/]+)\/(json|restart)$/.exec(path);
      const container = this.containers.find((c) => c.Id === match?.[1]);
      if (!match || !container) return json(404, { message: 'no such container' });
      if (request.method === 'GET' && match[2] === 'json') {
        return json(200, { Id: container.Id, State: { Pid: container.pid, Running: true } });
      }
      if (request.method === 'POST' && match[2] === 'restart') {
        if (this.restartStatus !== 204) return json(this.restartStatus, { message: 'boom' });
        container.pid = this.nextPid++;
        response.writeHead(204);
        return response.end();
      }
      return json(405, { message: 'not allowed' });
    });
    const server = this.server;
    await new Promise<void>((resolve) => server.listen(socketPath, resolve));
  }

  close(): Promise<void> {
    const server = this.server;
    return new Promise((resolve) => (server ? server.close(() => resolve()) : resolve()));
  }
}

describe('DockerAgentRuntime (fake Docker Engine API on a unix socket)', () => {
  let dir: string;
  let socketPath: string;
  let dockerd: FakeDockerd;

  beforeEach(async () => {
    dir = mkdtempSync(join(tmpdir(), 'opscrew-dockerd-'));
    socketPath = join(dir, 'docker.sock');
    dockerd = new FakeDockerd();
    dockerd.containers.push(
      {
        Id: 'c-ops',
        Names: ['/opscrew-ops-monitor-1'],
        Labels: { 'opscrew.agent': 'ops-monitor', 'com.docker.compose.project': 'opscrew' },
        pid: 4121,
      },
      // The shop's cart: a compose container without the agent label; never touched.
      {
        Id: 'c-cart',
        Names: ['/opscrew-cart'],
        Labels: {
          'com.docker.compose.service': 'ops-monitor',
          'com.docker.compose.project': 'opscrew',
        },
        pid: 3000,
      },
    );
    await dockerd.listen(socketPath);
  });

  afterEach(async () => {
    await dockerd.close();
    rmSync(dir, { recursive: true, force: true });
  });

  const runtime = (compose_project?: string) =>
    new DockerAgentRuntime({
      socket_path: socketPath,
      stop_timeout_s: 10,
      ...(compose_project ? { compose_project } : {}),
    });

  it('restarts the container labelled opscrew.agent=<agent>: list, inspect, restart, inspect — nothing else', async () => {
    const outcome = await runtime('opscrew').restart('ops-monitor');
    expect(outcome).toEqual({
      status: 'restarted',
      runtime: 'docker',
      old_pid: 4121,
      new_pid: 5000,
      detail: 'container opscrew-ops-monitor-1 restarted (pid 4121 → 5000)',
    });
    expect(dockerd.requests.map((line) => line.replace(/\/v[\d.]+\//, '/'))).toEqual([
      'GET /containers/json',
      'GET /containers/c-ops/json',
      'POST /containers/c-ops/restart',
      'GET /containers/c-ops/json',
    ]);
    expect(dockerd.containers.find((c) => c.Id === 'c-cart')?.pid).toBe(3000);
  });

  it('an agent without a labelled container (or in another compose project) fails, touching nothing', async () => {
    expect(await runtime().restart('jira-resolver')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('no container labelled opscrew.agent=jira-resolver'),
    });
    expect(await runtime('other-stack').restart('ops-monitor')).toMatchObject({ status: 'failed' });
    expect(dockerd.requests.every((line) => line.startsWith('GET '))).toBe(true);
  });

  it('refuses two matching containers rather than guessing', async () => {
    dockerd.containers.push({
      Id: 'c-ops-2',
      Names: ['/opscrew-ops-monitor-2'],
      Labels: { 'opscrew.agent': 'ops-monitor' },
      pid: 4122,
    });
    expect(await runtime().restart('ops-monitor')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('2 containers labelled'),
    });
    expect(dockerd.requests.some((line) => line.startsWith('POST'))).toBe(false);
  });

  it("never restarts atlas, and reports the daemon's error or absence as a failed outcome", async () => {
    expect(await runtime().restart('atlas')).toMatchObject({ status: 'unsupported' });
    expect(dockerd.requests).toEqual([]);
    dockerd.restartStatus = 500;
    expect(await runtime().restart('ops-monitor')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('boom'),
    });
    const missing = new DockerAgentRuntime({
      socket_path: join(dir, 'absent.sock'),
      stop_timeout_s: 10,
    });
    expect(await missing.restart('ops-monitor')).toMatchObject({
      status: 'failed',
      detail: expect.stringContaining('absent.sock'),
    });
  });
});
