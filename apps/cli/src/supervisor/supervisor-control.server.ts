import { randomBytes, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { errorMessage, type AgentName } from '@opscrew/contracts';
import { type SupervisorControl } from '@opscrew/config';
import { type ChildRestart } from './agent-supervisor';

/** What the endpoint needs of the supervisor: which children it runs, and a restart of one. */
export interface RestartableChildren {
  supervises(agent: string): agent is AgentName;
  restart(agent: AgentName): Promise<ChildRestart>;
}

const RESTART_ROUTE = /^\/agents\/([^/]+)\/restart$/;
const LOOPBACK = new Set(['127.0.0.1', '::ffff:127.0.0.1']);

/**
 * `opscrew start all`'s control endpoint: `POST /agents/:agent/restart`, nothing else. It is how
 * atlas (which decides, and keeps the loop protection) gets a silent agent restarted by the
 * supervisor (which executes). Limited on purpose:
 * - listens on 127.0.0.1 only, on a port the OS picks, and answers loopback peers only;
 * - a bearer token generated per run (32 random bytes) that only atlas's child environment
 *   receives; a wrong or missing one is 401;
 * - an agent the supervisor does not run is 404; atlas itself is 403 (a restart would kill
 *   the caller mid-request, and an agent restarting itself is never a recovery); the
 *   supervisor is no agent, so it can never be named.
 */
export class SupervisorControlServer {
  private readonly token = randomBytes(32).toString('base64url');
  private server: Server | null = null;

  constructor(private readonly children: RestartableChildren) {}

  /** Listen on 127.0.0.1:<free port>; returns what atlas's environment gets. */
  async start(): Promise<SupervisorControl> {
    const server = createServer((request, response) => {
      void this.handle(request, response);
    });
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(0, '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const { port } = server.address() as AddressInfo;
    return { url: `http://127.0.0.1:${port}`, token: this.token };
  }

  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (!LOOPBACK.has(request.socket.remoteAddress ?? '')) {
      return reply(response, 403, { error: 'loopback only' });
    }
    if (!this.authorized(request.headers.authorization)) {
      return reply(response, 401, { error: 'missing or wrong bearer token' });
    }
    const route = RESTART_ROUTE.exec((request.url ?? '').split('?')[0] ?? '');
    if (route === null) return reply(response, 404, { error: 'no such route' });
    if (request.method !== 'POST') {
      response.setHeader('Allow', 'POST');
      return reply(response, 405, { error: 'POST only' });
    }
    const agent = decodeURIComponent(route[1] ?? '');
    if (agent === 'atlas') {
      return reply(response, 403, { error: 'atlas is never restarted through this endpoint' });
    }
    if (!this.children.supervises(agent)) {
      return reply(response, 404, { error: `"${agent}" is not an agent this supervisor runs` });
    }
    try {
      reply(response, 200, await this.children.restart(agent));
    } catch (error) {
      reply(response, 500, { error: `restart of ${agent} failed: ${errorMessage(error)}` });
    }
  }

  /** Constant-time comparison: the token must not leak through response timing. */
  private authorized(header: string | undefined): boolean {
    const match = /^Bearer (.+)$/.exec(header ?? '');
    if (match === null) return false;
    const given = Buffer.from(match[1] ?? '');
    const expected = Buffer.from(this.token);
    return given.length === expected.length && timingSafeEqual(given, expected);
  }
}

function reply(response: ServerResponse, status: number, body: object): void {
  response.statusCode = status;
  response.setHeader('Content-Type', 'application/json');
  response.end(JSON.stringify(body));
}
