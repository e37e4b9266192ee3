import { type ChildProcess, spawn } from 'node:child_process';
import { type AgentName } from '@opscrew/contracts';
import pino, { type Logger } from 'pino';

export interface SupervisedAgent {
  readonly agent: AgentName;
  /**
   * This process's replica id (`start all --replicas N`: `<agent>-<i>`); absent with one
   * process per agent. The supervisor knows each process by it (pids()).
   */
  readonly replica?: string;
  readonly command: string;
  readonly args: readonly string[];
  /** Its whole environment (the embedded bus: its own password only); default: ours. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** After SIGTERM an agent drains the bus and closes HTTP; 10 s is ample before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface AgentSupervisorOptions {
  /** Each child's environment at every (re)spawn; default: its spec's (see start.command.ts). */
  readonly envOf?: (spec: SupervisedAgent) => SupervisedAgent['env'];
  /** SIGTERM → SIGKILL; tests shorten it. */
  readonly stopGraceMs?: number;
}

/** What a restart did: the PID stopped and the PID started in its place. */
export interface ChildRestart {
  readonly agent: AgentName;
  readonly old_pid: number | null;
  readonly new_pid: number | null;
}

/**
 * `opscrew start all`: the four agents as child processes under one parent,
 * for local use. It restarts nothing on its own: a crash is logged loudly and
 * left for atlas, which sees the stale heartbeat, decides (once per stale episode, and not
 * at all in a crash loop: the loop protection lives in atlas, beside the notice and the
 * ledger entry) and asks through the control endpoint (supervisor-control.server.ts). The
 * supervisor only executes: `restart(agent)` stops that agent's children by PID and spawns them
 * again — every replica of it: the control endpoint names an agent, not a process (a replica
 * that crashed is left to an operator, or to a restart of its agent).
 * A silent restart loop here would hide the cause. Ctrl-C (or SIGTERM) stops every child it
 * started, by PID.
 */
export class AgentSupervisor {
  /** By replica id (the agent's name with one process per agent). */
  private readonly children = new Map<string, ChildProcess>();
  private readonly restarting = new Map<AgentName, Promise<ChildRestart>>();
  private stopping = false;
  private readonly logger: Logger;
  private resolveDone: (code: number) => void = () => undefined;
  readonly done: Promise<number>;

  constructor(
    private readonly agents: readonly SupervisedAgent[],
    logger?: Logger,
    private readonly options: AgentSupervisorOptions = {},
  ) {
    this.logger =
      logger ??
      pino({
        base: { agent: 'supervisor', pid: process.pid },
        timestamp: pino.stdTimeFunctions.isoTime,
      });
    this.done = new Promise((resolve) => {
      this.resolveDone = resolve;
    });
  }

  start(): void {
    for (const spec of this.agents) this.spawnChild(spec);
  }

  /** Whether `agent` is one of the children this supervisor runs. */
  supervises(agent: string): agent is AgentName {
    return this.agents.some((spec) => spec.agent === agent);
  }

  /**
   * Stop `agent`'s child by its PID (SIGTERM, SIGKILL after the grace period) and spawn it
   * again with the same command and environment. Only ever one of our own children.
   */
  async restart(agent: AgentName): Promise<ChildRestart> {
    const specs = this.agents.filter((candidate) => candidate.agent === agent);
    if (specs.length === 0) throw new Error(`${agent} is not supervised here`);
    if (this.stopping) throw new Error('the supervisor is stopping');
    const pending = this.restarting.get(agent);
    if (pending) return pending;
    const run = (async (): Promise<ChildRestart> => {
      // The first replica's PIDs are reported (ChildRestart names one process).
      const first = specs[0];
      const oldPid = first ? (this.children.get(keyOf(first))?.pid ?? null) : null;
      await Promise.all(
        specs.map(async (spec) => {
          const old = this.children.get(keyOf(spec));
          if (old) await stopChild(old, this.graceMs());
        }),
      );
      // Ctrl-C during the stop above: spawning now would leave a child nobody stops.
      if (this.stopping) throw new Error('the supervisor is stopping');
      const started = specs.map((spec) => this.spawnChild(spec));
      const newPid = started[0]?.pid ?? null;
      this.logger.warn(
        { child: agent, old_pid: oldPid, child_pid: newPid, processes: started.length },
        `restarted ${agent} on atlas's request (pid ${oldPid ?? '?'} → ${newPid ?? '?'}` +
          `${started.length > 1 ? `, ${started.length} replicas` : ''})`,
      );
      return { agent, old_pid: oldPid, new_pid: newPid };
    })();
    this.restarting.set(agent, run);
    try {
      return await run;
    } finally {
      this.restarting.delete(agent);
    }
  }

  private graceMs(): number {
    return this.options.stopGraceMs ?? STOP_GRACE_MS;
  }

  private spawnChild(spec: SupervisedAgent): ChildProcess {
    const env = this.options.envOf?.(spec) ?? spec.env;
    const child = spawn(spec.command, [...spec.args], {
      stdio: 'inherit',
      ...(env ? { env: { ...env } } : {}),
    });
    const key = keyOf(spec);
    this.children.set(key, child);
    this.logger.info(
      { child: key, child_pid: child.pid },
      `started ${key} (pid ${child.pid ?? '?'})`,
    );
    child.on('exit', (code, signal) => this.onExit(spec, child, code, signal));
    child.on('error', (error) =>
      this.logger.error(
        { child: spec.agent, err: error },
        `${spec.agent} could not be started: ${error.message}`,
      ),
    );
    return child;
  }

  /** Each process's PID by its replica id (the agent's name with one process per agent). */
  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.children].map(([key, child]) => [key, child.pid]));
  }

  /** Stop every child: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    await Promise.all([...this.children.values()].map((child) => stopChild(child, this.graceMs())));
    this.resolveDone(0);
  }

  private onExit(
    spec: SupervisedAgent,
    child: ChildProcess,
    code: number | null,
    signal: NodeJS.Signals | null,
  ): void {
    const { agent } = spec;
    const key = keyOf(spec);
    const how = signal ? `signal ${signal}` : `code ${code ?? '?'}`;
    // A replaced child (a restart under way or done) is no news.
    if (this.stopping || this.restarting.has(agent) || this.children.get(key) !== child) {
      this.logger.info({ child: key }, `${key} stopped (${how})`);
      return;
    }
    this.logger.error(
      { child: key, exit_code: code, signal },
      `${key} exited unexpectedly (${how}); not restarting it here — atlas sees its heartbeat age out, ` +
        `reports it and, with liveness.on_stale notify_and_restart, asks this supervisor to restart it. ` +
        `By hand: opscrew start ${agent}`,
    );
    const alive = [...this.children.values()].some(
      (candidate) => candidate.exitCode === null && candidate.signalCode === null,
    );
    if (!alive) {
      this.logger.error('every agent has exited; supervisor stops');
      this.resolveDone(1);
    }
  }
}

/** The name a process is known by: its replica id, else its agent. */
function keyOf(spec: SupervisedAgent): string {
  return spec.replica ?? spec.agent;
}

/** SIGTERM by PID, SIGKILL after the grace period; resolves once the child has exited. */
function stopChild(child: ChildProcess, graceMs: number): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise<void>((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}
