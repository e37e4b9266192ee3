import { spawn } from 'node:child_process';
import { createServer, type Server } from 'node:http';
import { type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { freePort, REPO_ROOT } from './support/crew-harness';

/**
 * deploy/images/healthcheck.sh, the containers' healthcheck: GET 127.0.0.1:PORT/PATH in bash,
 * exit 0 only on a 200. Docker gives it 5 s (docker-compose.yml); it must never hang past that.
 */
const SCRIPT = join(REPO_ROOT, 'deploy/images/healthcheck.sh');

function check(
  args: string[],
  env: NodeJS.ProcessEnv = {},
): Promise<{ code: number | null; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn('bash', [SCRIPT, ...args], {
      env: { PATH: process.env.PATH, ...env },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let stderr = '';
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
    child.once('close', (code) => resolve({ code, stderr }));
  });
}

describe('opscrew-healthcheck (deploy/images/healthcheck.sh)', () => {
  let server: Server;
  let port: number;
  const seen: string[] = [];
  let answer: (path: string) => number | 'hang' = () => 200;

  beforeAll(async () => {
    server = createServer((req, res) => {
      seen.push(req.url ?? '');
      const status = answer(req.url ?? '');
      if (status === 'hang') return; // never answers: the script's read timeout must end it
      res.writeHead(status).end(status === 200 ? '{"status":"ok"}' : '{"status":"error"}');
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('exits 0 on a 200 from /health', async () => {
    answer = () => 200;
    expect((await check([String(port)])).code).toBe(0);
    expect(seen.at(-1)).toBe('/health');
  });

  it('asks the given path, and takes the port from PORT when none is given', async () => {
    answer = (path) => (path === '/stats/requests' ? 200 : 404);
    expect((await check([String(port), '/stats/requests'])).code).toBe(0);
    answer = () => 200;
    expect((await check([], { PORT: String(port) })).code).toBe(0);
  });

  it.each([503, 500, 404, 301])('exits 1 on a %s', async (status) => {
    answer = () => status;
    expect((await check([String(port)])).code).toBe(1);
  });

  it('exits 1 when nothing listens', async () => {
    expect((await check([String(await freePort())])).code).toBe(1);
  });

  it('gives up on a server that accepts and never answers (its own read timeout)', async () => {
    answer = () => 'hang';
    expect((await check([String(port)])).code).toBe(1);
  });

  it('says so when it has no port', async () => {
    const result = await check([]);
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('no port');
  });
});
