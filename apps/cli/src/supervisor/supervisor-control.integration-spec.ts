import { request } from 'node:http';
import { networkInterfaces } from 'node:os';
import { type SupervisorControl } from '@opscrew/config';
import pino from 'pino';
import { SupervisorAgentRuntime } from '../../../atlas/src/lifecycle/supervisor.agent-runtime';
import { AgentSupervisor, type SupervisedAgent } from './agent-supervisor';
import { SupervisorControlServer } from './supervisor-control.server';

/** Real child processes standing in for agents: idle Node processes, one ignoring SIGTERM. */
const IDLE = ['-e', 'setInterval(() => {}, 1000)'];
const STUBBORN = ['-e', 'process.on("SIGTERM", () => {}); setInterval(() => {}, 1000)'];

function child(agent: SupervisedAgent['agent'], args: string[]): SupervisedAgent {
  return { agent, command: process.execPath, args, env: { PATH: '' } };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function post(
  control: SupervisorControl,
  path: string,
  token: string | null = control.token,
  method = 'POST',
): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await fetch(`${control.url}${path}`, {
    method,
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('supervisor control endpoint (real child processes)', () => {
  let supervisor: AgentSupervisor;
  let server: SupervisorControlServer;
  let control: SupervisorControl;

  beforeAll(async () => {
    supervisor = new AgentSupervisor(
      [child('atlas', IDLE), child('ops-monitor', IDLE), child('demo-controller', STUBBORN)],
      pino({ level: 'silent' }),
      { stopGraceMs: 500 },
    );
    supervisor.start();
    server = new SupervisorControlServer(supervisor);
    control = await server.start();
  });

  afterAll(async () => {
    await server.stop();
    await supervisor.stop();
  });

  it('listens on 127.0.0.1 only', async () => {
    expect(control.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const port = Number(new URL(control.url).port);
    const external = Object.values(networkInterfaces())
      .flat()
      .find((info) => info !== undefined && info.family === 'IPv4' && !info.internal);
    if (external === undefined) return; // no other interface on this machine to try
    const refused = await new Promise<string>((resolve) => {
      const req = request({ host: external.address, port, method: 'POST', path: '/' }, () =>
        resolve('answered'),
      );
      req.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
      req.end();
    });
    expect(refused).toBe('ECONNREFUSED');
  });

  it('restarts a child: SIGTERM by PID, a new process in its place', async () => {
    const before = supervisor.pids()['ops-monitor'];
    expect(before).toBeDefined();
    const { status, body } = await post(control, '/agents/ops-monitor/restart');
    expect(status).toBe(200);
    expect(body).toEqual({ agent: 'ops-monitor', old_pid: before, new_pid: expect.any(Number) });
    expect(body.new_pid).not.toBe(before);
    expect(alive(before ?? 0)).toBe(false);
    expect(alive(body.new_pid as number)).toBe(true);
    expect(supervisor.pids()['ops-monitor']).toBe(body.new_pid);
  });

  it('restarts a child that was killed with SIGKILL (what atlas sees as a stale agent)', async () => {
    const before = supervisor.pids()['ops-monitor'] ?? 0;
    process.kill(before, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(before)).toBe(false);
    const { status, body } = await post(control, '/agents/ops-monitor/restart');
    expect(status).toBe(200);
    expect(body).toMatchObject({ old_pid: before });
    expect(alive(body.new_pid as number)).toBe(true);
  });

  it('SIGKILLs a child that ignores SIGTERM after the grace period', async () => {
    const before = supervisor.pids()['demo-controller'] ?? 0;
    const { status, body } = await post(control, '/agents/demo-controller/restart');
    expect(status).toBe(200);
    expect(alive(before)).toBe(false);
    expect(body.new_pid).not.toBe(before);
  });

  it('401 without the token or with a wrong one; nothing is restarted', async () => {
    const before = supervisor.pids()['ops-monitor'];
    expect((await post(control, '/agents/ops-monitor/restart', null)).status).toBe(401);
    expect((await post(control, '/agents/ops-monitor/restart', 'wrong')).status).toBe(401);
    expect((await post(control, '/agents/ops-monitor/restart', `${control.token}x`)).status).toBe(
      401,
    );
    expect(supervisor.pids()['ops-monitor']).toBe(before);
  });

  it('404 for an agent it does not run or does not know; 403 for atlas itself', async () => {
    expect((await post(control, '/agents/jira-resolver/restart')).status).toBe(404);
    expect((await post(control, '/agents/supervisor/restart')).status).toBe(404);
    expect((await post(control, '/agents/..%2F..%2Fetc/restart')).status).toBe(404);
    const atlasPid = supervisor.pids().atlas;
    const refused = await post(control, '/agents/atlas/restart');
    expect(refused.status).toBe(403);
    expect(supervisor.pids().atlas).toBe(atlasPid);
  });

  it('POST only, on one route only', async () => {
    expect((await post(control, '/agents/ops-monitor/restart', control.token, 'GET')).status).toBe(
      405,
    );
    expect((await post(control, '/agents', control.token)).status).toBe(404);
  });

  it("atlas's supervisor adapter restarts through it, PIDs and all", async () => {
    const before = supervisor.pids()['ops-monitor'];
    const outcome = await new SupervisorAgentRuntime(control).restart('ops-monitor');
    expect(outcome).toMatchObject({ status: 'restarted', runtime: 'supervisor', old_pid: before });
    const wrongToken = await new SupervisorAgentRuntime({ ...control, token: 'nope' }).restart(
      'ops-monitor',
    );
    expect(wrongToken).toMatchObject({ status: 'failed', detail: expect.stringContaining('401') });
    expect(await new SupervisorAgentRuntime(undefined).restart('ops-monitor')).toMatchObject({
      status: 'unsupported',
    });
    expect(await new SupervisorAgentRuntime(control).restart('atlas')).toMatchObject({
      status: 'unsupported',
      detail: 'atlas never restarts itself',
    });
  });
});

describe('supervisor with two replicas per agent (real child processes)', () => {
  let supervisor: AgentSupervisor;
  let server: SupervisorControlServer;
  let control: SupervisorControl;

  beforeAll(async () => {
    const replica = (index: number): SupervisedAgent => ({
      ...child('jira-resolver', IDLE),
      replica: `jira-resolver-${index}`,
    });
    supervisor = new AgentSupervisor([replica(1), replica(2)], pino({ level: 'silent' }), {
      stopGraceMs: 500,
    });
    supervisor.start();
    server = new SupervisorControlServer(supervisor);
    control = await server.start();
  });

  afterAll(async () => {
    await server.stop();
    await supervisor.stop();
  });

  it('knows each process by its replica id; one killed by PID leaves the other running', async () => {
    const pids = supervisor.pids();
    const first = pids['jira-resolver-1'] ?? 0;
    const second = pids['jira-resolver-2'] ?? 0;
    expect(first).toBeGreaterThan(0);
    expect(second).toBeGreaterThan(0);
    expect(first).not.toBe(second);
    process.kill(first, 'SIGKILL');
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(alive(first)).toBe(false);
    expect(alive(second)).toBe(true);
  });

  it('a restart by agent restarts every replica of it', async () => {
    const before = supervisor.pids();
    const { status, body } = await post(control, '/agents/jira-resolver/restart');
    expect(status).toBe(200);
    expect(body).toMatchObject({ agent: 'jira-resolver', old_pid: before['jira-resolver-1'] });
    const after = supervisor.pids();
    for (const id of ['jira-resolver-1', 'jira-resolver-2']) {
      expect(after[id]).not.toBe(before[id]);
      expect(alive(after[id] ?? 0)).toBe(true);
    }
    expect(alive(before['jira-resolver-2'] ?? 0)).toBe(false);
  });
});
