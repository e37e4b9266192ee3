import { errorMessage } from './runtime/error-message';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { dependencyEnvName, SERVICE_ENV } from './service-env';
import {
  DEFAULT_MEMORY_LIMIT_BYTES,
  SHOP_SERVICE_NAMES,
  SHOP_SERVICE_PROFILES,
  type ShopServiceName,
} from './shop-service.profiles';
import { LocalProcessSupervisor } from './supervisor/local-process.supervisor';
import { type SupervisedProcessSpec } from './supervisor/supervised-process';
import { type ProcessLogLine } from './supervisor/supervisor-control.contract';

/** Nine Node processes starting at once on two busy cores take 1–3 s; 30 s means one is broken. */
const DEFAULT_READY_TIMEOUT_MS = 30_000;
/** Health is polled every 100 ms while starting: start-up is quick, the wait should be too. */
const READY_POLL_MS = 100;
/** One health probe; a service that cannot answer /health in 1 s is not up. */
const PROBE_TIMEOUT_MS = 1_000;
/** The services exit on SIGTERM within milliseconds; 3 s covers a busy box before SIGKILL. */
const DEFAULT_STOP_GRACE_MS = 3_000;
/** Lines of a failed service's log quoted in the start error. */
const FAILURE_LOG_LINES = 10;

export interface ShopControlOptions {
  /** Loopback only (the supervisor refuses anything else). */
  readonly host: '127.0.0.1' | '::1' | 'localhost';
  /** 0 picks a free port (tests). */
  readonly port: number;
  /** Bearer token of the control API and of every service's `/faults`. */
  readonly token: string;
}

export interface ShopOptions {
  /** Base URL each service listens on (`http://127.0.0.1:7100`): the origin of its scrape target. */
  readonly endpoints: Readonly<Record<ShopServiceName, string>>;
  readonly control: ShopControlOptions;
  /** The flagd flag file (absolute); null runs without flags. */
  readonly flagFile: string | null;
  /** The compiled service entry; by default dist/apps/demo-shop/src/service.main.js. */
  readonly serviceEntry?: string;
  /** Soft memory limit per service (bytes); DEFAULT_MEMORY_LIMIT_BYTES otherwise. */
  readonly memoryLimitBytes?: Readonly<Partial<Record<ShopServiceName, number>>>;
  readonly readyTimeoutMs?: number;
  readonly stopGraceMs?: number;
  /** Lines kept per process by the supervisor. */
  readonly logLines?: number;
  /** Working directory of the services. */
  readonly cwd?: string;
}

export interface RunningShop {
  readonly endpoints: Readonly<Record<ShopServiceName, string>>;
  /** The supervisor's control API (`/processes…`). */
  readonly controlUrl: string;
  readonly supervisor: LocalProcessSupervisor;
  /** PIDs of the running services. */
  pids(): number[];
  /** Stops every service (SIGTERM, grace, SIGKILL) and the control API. */
  stop(): Promise<void>;
}

/** The shop did not come up; the message quotes the failing services' last log lines. */
export class ShopStartError extends Error {
  override readonly name = 'ShopStartError';
}

/**
 * Starts the demo shop: every service as its own process under
 * LocalProcessSupervisor (the runtime the crew restarts them through), each
 * with only the environment it needs — no PATH, no credentials of the crew.
 * Resolves once every service answers `/health` (an unhealthy answer counts:
 * a flag may keep one unready on purpose); on failure everything started is
 * stopped again before the error is thrown.
 */
export async function startShop(options: ShopOptions): Promise<RunningShop> {
  const entry = options.serviceEntry ?? defaultServiceEntry();
  if (!existsSync(entry)) {
    throw new ShopStartError(`demo shop: ${entry} is missing; build first: npm run build`);
  }
  const supervisor = new LocalProcessSupervisor({
    processes: SHOP_SERVICE_NAMES.map((name) => processSpec(name, entry, options)),
    control: options.control,
    stopGraceMs: options.stopGraceMs ?? DEFAULT_STOP_GRACE_MS,
    ...(options.logLines === undefined ? {} : { logLines: options.logLines }),
  });
  let controlUrl: string;
  try {
    ({ url: controlUrl } = await supervisor.start());
    await waitUntilAnswering(supervisor, options);
  } catch (error) {
    await supervisor.stop();
    throw error instanceof ShopStartError
      ? error
      : new ShopStartError(`demo shop: ${errorMessage(error)}`);
  }
  return {
    endpoints: options.endpoints,
    controlUrl,
    supervisor,
    pids: () =>
      supervisor
        .list()
        .map((p) => p.pid)
        .filter((pid): pid is number => pid !== null),
    stop: () => supervisor.stop(),
  };
}

/**
 * The compiled service entry beside this file (running from dist/), else in the package's
 * dist/ (running from source: apps/demo-shop/src is three levels below the package root;
 * the shop reads no crew config to find it).
 */
export function defaultServiceEntry(): string {
  const beside = join(__dirname, 'service.main.js');
  if (existsSync(beside)) return beside;
  return join(__dirname, '..', '..', '..', 'dist', 'apps', 'demo-shop', 'src', 'service.main.js');
}

/** host and port of a base URL (`http://[::1]:7100` → `::1`, 7100). */
export function listenAddress(baseUrl: string): { host: string; port: number } {
  const url = new URL(baseUrl);
  const port = Number(url.port || (url.protocol === 'https:' ? 443 : 80));
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port };
}

/** The supervisor's spec of one service: its command, environment and health URL. */
export function processSpec(
  name: ShopServiceName,
  entry: string,
  options: ShopOptions,
): SupervisedProcessSpec {
  const base = options.endpoints[name].replace(/\/+$/, '');
  const { host, port } = listenAddress(base);
  const memoryLimit = options.memoryLimitBytes?.[name] ?? DEFAULT_MEMORY_LIMIT_BYTES;
  const env: Record<string, string> = {
    [SERVICE_ENV.service]: name,
    [SERVICE_ENV.host]: host,
    [SERVICE_ENV.port]: String(port),
    [SERVICE_ENV.token]: options.control.token,
    [SERVICE_ENV.memoryLimit]: String(memoryLimit),
    ...(options.flagFile === null ? {} : { [SERVICE_ENV.flagFile]: options.flagFile }),
  };
  for (const dependency of SHOP_SERVICE_PROFILES[name].dependsOn) {
    env[dependencyEnvName(dependency)] = options.endpoints[dependency].replace(/\/+$/, '');
  }
  return {
    name,
    // Children get no PATH: the absolute path of this very Node binary.
    command: process.execPath,
    args: [entry],
    env,
    ...(options.cwd === undefined ? {} : { cwd: options.cwd }),
    health_url: `${base}/health`,
    memory_limit_bytes: memoryLimit,
  };
}

/** Until every service answers /health (any status); fails fast when one exits. */
async function waitUntilAnswering(
  supervisor: LocalProcessSupervisor,
  options: ShopOptions,
): Promise<void> {
  const deadline = Date.now() + (options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS);
  const pending = new Set<ShopServiceName>(SHOP_SERVICE_NAMES);
  while (pending.size > 0) {
    const down = supervisor
      .list()
      .filter((p) => pending.has(p.name as ShopServiceName) && !p.running);
    if (down.length > 0) {
      throw new ShopStartError(
        `demo shop: ${down.map((p) => `${p.name} ${p.status}`).join(', ')} before answering /health\n` +
          failureLogs(
            supervisor,
            down.map((p) => p.name),
          ),
      );
    }
    await Promise.all(
      [...pending].map(async (name) => {
        if (await answers(`${options.endpoints[name].replace(/\/+$/, '')}/health`))
          pending.delete(name);
      }),
    );
    if (pending.size === 0) return;
    if (Date.now() > deadline) {
      throw new ShopStartError(
        `demo shop: no answer on /health from ${[...pending].join(', ')} within ` +
          `${options.readyTimeoutMs ?? DEFAULT_READY_TIMEOUT_MS} ms\n${failureLogs(supervisor, [...pending])}`,
      );
    }
    await new Promise((resolve) => setTimeout(resolve, READY_POLL_MS));
  }
}

async function answers(url: string): Promise<boolean> {
  try {
    const response = await fetch(url, { signal: AbortSignal.timeout(PROBE_TIMEOUT_MS) });
    await response.body?.cancel();
    return true;
  } catch {
    return false;
  }
}

function failureLogs(supervisor: LocalProcessSupervisor, names: readonly string[]): string {
  return names
    .flatMap((name) =>
      (supervisor.logs(name, FAILURE_LOG_LINES)?.lines ?? []).map(
        (line: ProcessLogLine) => `  ${name} ${line.stream}: ${line.text}`,
      ),
    )
    .join('\n');
}
