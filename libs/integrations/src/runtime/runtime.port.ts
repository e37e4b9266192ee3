/**
 * The runtime port: what jira-resolver may do to a running service. Two
 * adapters (Docker Engine through dockerode; local processes of the embedded
 * demo shop) behind one sandbox: only `restart`, `logs` and `inspect` are ever
 * executed; anything else (`rm`, `exec`, `build`, `kill`, `stop`, …) is refused
 * with an audit record; protected services are never touched; a restart
 * carries the fencing token of the service's lease and is refused when stale.
 */

/** The lease a mutating command is made under: the executor re-checks it right before acting. */
export interface Fencing {
  /** Key in the `locks` bucket (`service.<name>`). */
  readonly key: string;
  /** The lease's KV revision when it was taken or last renewed. */
  readonly revision: number;
}

export interface RuntimeCaller {
  /** The agent asking (audit). */
  readonly agent: string;
  /** Why (audit, e.g. `INC-20261124-001 runbook high_error_rate step 2`). */
  readonly reason: string;
  readonly incident_id?: string;
}

export interface RuntimeInspection {
  readonly service: string;
  /** Container id / process id as a string. */
  readonly id: string;
  readonly name: string;
  readonly running: boolean;
  /** Docker's State.Status or the process supervisor's state (`running`, `exited`, `restarting`…). */
  readonly status: string;
  /** Docker State.OOMKilled: exit 137 alone is any SIGKILL, this says it was memory. */
  readonly oom_killed: boolean;
  readonly exit_code: number | null;
  readonly health: 'healthy' | 'unhealthy' | 'starting' | 'none';
  /** When the current instance started (ISO); a restart moves it forward. */
  readonly started_at: string | null;
  readonly restart_count: number;
  readonly memory_bytes?: number;
  readonly memory_limit_bytes?: number;
}

export interface LogLines {
  readonly service: string;
  /** Oldest first, stdout and stderr demultiplexed and interleaved as they came. */
  readonly lines: readonly { readonly stream: 'stdout' | 'stderr'; readonly text: string }[];
}

export interface RestartOutcome {
  readonly service: string;
  /** started_at of the new instance (ISO). */
  readonly started_at: string | null;
  /** true in observe mode: the decision was recorded, nothing was restarted. */
  readonly dry_run: boolean;
}

/** A command the sandbox refused; nothing was done. Its message says why. */
export class RuntimeRefusedError extends Error {
  override readonly name = 'RuntimeRefusedError';

  constructor(
    readonly command: string,
    readonly service: string,
    readonly reason: string,
  ) {
    super(`runtime refused ${command} on ${service}: ${reason}`);
  }
}

export interface RuntimePort {
  readonly kind: 'docker' | 'process';
  inspect(service: string, caller: RuntimeCaller): Promise<RuntimeInspection>;
  logs(service: string, tail: number, caller: RuntimeCaller): Promise<LogLines>;
  restart(service: string, fencing: Fencing, caller: RuntimeCaller): Promise<RestartOutcome>;
  /**
   * Any command by name: the single entry the policy sees (a model's proposal
   * ends here too). `restart`, `logs`, `inspect` are routed to the methods
   * above; everything else throws RuntimeRefusedError after an audit record.
   */
  execute(
    command: string,
    service: string,
    caller: RuntimeCaller,
    options?: { readonly fencing?: Fencing; readonly tail?: number },
  ): Promise<RuntimeInspection | LogLines | RestartOutcome>;
}

export const RUNTIME = Symbol('RUNTIME');
