import { errorMessage, type AgentName } from '@opscrew/contracts';
import type Dockerode from 'dockerode';
import { type AgentRuntime, refuseSelf, type RestartOutcome } from './agent-runtime.port';

/** The label docker-compose.yml puts on each crew agent's container: the only ones atlas restarts. */
export const AGENT_LABEL = 'opscrew.agent';
const COMPOSE_PROJECT_LABEL = 'com.docker.compose.project';
/** `docker compose run` one-offs carry the service's labels too: never the agent itself. */
const COMPOSE_ONEOFF_LABEL = 'com.docker.compose.oneoff';
const READ_TIMEOUT_MS = 15_000;
/** Docker waits stop_timeout_s before SIGKILL, then starts; 30 s more covers a slow start. */
const RESTART_MARGIN_MS = 30_000;

/** The three Engine API calls this adapter makes (the real Dockerode satisfies it). */
export interface AgentDockerApi {
  listContainers(options: {
    all: boolean;
    filters: { label: string[] };
    abortSignal?: AbortSignal;
  }): Promise<Dockerode.ContainerInfo[]>;
  getContainer(id: string): {
    inspect(options: { abortSignal?: AbortSignal }): Promise<Dockerode.ContainerInspectInfo>;
    restart(options: { t: number; abortSignal?: AbortSignal }): Promise<unknown>;
  };
}

export interface DockerAgentRuntimeOptions {
  readonly socket_path: string;
  /** Narrows the lookup to one compose project (two stacks on one host). */
  readonly compose_project?: string;
  readonly stop_timeout_s: number;
  /** Tests pass a client; default: Dockerode on `socket_path`, loaded on first use. */
  readonly docker?: AgentDockerApi;
}

/**
 * `liveness.runtime.kind: docker` (compose): restarts the agent's container through the Docker
 * Engine API on the unix socket. Only a container labelled `opscrew.agent=<agent>` (and the
 * compose project, when configured) is ever touched, and only `restart` is called: no create,
 * exec, stop or rm exists here. Exactly one container must match: a scaled agent or a
 * look-alike is refused, not guessed at.
 */
export class DockerAgentRuntime implements AgentRuntime {
  readonly kind = 'docker' as const;
  private api: Promise<AgentDockerApi> | null;

  constructor(private readonly options: DockerAgentRuntimeOptions) {
    this.api = options.docker ? Promise.resolve(options.docker) : null;
  }

  async restart(agent: AgentName): Promise<RestartOutcome> {
    const refused = refuseSelf(this.kind, agent);
    if (refused) return refused;
    const labels = [`${AGENT_LABEL}=${agent}`];
    if (this.options.compose_project !== undefined) {
      labels.push(`${COMPOSE_PROJECT_LABEL}=${this.options.compose_project}`);
    }
    try {
      const docker = await this.docker();
      const found = (
        await docker.listContainers({
          all: true,
          filters: { label: labels },
          abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS),
        })
      ).filter(
        (c) => c.Labels?.[AGENT_LABEL] === agent && c.Labels[COMPOSE_ONEOFF_LABEL] !== 'True',
      );
      const only = found[0];
      if (only === undefined || found.length > 1) {
        return {
          status: 'failed',
          runtime: this.kind,
          detail:
            found.length === 0
              ? `no container labelled ${labels.join(', ')} (daemon at unix://${this.options.socket_path})`
              : `${found.length} containers labelled ${labels.join(', ')}: restarting one replica is not supported`,
        };
      }
      const container = docker.getContainer(only.Id);
      const before = await container.inspect({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) });
      const t = this.options.stop_timeout_s;
      await container.restart({
        t,
        abortSignal: AbortSignal.timeout(t * 1000 + RESTART_MARGIN_MS),
      });
      const after = await container.inspect({ abortSignal: AbortSignal.timeout(READ_TIMEOUT_MS) });
      const name = (only.Names?.[0] ?? only.Id.slice(0, 12)).replace(/^\//, '');
      const oldPid = pidOf(before.State.Pid);
      const newPid = pidOf(after.State.Pid);
      return {
        status: 'restarted',
        runtime: this.kind,
        old_pid: oldPid,
        new_pid: newPid,
        detail: `container ${name} restarted (pid ${oldPid ?? '?'} → ${newPid ?? '?'})`,
      };
    } catch (error) {
      return {
        status: 'failed',
        runtime: this.kind,
        detail: `Docker restart of ${agent} via unix://${this.options.socket_path} failed: ${errorMessage(error)}`,
      };
    }
  }

  /** dockerode takes ~130 ms to load: only on the first restart. */
  private docker(): Promise<AgentDockerApi> {
    this.api ??= import('dockerode').then(
      ({ default: Docker }) => new Docker({ socketPath: this.options.socket_path }),
    );
    return this.api;
  }
}

/** A stopped container's Pid is 0: no PID. */
function pidOf(value: unknown): number | null {
  return typeof value === 'number' && Number.isInteger(value) && value > 0 ? value : null;
}
