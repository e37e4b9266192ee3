import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { type CrewChiefWorld, CrewChiefStep } from './demo-crew-chief';

/** atlas's page and a jira-resolver whose /health answers with `pid` (null: down). */
async function fakeCrew(): Promise<{
  server: Server;
  url: string;
  setPid(pid: number | null): void;
}> {
  let pid: number | null = 100;
  const server = createServer((request, response) => {
    if (request.url === '/') {
      response.writeHead(200, { 'content-type': 'text/html' });
      response.end('<!doctype html><html><body>crew</body></html>');
    } else if (request.url === '/health' && pid !== null) {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ status: 'ok', pid }));
    } else {
      response.writeHead(503);
      response.end();
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return { server, url: `http://127.0.0.1:${port}`, setPid: (next) => (pid = next) };
}

describe('CrewChiefStep', () => {
  let crew: Awaited<ReturnType<typeof fakeCrew>>;
  beforeEach(async () => {
    crew = await fakeCrew();
  });
  afterEach(() => new Promise<void>((resolve) => crew.server.close(() => resolve())));

  function world(overrides: Partial<CrewChiefWorld> = {}): CrewChiefWorld {
    return {
      agentUrl: () => crew.url,
      killAgent: () => {
        crew.setPid(null);
        // atlas's restart, a moment later: a new PID answers.
        setTimeout(() => crew.setPid(200), 300);
        return 100;
      },
      cli: (args) =>
        Promise.resolve(
          args[0] === 'chat'
            ? { code: 0, stdout: 'Agents:\n\n- atlas: alive\n', stderr: '' }
            : { code: 0, stdout: 'sent', stderr: '' },
        ),
      notifications: () => [
        { idempotency_key: 'report:report.ops-monitor-daily.now.x', kind: 'report' },
      ],
      ...overrides,
    };
  }

  it('holds every expectation when the page answers, the agent comes back, chat and report work', async () => {
    const progress: string[] = [];
    const step = await new CrewChiefStep(world(), (line) => progress.push(line)).run();
    expect(step.name).toBe('crew chief');
    expect(step.expectations.map((e) => e.ok)).toEqual([true, true, true, true]);
    expect(step.expectations[1]?.detail).toMatch(/^pid 100 → 200, healthy after/);
    // Blank lines of the chat answer are not echoed.
    expect(progress.filter((line) => line.trim() === '')).toEqual([]);
  });

  it('fails each expectation on its own: no process to kill, chat refused, report never delivered', async () => {
    const step = await new CrewChiefStep(
      world({
        killAgent: () => null,
        cli: (args) =>
          Promise.resolve(
            args[0] === 'chat'
              ? { code: 1, stdout: '', stderr: 'atlas unreachable' }
              : { code: 2, stdout: '', stderr: 'unknown report' },
          ),
        notifications: () => [],
      }),
      () => undefined,
    ).run();
    expect(step.expectations.map((e) => [e.ok, e.detail])).toEqual([
      [true, expect.stringContaining('HTTP 200') as string],
      [false, 'no jira-resolver process to kill'],
      [false, 'exit 1: atlas unreachable'],
      [false, 'exit 2: unknown report'],
    ]);
  });
});
