import { eventually } from '@opscrew/testing';
import { LocalProcessSupervisor } from './local-process.supervisor';
import { freePort } from '@opscrew/integrations';
import { type ProcessInspection, type ProcessLogs } from './supervisor-control.contract';

const TOKEN = 'test-control-token-0123456789';
const NODE = process.execPath;

const WEB = `
  const http = require('http');
  http.createServer((q, s) => s.end('ok')).listen(Number(process.env.PORT), '127.0.0.1', () => {
    console.log('web up ' + process.pid);
    console.error('web warn');
  });
  process.on('SIGTERM', () => process.exit(0));
`;
const STUBBORN = `
  process.on('SIGTERM', () => console.log('ignoring SIGTERM'));
  console.log('stubborn up');
  setInterval(() => {}, 1000);
`;
const SPAMMER = `
  for (let i = 0; i < 50; i++) console.log('line ' + i);
  setInterval(() => {}, 1000);
`;
const CRASHER = `console.error('out of memory (simulated)'); process.exit(137);`;
const HAS_ENV = `console.log('secret=' + (process.env.JIRA_API_TOKEN ?? 'none') + ' mine=' + process.env.MINE); setInterval(() => {}, 1000);`;

async function call(
  url: string,
  path: string,
  init: { method?: string; token?: string | null } = {},
): Promise<{ status: number; body: unknown }> {
  const token = init.token === undefined ? TOKEN : init.token;
  const response = await fetch(`${url}${path}`, {
    method: init.method ?? 'GET',
    headers: token === null ? {} : { authorization: `Bearer ${token}` },
  });
  return { status: response.status, body: await response.json() };
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('LocalProcessSupervisor', () => {
  let supervisor: LocalProcessSupervisor;
  let url: string;
  let webPort: number;

  beforeAll(async () => {
    webPort = await freePort();
    supervisor = new LocalProcessSupervisor({
      processes: [
        {
          name: 'web',
          command: NODE,
          args: ['-e', WEB],
          env: { PORT: String(webPort) },
          health_url: `http://127.0.0.1:${webPort}/`,
          health_start_period_ms: 200,
          memory_limit_bytes: 64 * 1024 * 1024,
        },
        { name: 'stubborn', command: NODE, args: ['-e', STUBBORN] },
        { name: 'spammer', command: NODE, args: ['-e', SPAMMER] },
        { name: 'crasher', command: NODE, args: ['-e', CRASHER] },
        { name: 'env', command: NODE, args: ['-e', HAS_ENV], env: { MINE: 'yes' } },
      ],
      control: { host: '127.0.0.1', port: 0, token: TOKEN },
      logLines: 10,
      // Short grace so the SIGKILL path runs in a unit test.
      stopGraceMs: 300,
    });
    ({ url } = await supervisor.start());
    await eventually(async () => {
      const web = (await call(url, '/processes/web')).body as ProcessInspection;
      return web.health === 'healthy';
    });
  });

  afterAll(() => supervisor.stop());

  describe('the control token', () => {
    it.each([
      ['GET', '/processes'],
      ['GET', '/processes/web'],
      ['GET', '/processes/web/logs'],
      ['POST', '/processes/web/restart'],
    ])('%s %s needs it', async (method, path) => {
      const before = supervisor.list().find((p) => p.name === 'web');
      for (const token of [null, 'wrong-token-wrong-token', `${TOKEN}x`, '']) {
        const response = await call(url, path, { method, token });
        expect(response).toEqual({ status: 401, body: { error: 'missing or wrong bearer token' } });
      }
      // Nothing was restarted by the refused calls.
      expect(supervisor.list().find((p) => p.name === 'web')).toEqual(before);
    });

    it('is required to be long enough, and the API to stay on loopback', () => {
      const base = {
        processes: [],
        control: { host: '127.0.0.1' as const, port: 0, token: TOKEN },
      };
      expect(
        () => new LocalProcessSupervisor({ ...base, control: { ...base.control, token: 'short' } }),
      ).toThrow(/at least 16 characters/);
      expect(
        () =>
          new LocalProcessSupervisor({
            ...base,
            control: { ...base.control, host: '0.0.0.0' as unknown as '127.0.0.1' },
          }),
      ).toThrow(/control.host must be loopback/);
    });
  });

  it('lists the processes', async () => {
    const { status, body } = await call(url, '/processes');
    expect(status).toBe(200);
    const names = (body as { processes: { name: string }[] }).processes.map((p) => p.name);
    expect(names).toEqual(['web', 'stubborn', 'spammer', 'crasher', 'env']);
  });

  it('inspects a running process: pid, started_at, rss, health', async () => {
    const { status, body } = await call(url, '/processes/web');
    expect(status).toBe(200);
    const web = body as ProcessInspection;
    expect(web).toMatchObject({
      name: 'web',
      running: true,
      status: 'running',
      exit_code: null,
      signal: null,
      health: 'healthy',
      restart_count: 0,
    });
    expect(web.pid).toEqual(expect.any(Number));
    expect(Date.parse(web.started_at ?? '')).not.toBeNaN();
    expect(web.rss_bytes).toBeGreaterThan(1024 * 1024);
  });

  it('reports a memory limit only for a process whose spec sets one', async () => {
    const web = (await call(url, '/processes/web')).body as ProcessInspection;
    expect(web.memory_limit_bytes).toBe(64 * 1024 * 1024);
    const env = (await call(url, '/processes/env')).body as ProcessInspection;
    expect(env).not.toHaveProperty('memory_limit_bytes');
  });

  it('reports an exit code as the process gave it (137 stays 137)', async () => {
    await eventually(
      async () =>
        ((await call(url, '/processes/crasher')).body as ProcessInspection).status === 'exited',
    );
    const { body } = await call(url, '/processes/crasher');
    expect(body).toMatchObject({
      running: false,
      status: 'exited',
      exit_code: 137,
      signal: null,
      pid: null,
      rss_bytes: null,
      health: 'none',
    });
  });

  it('keeps the last logLines lines per process in a ring buffer', async () => {
    await eventually(
      async () =>
        ((await call(url, '/processes/spammer/logs?tail=1')).body as ProcessLogs).lines[0]?.text ===
        'line 49',
    );
    const five = (await call(url, '/processes/spammer/logs?tail=5')).body as ProcessLogs;
    expect(five.lines.map((l) => l.text)).toEqual([
      'line 45',
      'line 46',
      'line 47',
      'line 48',
      'line 49',
    ]);
    const all = (await call(url, '/processes/spammer/logs?tail=1000')).body as ProcessLogs;
    expect(all.lines.map((l) => l.text)).toEqual(
      Array.from({ length: 10 }, (_, i) => `line ${40 + i}`),
    );
    expect(all.lines.every((l) => l.stream === 'stdout' && !Number.isNaN(Date.parse(l.at)))).toBe(
      true,
    );
  });

  it('captures stdout and stderr', async () => {
    const logs = (await call(url, '/processes/web/logs')).body as ProcessLogs;
    expect(logs.lines.map((l) => [l.stream, l.text.replace(/\d+$/, 'PID')])).toEqual(
      expect.arrayContaining([
        ['stdout', 'web up PID'],
        ['stderr', 'web warn'],
      ]),
    );
  });

  it('gives a child only the environment it was configured with', async () => {
    await eventually(
      async () => ((await call(url, '/processes/env/logs')).body as ProcessLogs).lines.length > 0,
    );
    const logs = (await call(url, '/processes/env/logs')).body as ProcessLogs;
    expect(logs.lines[0]?.text).toBe('secret=none mine=yes');
  });

  it('restarts: SIGTERM, spawn again, new pid and started_at', async () => {
    const before = (await call(url, '/processes/web')).body as ProcessInspection;
    const { status, body } = await call(url, '/processes/web/restart', { method: 'POST' });
    expect(status).toBe(200);
    const after = body as { pid: number; started_at: string; restart_count: number };
    expect(after.pid).not.toBe(before.pid);
    expect(Date.parse(after.started_at)).toBeGreaterThan(Date.parse(before.started_at ?? ''));
    expect(after.restart_count).toBe(1);
    expect(alive(before.pid ?? -1)).toBe(false);
    await eventually(
      async () =>
        ((await call(url, '/processes/web')).body as ProcessInspection).health === 'healthy',
    );
  });

  it('SIGKILLs a process that ignores SIGTERM after the grace', async () => {
    const before = (await call(url, '/processes/stubborn')).body as ProcessInspection;
    const started = Date.now();
    const { body } = await call(url, '/processes/stubborn/restart', { method: 'POST' });
    expect(Date.now() - started).toBeGreaterThanOrEqual(300);
    expect((body as { pid: number }).pid).not.toBe(before.pid);
    expect(alive(before.pid ?? -1)).toBe(false);
    const texts = async () =>
      ((await call(url, '/processes/stubborn/logs')).body as ProcessLogs).lines.map((l) => l.text);
    await eventually(async () => (await texts()).length === 3);
    expect(await texts()).toEqual(['stubborn up', 'ignoring SIGTERM', 'stubborn up']);
  });

  it('restarts an exited process', async () => {
    const { status, body } = await call(url, '/processes/crasher/restart', { method: 'POST' });
    expect(status).toBe(200);
    expect(body).toMatchObject({ name: 'crasher', restart_count: 1 });
  });

  it('answers 404 for an unknown process or route, 405 for a wrong method, 400 for a bad tail', async () => {
    expect((await call(url, '/processes/nope')).status).toBe(404);
    expect((await call(url, '/processes/..%2Fweb')).status).toBe(404);
    expect((await call(url, '/processes/web/exec', { method: 'POST' })).status).toBe(404);
    expect((await call(url, '/other')).status).toBe(404);
    expect((await call(url, '/processes/web/restart')).status).toBe(405);
    expect((await call(url, '/processes/web', { method: 'DELETE' })).status).toBe(405);
    expect((await call(url, '/processes/web/logs?tail=-1')).status).toBe(400);
    expect((await call(url, '/processes/web/logs?tail=abc')).status).toBe(400);
  });

  it('reports a process that cannot be spawned as failed, with the reason in its log', async () => {
    const broken = new LocalProcessSupervisor({
      processes: [{ name: 'ghost', command: '/nonexistent/opscrew-binary' }],
      control: { host: '127.0.0.1', port: 0, token: TOKEN },
    });
    const { url: brokenUrl } = await broken.start();
    try {
      expect((await call(brokenUrl, '/processes/ghost')).body).toMatchObject({
        status: 'failed',
        running: false,
        pid: null,
      });
      const logs = (await call(brokenUrl, '/processes/ghost/logs')).body as ProcessLogs;
      expect(logs.lines[0]).toMatchObject({
        stream: 'stderr',
        text: expect.stringMatching(/spawn \/nonexistent\/opscrew-binary failed: .*ENOENT/),
      });
      const restarted = await call(brokenUrl, '/processes/ghost/restart', { method: 'POST' });
      expect(restarted).toMatchObject({ status: 200, body: { pid: null, restart_count: 1 } });
    } finally {
      await broken.stop();
    }
  });

  it('stop() ends every child it started and the control API', async () => {
    const extra = new LocalProcessSupervisor({
      processes: [
        { name: 'a', command: NODE, args: ['-e', 'setInterval(() => {}, 1000)'] },
        { name: 'b', command: NODE, args: ['-e', STUBBORN] },
      ],
      control: { host: '127.0.0.1', port: 0, token: TOKEN },
      stopGraceMs: 200,
    });
    const started = await extra.start();
    const pids = extra.list().map((p) => p.pid ?? -1);
    expect(pids.every(alive)).toBe(true);
    await extra.stop();
    expect(pids.some(alive)).toBe(false);
    expect(extra.list().map((p) => p.status)).toEqual(['stopped', 'stopped']);
    await expect(fetch(`${started.url}/processes`)).rejects.toThrow();
  });
});
