// Over ~300 lines: one demo service's HTTP server (its routes, the request pipeline, /metrics, /health,
// /faults) — the whole surface a shop service has, in one place.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { errorMessage } from '../runtime/error-message';
import { PoolTimeoutError } from '../faults/connection-pool.fault';
import { type FaultBoard, isFaultName } from '../faults/fault.board';
import { type MemoryGuard } from '../faults/memory.guard';
import { type LatencySampler } from '../runtime/latency.sampler';
import { type ServiceLog } from '../runtime/service.log';
import { sleep } from '../runtime/sleep';
import {
  type RequestContext,
  type RouteHandler,
  type ShopService,
} from '../services/service.definition';
import { type ConcurrencyLimiter, OverloadedError } from './concurrency.limiter';
import { type ControlToken } from './control-token';
import { DependencyError } from './dependency.client';
import { HttpError, type Reply } from './http-reply';
import { readBody } from './request-body.reader';
import { normaliseMethod, RouteTable } from './route.table';
import { type ShopMetrics } from './shop.metrics';

/**
 * Idle keep-alive connections stay open 30 s, longer than the callers' agents
 * keep them (4 s), so a caller never reuses a socket this side is closing.
 */
const KEEP_ALIVE_TIMEOUT_MS = 30_000;
/** A request whose headers take longer than 10 s is not a shop client. */
const HEADERS_TIMEOUT_MS = 10_000;

export interface ServiceServerOptions {
  readonly name: string;
  readonly service: ShopService;
  readonly limiter: ConcurrencyLimiter;
  readonly latency: LatencySampler;
  readonly faults: FaultBoard;
  readonly memory: MemoryGuard;
  readonly metrics: ShopMetrics;
  readonly log: ServiceLog;
  readonly token: ControlToken;
}

/**
 * The HTTP side every shop service shares: its routes behind the request
 * pipeline (memory guard → fault delays → worker slot → handler), `/metrics`,
 * `/health`, and the token-guarded `/faults` control. Only the service's own
 * routes are counted in the metrics: scrapes and health checks are not
 * traffic.
 */
export class ServiceServer {
  private readonly routes = new RouteTable<RouteHandler>();
  private server: Server | null = null;

  constructor(private readonly options: ServiceServerOptions) {
    for (const route of options.service.routes) {
      this.routes.add(route.method, route.pattern, route.handle);
    }
  }

  /** Listens; resolves with the bound port (useful with port 0). */
  async listen(host: string, port: number): Promise<number> {
    const server = createServer((req, res) => void this.handle(req, res));
    server.keepAliveTimeout = KEEP_ALIVE_TIMEOUT_MS;
    server.headersTimeout = HEADERS_TIMEOUT_MS;
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(port, host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    return (server.address() as AddressInfo).port;
  }

  async close(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server === null) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url ?? '/', 'http://shop.invalid');
    const path = url.pathname;
    try {
      if (path === '/metrics') return await this.serveMetrics(req, res);
      if (path === '/health') return this.serveHealth(req, res);
      if (path === '/faults' || path.startsWith('/faults/'))
        return this.serveFaults(req, res, path);
    } catch (error) {
      this.options.log.error(`${path}: ${errorMessage(error)}`);
      if (!res.headersSent) send(res, { status: 500, body: { error: 'internal error' } });
      return;
    }
    await this.serveRoute(req, res, url);
  }

  private async serveRoute(req: IncomingMessage, res: ServerResponse, url: URL): Promise<void> {
    const started = process.hrtime.bigint();
    const method = normaliseMethod(req.method);
    const lookup = this.routes.lookup(method, url.pathname);
    let reply: Reply;
    if (lookup.kind === 'not_found') {
      req.resume();
      reply = { status: 404, body: { error: `no route ${method} ${url.pathname}` } };
    } else if (lookup.kind === 'method_not_allowed') {
      req.resume();
      reply = {
        status: 405,
        body: { error: `method ${method} not allowed` },
        headers: { allow: lookup.allow.join(', ') },
      };
    } else {
      const abandoned = new AbortController();
      res.once('close', () => {
        if (!res.writableFinished) abandoned.abort();
      });
      const ctx: RequestContext = {
        method,
        route: lookup.route,
        params: lookup.params,
        query: url.searchParams,
        headers: req.headers,
        body: () => readBody(req),
      };
      try {
        reply = await this.pipeline(ctx, lookup.handler, abandoned.signal);
      } catch (error) {
        reply = this.failure(error, `${method} ${lookup.route}`);
      }
      if (ctx.method !== 'GET') req.resume();
    }
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    this.options.metrics.observe(method, lookup.route, reply.status, seconds);
    if (!res.destroyed) send(res, reply);
  }

  /** Memory guard → latency creep → pool lease → a worker for the own work → leak → handler. */
  private async pipeline(
    ctx: RequestContext,
    handler: RouteHandler,
    signal: AbortSignal,
  ): Promise<Reply> {
    const { faults, memory, limiter, latency } = this.options;
    if (memory.exhausted) throw new HttpError(503, memory.describe(), 'warn');
    await sleep(faults.creep.delayMs());
    const lease = faults.poolLeakArmed ? await faults.pool.acquire() : null;
    try {
      await limiter.run(() => sleep(latency.sampleMs()), signal);
      if (faults.memoryLeakArmed) {
        faults.leak.grow();
        await sleep(faults.leak.scanDelayMs());
      }
      return await handler(ctx);
    } finally {
      lease?.release();
    }
  }

  /** The status and body for a failed request, logged (throttled) when it is the service's fault. */
  private failure(error: unknown, what: string): Reply {
    const { log } = this.options;
    if (error instanceof HttpError) {
      if (error.log !== 'none')
        log.throttled(
          error.log,
          `${what} ${error.message}`,
          `${what} -> ${error.status}: ${error.message}`,
        );
      return { status: error.status, body: { error: error.message } };
    }
    if (error instanceof OverloadedError) {
      if (error.reason !== 'abandoned')
        log.throttled('warn', `overloaded ${error.reason}`, `${what} -> 503: ${error.message}`);
      return { status: 503, body: { error: error.message } };
    }
    if (error instanceof PoolTimeoutError) {
      log.throttled('error', 'pool timeout', `${what} -> 500: ${error.message}`);
      return { status: 500, body: { error: error.message } };
    }
    if (error instanceof DependencyError) {
      const status = error.kind === 'timeout' ? 504 : 502;
      log.throttled(
        'error',
        `dependency ${error.dependency} ${error.kind}`,
        `${what} -> ${status}: ${error.message}`,
      );
      return { status, body: { error: error.message } };
    }
    log.throttled(
      'error',
      `unexpected ${what}`,
      `${what} -> 500: ${(error as Error).stack ?? String(error)}`,
    );
    return { status: 500, body: { error: 'internal error' } };
  }

  private async serveMetrics(req: IncomingMessage, res: ServerResponse): Promise<void> {
    req.resume();
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      return send(res, { status: 405, body: { error: 'use GET' }, headers: { allow: 'GET' } });
    }
    const text = await this.options.metrics.text();
    res.writeHead(200, {
      'content-type': this.options.metrics.contentType,
      'content-length': Buffer.byteLength(text),
    });
    res.end(text);
  }

  private serveHealth(req: IncomingMessage, res: ServerResponse): void {
    req.resume();
    const reasons = this.unhealthyReasons();
    send(
      res,
      reasons.length === 0
        ? { status: 200, body: { status: 'ok', service: this.options.name } }
        : { status: 503, body: { status: 'unhealthy', service: this.options.name, reasons } },
    );
  }

  private unhealthyReasons(): string[] {
    const { memory, faults, service } = this.options;
    const reasons: string[] = [];
    if (memory.exhausted) reasons.push(memory.describe());
    if (faults.poolLeakArmed && faults.pool.exhausted) {
      reasons.push('connection pool exhausted: no database connection available');
    }
    const flagged = service.unhealthyReason?.() ?? null;
    if (flagged !== null) reasons.push(flagged);
    return reasons;
  }

  /**
   * `GET /faults` (state), `POST /faults/<name>` (inject), `DELETE /faults`
   * (clear all). Bearer token required: injecting a fault is an action.
   */
  private serveFaults(req: IncomingMessage, res: ServerResponse, path: string): void {
    req.resume();
    const { token, faults, log } = this.options;
    if (!token.accepts(req.headers.authorization)) {
      return send(res, {
        status: 401,
        body: {
          error: token.configured
            ? 'missing or wrong bearer token'
            : 'fault injection is disabled: the service has no control token',
        },
        headers: { 'www-authenticate': 'Bearer realm="opscrew-demo-shop"' },
      });
    }
    const fault = path === '/faults' ? null : decodeURIComponent(path.slice('/faults/'.length));
    if (fault === null) {
      if (req.method === 'GET') return send(res, { status: 200, body: this.faultState() });
      if (req.method === 'DELETE') {
        const cleared = faults.armed();
        faults.clear();
        log.info(
          `faults cleared${cleared.length > 0 ? `: ${cleared.join(', ')}` : ' (none were armed)'}`,
        );
        return send(res, { status: 200, body: this.faultState() });
      }
      return send(res, {
        status: 405,
        body: { error: 'use GET or DELETE' },
        headers: { allow: 'GET, DELETE' },
      });
    }
    if (!isFaultName(fault)) {
      return send(res, {
        status: 404,
        body: {
          error: `no fault "${fault}" (memory_leak, latency_creep, connection_pool_exhaustion)`,
        },
      });
    }
    if (req.method !== 'POST') {
      return send(res, { status: 405, body: { error: 'use POST' }, headers: { allow: 'POST' } });
    }
    faults.arm(fault);
    log.warn(`fault injected: ${fault} (in memory only: a restart clears it)`);
    send(res, { status: 200, body: this.faultState() });
  }

  private faultState(): unknown {
    const { name, faults, memory } = this.options;
    return {
      service: name,
      armed: faults.armed(),
      faults: faults.snapshot(),
      memory: {
        rss_bytes: memory.rssBytes,
        limit_bytes: memory.limitBytes,
        exhausted: memory.exhausted,
      },
    };
  }
}

function send(res: ServerResponse, reply: Reply): void {
  const text = JSON.stringify(reply.body);
  res.writeHead(reply.status, {
    ...reply.headers,
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    'cache-control': 'no-store',
  });
  res.end(text);
}
