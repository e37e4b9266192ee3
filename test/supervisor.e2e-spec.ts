import { AGENT_NAMES, type AgentName } from '@opscrew/contracts';
import { type CrewProcess, CrewTestEnvironment, getJson, waitFor } from './support/crew-harness';

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** `opscrew start all`: four children under one supervisor that restarts one only when atlas asks. */
describe('opscrew start all (e2e)', () => {
  let env: CrewTestEnvironment;
  let supervisor: CrewProcess;

  beforeAll(async () => {
    env = await CrewTestEnvironment.create('e2e-supervisor');
    supervisor = env.spawn('supervisor', ['start', 'all']);
  });

  afterAll(() => env?.dispose());

  it('runs the four agents, restarts a killed one when atlas asks, and stops them all on SIGTERM', async () => {
    const pids = new Map<AgentName, number>();
    for (const agent of AGENT_NAMES) {
      const health = await waitFor(
        `${agent} healthy`,
        async () => {
          const response = await getJson<{ pid: number }>(env.url(agent, '/health'));
          return response.status === 200 ? response.body : undefined;
        },
        30_000,
      );
      pids.set(agent, health.pid);
    }
    expect(new Set(pids.values()).size).toBe(4);
    expect([...pids.values()]).not.toContain(supervisor.pid);

    const victim = pids.get('jira-resolver') ?? 0;
    process.kill(victim, 'SIGKILL');
    await waitFor('the crash in the supervisor log', () =>
      supervisor.logs.includes(
        'jira-resolver exited unexpectedly (signal SIGKILL); not restarting it',
      ),
    );
    // atlas decides (heartbeat aged out, liveness.on_stale notify_and_restart), the supervisor
    // executes on its control endpoint: a new jira-resolver answers, the others are untouched.
    await waitFor("the restart on atlas's request in the supervisor log", () =>
      supervisor.logs.includes("restarted jira-resolver on atlas's request"),
    );
    const restarted = await waitFor(
      'jira-resolver healthy again',
      async () => {
        const response = await getJson<{ pid: number }>(env.url('jira-resolver', '/health')).catch(
          () => undefined,
        );
        return response?.status === 200 ? response.body : undefined;
      },
      30_000,
    );
    expect(restarted.pid).not.toBe(victim);
    expect(alive(restarted.pid)).toBe(true);
    pids.set('jira-resolver', restarted.pid);
    for (const agent of ['atlas', 'ops-monitor', 'demo-controller'] as const) {
      expect(alive(pids.get(agent) ?? 0)).toBe(true);
    }
    expect(supervisor.running).toBe(true);

    supervisor.child.kill('SIGTERM');
    const exit = await supervisor.exited();
    expect(exit.code).toBe(0);
    for (const pid of pids.values()) expect(alive(pid)).toBe(false);
  });
});
