import { type RuntimeTarget } from '@opscrew/sandbox';
import { constants } from 'node:os';
import { type FetchLike } from '../outbound/outbound-http.client';
import {
  type ControlError,
  type ProcessInspection,
  type ProcessLogs,
  type ProcessRestartResult,
} from './process/supervisor-control.contract';
import { type DriverRestartResult, type RuntimeDriver } from './runtime-driver';
import { RuntimeDriverError } from './runtime-driver.error';
import { type LogLines, type RuntimeInspection } from './runtime.port';

export interface ProcessRuntimeDriverOptions {
  /** The supervisor's control API, e.g. `http://127.0.0.1:7190`. */
  readonly base_url: string;
  /** Its bearer token. */
  readonly token: string;
  /** Inspect and logs: the supervisor answers from memory (health check ≤ 1 s), so 5 s means it is stuck. */
  readonly read_timeout_ms?: number;
  /** Restart: the supervisor's stop grace (5 s default) + SIGKILL wait + spawn, with room to spare. */
  readonly restart_timeout_ms?: number;
  readonly fetch?: FetchLike;
}

const DEFAULT_READ_TIMEOUT_MS = 5_000;
const DEFAULT_RESTART_TIMEOUT_MS = 30_000;

/**
 * The embedded runtime: the HTTP client of LocalProcessSupervisor's control
 * API. Only inspect, logs and restart exist on that API, and here.
 */
export class ProcessRuntimeDriver implements RuntimeDriver {
  readonly kind = 'process';
  private readonly baseUrl: string;
  private readonly fetchFn: FetchLike;

  constructor(private readonly options: ProcessRuntimeDriverOptions) {
    this.baseUrl = options.base_url.replace(/\/+$/, '');
    this.fetchFn = options.fetch ?? ((input, init) => fetch(input, init));
  }

  async inspect(target: RuntimeTarget): Promise<RuntimeInspection> {
    const p = await this.request<ProcessInspection>(target, 'GET', '', this.readTimeout());
    return {
      service: target.service,
      id: p.pid === null ? '' : String(p.pid),
      name: p.name,
      running: p.running,
      status: p.status,
      // The kernel's OOM killer sends SIGKILL like anyone else: a process cannot tell, so never claim it.
      oom_killed: false,
      exit_code: exitCode(p),
      health: p.health,
      started_at: p.started_at,
      restart_count: p.restart_count,
      ...(p.rss_bytes !== null ? { memory_bytes: p.rss_bytes } : {}),
      ...(typeof p.memory_limit_bytes === 'number' && p.memory_limit_bytes > 0
        ? { memory_limit_bytes: p.memory_limit_bytes }
        : {}),
    };
  }

  async logs(target: RuntimeTarget, tail: number): Promise<LogLines> {
    const body = await this.request<ProcessLogs>(
      target,
      'GET',
      `/logs?tail=${encodeURIComponent(String(tail))}`,
      this.readTimeout(),
    );
    return {
      service: target.service,
      lines: body.lines.map((l) => ({ stream: l.stream, text: l.text })),
    };
  }

  async restart(target: RuntimeTarget): Promise<DriverRestartResult> {
    const body = await this.request<ProcessRestartResult>(
      target,
      'POST',
      '/restart',
      this.options.restart_timeout_ms ?? DEFAULT_RESTART_TIMEOUT_MS,
    );
    return { started_at: body.started_at };
  }

  private readTimeout(): number {
    return this.options.read_timeout_ms ?? DEFAULT_READ_TIMEOUT_MS;
  }

  private async request<T>(
    target: RuntimeTarget,
    method: 'GET' | 'POST',
    suffix: string,
    timeoutMs: number,
  ): Promise<T> {
    const name = target.runtime_name;
    const url = `${this.baseUrl}/processes/${encodeURIComponent(name)}${suffix}`;
    let response: Response;
    try {
      response = await this.fetchFn(url, {
        method,
        headers: { authorization: `Bearer ${this.options.token}`, accept: 'application/json' },
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err: unknown) {
      const e = err as { name?: unknown; message?: unknown; cause?: { code?: unknown } };
      if (e.name === 'TimeoutError' || e.name === 'AbortError') {
        throw new RuntimeDriverError(
          'process',
          'timeout',
          `process supervisor at ${this.baseUrl} did not answer ${method} ${name}${suffix} within ${timeoutMs} ms`,
        );
      }
      const code = typeof e.cause?.code === 'string' ? ` (${e.cause.code})` : '';
      throw new RuntimeDriverError(
        'process',
        'unreachable',
        `process supervisor unreachable at ${this.baseUrl}${code}: ${String(e.message)}`,
      );
    }
    const text = await response.text();
    if (response.status === 401) {
      throw new RuntimeDriverError(
        'process',
        'unauthorized',
        `process supervisor at ${this.baseUrl} refused the control token (HTTP 401)`,
      );
    }
    if (response.status === 404) {
      throw new RuntimeDriverError(
        'process',
        'not_found',
        `no supervised process "${name}" for service ${target.service} at ${this.baseUrl}`,
      );
    }
    if (!response.ok) {
      throw new RuntimeDriverError(
        'process',
        'failed',
        `process supervisor at ${this.baseUrl}: ${method} ${name}${suffix} failed with HTTP ${response.status}: ${errorText(text)}`,
      );
    }
    try {
      return JSON.parse(text) as T;
    } catch {
      throw new RuntimeDriverError(
        'process',
        'failed',
        `process supervisor at ${this.baseUrl}: ${method} ${name}${suffix} answered with invalid JSON`,
      );
    }
  }
}

/** Docker's convention for a signal death (128 + signal number) so runbooks read one scale; 137 stays 137. */
function exitCode(p: ProcessInspection): number | null {
  if (p.running) return null;
  if (p.exit_code !== null) return p.exit_code;
  if (p.signal !== null) {
    const number = (constants.signals as Record<string, number | undefined>)[p.signal];
    return number === undefined ? null : 128 + number;
  }
  return null;
}

function errorText(body: string): string {
  try {
    const parsed = JSON.parse(body) as Partial<ControlError>;
    if (typeof parsed.error === 'string') return parsed.error.slice(0, 200);
  } catch {
    // not JSON: show the start of it
  }
  return body.slice(0, 200);
}
