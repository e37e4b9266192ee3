import { type RuntimeTarget } from '@opscrew/sandbox';
import type Dockerode from 'dockerode';
import { dockerLogLines } from './docker/docker-log.demuxer';
import { type DriverRestartResult, type RuntimeDriver } from './runtime-driver';
import { RuntimeDriverError } from './runtime-driver.error';
import { type LogLines, type RuntimeInspection } from './runtime.port';

/** Compose v1 and v2 both label containers with these. */
export const COMPOSE_SERVICE_LABEL = 'com.docker.compose.service';
export const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
/** `docker compose run` one-off containers carry the service label too: never the service itself. */
const COMPOSE_ONEOFF_LABEL = 'com.docker.compose.oneoff';

/**
 * A daemon that takes longer than this to list, inspect or read logs is stuck;
 * 15 s also covers a 2000-line log read from a slow disk.
 */
const READ_TIMEOUT_MS = 15_000;
/**
 * A restart takes up to stop_timeout_s (then Docker SIGKILLs) plus the start;
 * 30 s more covers a slow start (image layers, a loaded host).
 */
const RESTART_MARGIN_MS = 30_000;
/** Docker's StartedAt for a container that never started. */
const NEVER_STARTED = '0001-01-01T00:00:00Z';

/** The dockerode calls this driver makes (the real Dockerode satisfies it; tests pass fakes). */
export interface DockerApi {
  listContainers(options: {
    all: boolean;
    filters: { label?: string[]; name?: string[] };
    abortSignal?: AbortSignal;
  }): Promise<Dockerode.ContainerInfo[]>;
  getContainer(id: string): DockerContainerApi;
}

export interface DockerContainerApi {
  inspect(options: { abortSignal?: AbortSignal }): Promise<Dockerode.ContainerInspectInfo>;
  restart(options: { t: number; abortSignal?: AbortSignal }): Promise<unknown>;
  logs(options: {
    stdout: boolean;
    stderr: boolean;
    tail: number;
    follow: false;
    timestamps: boolean;
    abortSignal?: AbortSignal;
  }): Promise<Buffer>;
}

export interface DockerRuntimeDriverOptions {
  /** `integrations.runtime.docker.socket_path`. */
  readonly socket_path: string;
  /** `integrations.runtime.docker.compose_project`: narrows the label lookup to one project. */
  readonly compose_project?: string;
  /** Seconds Docker waits for a graceful stop before SIGKILL during restart. */
  readonly stop_timeout_s: number;
  /** Injected for tests; default: Dockerode on `socket_path`. */
  readonly docker?: DockerApi;
}

interface FoundContainer {
  readonly id: string;
  readonly name: string;
}

/**
 * The Docker Engine driver (dockerode). A service's container is found by its
 * compose labels (`com.docker.compose.service=<runtime name>`, plus the
 * project when configured), else by its exact container name. Only inspect,
 * logs and restart exist here.
 */
export class DockerRuntimeDriver implements RuntimeDriver {
  readonly kind = 'docker';
  private api: Promise<DockerApi> | null = null;

  constructor(private readonly options: DockerRuntimeDriverOptions) {
    if (options.docker !== undefined) this.api = Promise.resolve(options.docker);
  }

  /**
   * dockerode (with gRPC and protobuf for BuildKit) takes ~130 ms to load: only
   * on first use, so apps on the process runtime never pay for it.
   */
  private docker(): Promise<DockerApi> {
    if (this.api === null) {
      const socketPath = this.options.socket_path;
      this.api = import('dockerode').then(({ default: Docker }) => new Docker({ socketPath }));
    }
    return this.api;
  }

  async inspect(target: RuntimeTarget): Promise<RuntimeInspection> {
    const found = await this.find(target);
    const container = (await this.docker()).getContainer(found.id);
    const info = await this.call(target, 'inspect', () =>
      container.inspect({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) }),
    );
    return toInspection(target.service, info);
  }

  async logs(target: RuntimeTarget, tail: number): Promise<LogLines> {
    const found = await this.find(target);
    const container = (await this.docker()).getContainer(found.id);
    // The body is multiplexed only without a TTY: ask the container which it is.
    const info = await this.call(target, 'inspect', () =>
      container.inspect({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) }),
    );
    const body = await this.call(target, 'logs', () =>
      container.logs({
        stdout: true,
        stderr: true,
        tail,
        follow: false,
        timestamps: false,
        abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS),
      }),
    );
    return { service: target.service, lines: dockerLogLines(asBuffer(body), info.Config.Tty) };
  }

  async restart(target: RuntimeTarget): Promise<DriverRestartResult> {
    const found = await this.find(target);
    const container = (await this.docker()).getContainer(found.id);
    const t = this.options.stop_timeout_s;
    await this.call(target, 'restart', () =>
      container.restart({ t, abortSignal: AbortSignal.timeout(t * 1000 + RESTART_MARGIN_MS) }),
    );
    const info = await this.call(target, 'inspect', () =>
      container.inspect({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) }),
    );
    return { started_at: startedAt(info.State.StartedAt) };
  }

  /** The one container of the target: by compose labels, else by exact name. */
  private async find(target: RuntimeTarget): Promise<FoundContainer> {
    const docker = await this.docker();
    const name = target.runtime_name;
    const labels = [`${COMPOSE_SERVICE_LABEL}=${name}`];
    if (this.options.compose_project !== undefined) {
      labels.push(`${COMPOSE_PROJECT_LABEL}=${this.options.compose_project}`);
    }
    const labelled = (
      await this.call(target, 'list containers', () =>
        docker.listContainers({
          all: true,
          filters: { label: labels },
          abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS),
        }),
      )
    ).filter((c) => c.Labels?.[COMPOSE_ONEOFF_LABEL] !== 'True');
    if (labelled.length > 1) {
      throw new RuntimeDriverError(
        'docker',
        'failed',
        `service ${target.service}: ${labelled.length} containers match labels ${labels.join(', ')} (${labelled
          .map((c) => displayName(c))
          .join(', ')}); restarting one replica of a scaled service is not supported`,
      );
    }
    const only = labelled[0];
    if (only !== undefined) return { id: only.Id, name: displayName(only) };
    // Docker's name filter is a substring/regex match: keep only the exact name.
    const named = (
      await this.call(target, 'list containers', () =>
        docker.listContainers({
          all: true,
          filters: { name: [name] },
          abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS),
        }),
      )
    ).filter((c) => (c.Names ?? []).includes(`/${name}`));
    const exact = named[0];
    if (exact !== undefined) return { id: exact.Id, name };
    throw new RuntimeDriverError(
      'docker',
      'not_found',
      `no container for service ${target.service}: tried labels ${labels.join(', ')} and container name "${name}" (daemon at ${this.options.socket_path})`,
    );
  }

  /** Runs one Engine API call and turns its failure into a RuntimeDriverError that says where. */
  private async call<T>(target: RuntimeTarget, what: string, run: () => Promise<T>): Promise<T> {
    try {
      return await run();
    } catch (err: unknown) {
      throw this.translate(target, what, err);
    }
  }

  private translate(target: RuntimeTarget, what: string, err: unknown): RuntimeDriverError {
    if (err instanceof RuntimeDriverError) return err;
    const e = err as { code?: unknown; statusCode?: unknown; name?: unknown; message?: unknown };
    const message = typeof e.message === 'string' ? e.message : String(err);
    const socket = this.options.socket_path;
    if (
      typeof e.code === 'string' &&
      ['ENOENT', 'ECONNREFUSED', 'EACCES', 'ECONNRESET', 'EPIPE', 'ENOTSOCK'].includes(e.code)
    ) {
      return new RuntimeDriverError(
        'docker',
        'unreachable',
        `Docker daemon unreachable at unix://${socket} (${e.code}) during ${what} of ${target.service}: is dockerd running and the socket readable?`,
      );
    }
    if (e.name === 'AbortError' || e.name === 'TimeoutError') {
      return new RuntimeDriverError(
        'docker',
        'timeout',
        `Docker daemon at unix://${socket} did not answer ${what} of ${target.service} in time`,
      );
    }
    if (e.statusCode === 404) {
      return new RuntimeDriverError(
        'docker',
        'not_found',
        `container of service ${target.service} vanished during ${what}: ${message}`,
      );
    }
    return new RuntimeDriverError(
      'docker',
      'failed',
      `Docker ${what} of ${target.service} failed${typeof e.statusCode === 'number' ? ` (HTTP ${e.statusCode})` : ''}: ${message}`,
    );
  }
}

export function toInspection(
  service: string,
  info: Dockerode.ContainerInspectInfo,
): RuntimeInspection {
  const state = info.State;
  const memoryLimit = info.HostConfig?.Memory;
  return {
    service,
    id: info.Id,
    name: info.Name.replace(/^\//, ''),
    running: state.Running,
    status: state.Status,
    oom_killed: state.OOMKilled,
    // A running container's ExitCode is Docker's 0 placeholder, not an exit: report none.
    exit_code: state.Running ? null : state.ExitCode,
    health: healthOf(state.Health?.Status),
    started_at: startedAt(state.StartedAt),
    restart_count: info.RestartCount,
    ...(typeof memoryLimit === 'number' && memoryLimit > 0
      ? { memory_limit_bytes: memoryLimit }
      : {}),
  };
}

function healthOf(status: string | undefined): RuntimeInspection['health'] {
  return status === 'healthy' || status === 'unhealthy' || status === 'starting' ? status : 'none';
}

function startedAt(value: string | undefined): string | null {
  return value === undefined || value === '' || value === NEVER_STARTED ? null : value;
}

function displayName(c: Dockerode.ContainerInfo): string {
  return (c.Names?.[0] ?? c.Id.slice(0, 12)).replace(/^\//, '');
}

/**
 * docker-modem parses every body that is valid JSON: a TTY container whose
 * whole log is, say, `42` comes back as the number. Multiplexed bodies start
 * with a 0x01/0x02 byte and never parse, so only raw TTY text is affected;
 * re-serialising it loses nothing but insignificant whitespace.
 */
function asBuffer(body: unknown): Buffer {
  if (Buffer.isBuffer(body)) return body;
  if (typeof body === 'string') return Buffer.from(body, 'utf8');
  return Buffer.from(`${JSON.stringify(body)}\n`, 'utf8');
}
