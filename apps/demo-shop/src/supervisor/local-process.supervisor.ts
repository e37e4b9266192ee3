import { errorMessage } from '../runtime/error-message';
import { Logger } from '@nestjs/common';
import { createHash, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { type AddressInfo } from 'node:net';
import { SupervisedProcess, type SupervisedProcessSpec } from './supervised-process';
import {
  type ControlError,
  type ProcessInspection,
  type ProcessLogs,
  type ProcessRestartResult,
  type ProcessSummary,
} from './supervisor-control.contract';

export interface SupervisorControlOptions {
  /** Loopback only: the control API restarts processes and shows their logs. */
  readonly host: '127.0.0.1' | '::1' | 'localhost';
  /** 0: any free port (read `url` after start()). */
  readonly port: number;
  /** Bearer token every request must carry; shared with the ProcessRuntimeDriver. */
  readonly token: string;
}

export interface LocalProcessSupervisorOptions {
  readonly processes: readonly SupervisedProcessSpec[];
  readonly control: SupervisorControlOptions;
  /** Lines kept per process (stdout and stderr together). */
  readonly logLines?: number;
  /** SIGTERM → this long → SIGKILL, on restart and stop. */
  readonly stopGraceMs?: number;
}

/** 1000 lines × ≤ 8 KiB per line bounds a process's log memory at 8 MiB, typically far less. */
const DEFAULT_LOG_LINES = 1000;
/** Node services exit on SIGTERM in milliseconds; 5 s lets one finish in-flight requests. */
const DEFAULT_STOP_GRACE_MS = 5_000;
/** A token shorter than this is guessable; 16 characters is the floor for a random one. */
export const MIN_CONTROL_TOKEN_LENGTH = 16;
const DEFAULT_LOG_TAIL = 100;
const LOOPBACK_HOSTS: readonly string[] = ['127.0.0.1', '::1', 'localhost'];
/** Same rule as the sandbox's runtime names: nothing else can be a process name. */
const PROCESS_NAME_PATTERN = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

/**
 * Runs the embedded demo shop's services as child processes and serves a
 * small control API on loopback (see supervisor-control.contract.ts), the
 * process twin of the Docker Engine API: list, inspect, logs (ring buffer per
 * process) and restart (SIGTERM, grace, SIGKILL, spawn again).
 *
 * The control API is a credential boundary: every route needs
 * `Authorization: Bearer <token>` (logs may hold secrets, restart is an
 * action), compared in constant time. `stop()` stops every child this
 * supervisor started — by PID (each child leads its own process group) — and
 * closes the server.
 */
export class LocalProcessSupervisor {
  private readonly logger = new Logger(LocalProcessSupervisor.name);
  private readonly processes = new Map<string, SupervisedProcess>();
  private readonly tokenDigest: Buffer;
  private readonly graceMs: number;
  private server: Server | null = null;
  private baseUrl: string | null = null;

  constructor(private readonly options: LocalProcessSupervisorOptions) {
    const { control } = options;
    if (!LOOPBACK_HOSTS.includes(control.host)) {
      throw new Error(
        `process supervisor: control.host must be loopback (${LOOPBACK_HOSTS.join(', ')}), got "${String(control.host)}"`,
      );
    }
    if (typeof control.token !== 'string' || control.token.length < MIN_CONTROL_TOKEN_LENGTH) {
      throw new Error(
        `process supervisor: control.token must be at least ${MIN_CONTROL_TOKEN_LENGTH} characters`,
      );
    }
    this.tokenDigest = digest(control.token);
    this.graceMs = options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS;
    const logLines = options.logLines ?? DEFAULT_LOG_LINES;
    for (const spec of options.processes) {
      if (!PROCESS_NAME_PATTERN.test(spec.name)) {
        throw new Error(`process supervisor: "${spec.name}" is not a valid process name`);
      }
      if (this.processes.has(spec.name)) {
        throw new Error(`process supervisor: process "${spec.name}" is listed twice`);
      }
      this.processes.set(spec.name, new SupervisedProcess(spec, logLines));
    }
  }

  /** Base URL of the control API (after start()). */
  get url(): string {
    if (this.baseUrl === null) throw new Error('process supervisor: not started');
    return this.baseUrl;
  }

  /** Spawns every process, then listens. */
  async start(): Promise<{ url: string }> {
    if (this.server !== null) return { url: this.url };
    await Promise.all([...this.processes.values()].map((p) => p.start()));
    const server = createServer((req, res) => void this.handle(req, res));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.options.control.port, this.options.control.host, () => {
        server.off('error', reject);
        resolve();
      });
    });
    this.server = server;
    const address = server.address() as AddressInfo;
    const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
    this.baseUrl = `http://${host}:${address.port}`;
    this.logger.log(`control API on ${this.baseUrl} for ${[...this.processes.keys()].join(', ')}`);
    return { url: this.baseUrl };
  }

  /** Closes the control API and stops every child (SIGTERM, grace, SIGKILL). */
  async stop(): Promise<void> {
    const server = this.server;
    this.server = null;
    if (server !== null) {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
    await Promise.all([...this.processes.values()].map((p) => p.stop({ grace_ms: this.graceMs })));
  }

  list(): ProcessSummary[] {
    return [...this.processes.values()].map((p) => p.summary());
  }

  async inspect(name: string): Promise<ProcessInspection | null> {
    return (await this.process(name)?.inspect()) ?? null;
  }

  logs(name: string, tail: number): ProcessLogs | null {
    const p = this.process(name);
    return p === undefined ? null : { name: p.name, lines: p.tail(tail) };
  }

  async restart(name: string): Promise<ProcessRestartResult | null> {
    const p = this.process(name);
    if (p === undefined) return null;
    const summary = await p.restart({ grace_ms: this.graceMs });
    this.logger.log(
      `restarted ${name}: pid ${summary.pid ?? 'none'}, started_at ${summary.started_at ?? '-'}`,
    );
    return {
      name: summary.name,
      pid: summary.pid,
      started_at: summary.started_at,
      restart_count: summary.restart_count,
    };
  }

  private process(name: string): SupervisedProcess | undefined {
    return this.processes.get(name);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // No route takes a body: drain whatever was sent without reading it.
    req.resume();
    try {
      if (!this.authorised(req)) {
        res.setHeader('WWW-Authenticate', 'Bearer realm="opscrew-process-supervisor"');
        return send(res, 401, { error: 'missing or wrong bearer token' });
      }
      const url = new URL(req.url ?? '/', 'http://supervisor.invalid');
      const parts = url.pathname.split('/').filter((p) => p !== '');
      if (parts[0] !== 'processes' || parts.length > 3) {
        return send(res, 404, { error: `no route ${url.pathname}` });
      }
      if (parts.length === 1) {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        return send(res, 200, { processes: this.list() });
      }
      const name = decodeName(parts[1] ?? '');
      if (name === null || !this.processes.has(name)) {
        return send(res, 404, { error: 'no such process' });
      }
      const action = parts[2];
      if (action === undefined) {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        return send(res, 200, await this.inspect(name));
      }
      if (action === 'logs') {
        if (req.method !== 'GET') return methodNotAllowed(res, 'GET');
        const tail = parseTail(url.searchParams.get('tail'));
        if (tail === null) return send(res, 400, { error: 'tail must be a positive integer' });
        return send(res, 200, this.logs(name, tail));
      }
      if (action === 'restart') {
        if (req.method !== 'POST') return methodNotAllowed(res, 'POST');
        return send(res, 200, await this.restart(name));
      }
      return send(res, 404, { error: `no route ${url.pathname}` });
    } catch (err: unknown) {
      this.logger.error(`control API ${req.method ?? ''} ${req.url ?? ''}: ${errorMessage(err)}`);
      if (!res.headersSent) send(res, 500, { error: errorMessage(err) });
    }
  }

  private authorised(req: IncomingMessage): boolean {
    const header = req.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer (\S+)$/.exec(header) : null;
    if (match?.[1] === undefined) return false;
    // Compare digests: equal length always, so timingSafeEqual applies and length does not leak.
    return timingSafeEqual(digest(match[1]), this.tokenDigest);
  }
}

function digest(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

function decodeName(raw: string): string | null {
  try {
    const name = decodeURIComponent(raw);
    return PROCESS_NAME_PATTERN.test(name) ? name : null;
  } catch {
    return null;
  }
}

function parseTail(raw: string | null): number | null {
  if (raw === null) return DEFAULT_LOG_TAIL;
  if (!/^\d{1,6}$/.test(raw)) return null;
  const n = Number(raw);
  return n >= 1 ? n : null;
}

function methodNotAllowed(res: ServerResponse, allow: string): void {
  res.setHeader('Allow', allow);
  send(res, 405, { error: `method not allowed (use ${allow})` });
}

function send(
  res: ServerResponse,
  status: number,
  body:
    | ControlError
    | ProcessInspection
    | ProcessLogs
    | ProcessRestartResult
    | { processes: ProcessSummary[] }
    | null,
): void {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(text),
    'Cache-Control': 'no-store',
  });
  res.end(text);
}
