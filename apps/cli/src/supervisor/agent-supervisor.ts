import { type ChildProcess, spawn } from 'node:child_process';
import { type AgentName } from '@opscrew/contracts';
import pino, { type Logger } from 'pino';

export interface SupervisedAgent {
  readonly agent: AgentName;
  readonly command: string;
  readonly args: readonly string[];
  /** Its whole environment (the embedded bus: its own password only); default: ours. */
  readonly env?: Readonly<Record<string, string | undefined>>;
}

/** After SIGTERM an agent drains the bus and closes HTTP; 10 s is ample before SIGKILL. */
const STOP_GRACE_MS = 10_000;

/**
 * `opscrew start all`: the four agents as child processes under one parent,
 * for local use. It restarts none of them: a crash is logged loudly and left
 * for atlas to report as stale, because a silent restart loop hides the cause.
 * Ctrl-C (or SIGTERM) stops every child it started, by PID.
 */
export class AgentSupervisor {
  private readonly children = new Map<AgentName, ChildProcess>();
  private stopping = false;
  private readonly logger: Logger;
  private resolveDone: (code: number) => void = () => undefined;
  readonly done: Promise<number>;

  constructor(
    private readonly agents: readonly SupervisedAgent[],
    logger?: Logger,
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
    for (const spec of this.agents) {
      const child = spawn(spec.command, [...spec.args], {
        stdio: 'inherit',
        ...(spec.env ? { env: { ...spec.env } } : {}),
      });
      this.children.set(spec.agent, child);
      this.logger.info(
        { child: spec.agent, child_pid: child.pid },
        `started ${spec.agent} (pid ${child.pid ?? '?'})`,
      );
      child.on('exit', (code, signal) => this.onExit(spec.agent, code, signal));
      child.on('error', (error) =>
        this.logger.error(
          { child: spec.agent, err: error },
          `${spec.agent} could not be started: ${error.message}`,
        ),
      );
    }
  }

  pids(): Record<string, number | undefined> {
    return Object.fromEntries([...this.children].map(([agent, child]) => [agent, child.pid]));
  }

  /** Stop every child: SIGTERM, then SIGKILL after the grace period. */
  async stop(): Promise<void> {
    this.stopping = true;
    const running = [...this.children.values()].filter(
      (child) => child.exitCode === null && child.signalCode === null,
    );
    for (const child of running) child.kill('SIGTERM');
    await Promise.all(
      running.map(
        (child) =>
          new Promise<void>((resolve) => {
            const timer = setTimeout(() => {
              child.kill('SIGKILL');
            }, STOP_GRACE_MS);
            child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (child.exitCode !== null || child.signalCode !== null) {
              clearTimeout(timer);
              resolve();
            }
          }),
      ),
    );
    this.resolveDone(0);
  }

  private onExit(agent: AgentName, code: number | null, signal: NodeJS.Signals | null): void {
    const how = signal ? `signal ${signal}` : `code ${code ?? '?'}`;
    if (this.stopping) {
      this.logger.info({ child: agent }, `${agent} stopped (${how})`);
      return;
    }
    this.logger.error(
      { child: agent, exit_code: code, signal },
      `${agent} exited unexpectedly (${how}); not restarting it — atlas reports it stale once its heartbeat ages out. ` +
        `Restart it with: opscrew start ${agent}`,
    );
    const alive = [...this.children.values()].some(
      (child) => child.exitCode === null && child.signalCode === null,
    );
    if (!alive) {
      this.logger.error('every agent has exited; supervisor stops');
      this.resolveDone(1);
    }
  }
}
