import { type ChildProcess, spawn } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import { LineSplitter } from './line-splitter';
import { LogRingBuffer } from './log-ring.buffer';
import {
  type ProcessInspection,
  type ProcessLogLine,
  type ProcessStatus,
  type ProcessSummary,
} from './supervisor-control.contract';

export interface SupervisedProcessSpec {
  /** Name in the control API and the runtime (`services.watched.<x>.container` or the service name). */
  readonly name: string;
  /** Executable; an absolute path is safest (the child's PATH is only what `env` gives it). */
  readonly command: string;
  readonly args?: readonly string[];
  /**
   * The child's ENTIRE environment: nothing is inherited from the supervisor,
   * so the crew's credentials (Jira token, webhook URLs…) never leak into a
   * demo service.
   */
  readonly env?: Readonly<Record<string, string>>;
  readonly cwd?: string;
  /** GET it for health: 2xx = healthy. Absent: health `none`. */
  readonly health_url?: string;
  /** Failing health checks during this long after a start report `starting`, not `unhealthy`. */
  readonly health_start_period_ms?: number;
  /**
   * The memory the process is meant to stay under (a soft limit the process
   * enforces itself; no cgroup here). Reported by inspect beside its RSS, so a
   * memory check sees the pressure as it would a container's limit.
   */
  readonly memory_limit_bytes?: number;
}

export interface StopTimings {
  /** SIGTERM → wait this long → SIGKILL. */
  readonly grace_ms: number;
}

/**
 * A node service starts in well under a second; 5 s covers a cold start on a
 * loaded two-core machine before a failing health check counts as unhealthy.
 */
const DEFAULT_HEALTH_START_PERIOD_MS = 5_000;
/** A health endpoint slower than 1 s is unhealthy for our purposes (and the inspect call must stay quick). */
const HEALTH_TIMEOUT_MS = 1_000;
/** After SIGKILL the kernel reaps at once; 2 s only guards against a zombie we cannot wait for. */
const KILL_WAIT_MS = 2_000;

/** One child process: spawn, capture its output, stop and restart it by PID. */
export class SupervisedProcess {
  private child: ChildProcess | null = null;
  private pid: number | null = null;
  private status: ProcessStatus = 'stopped';
  private startedAt: string | null = null;
  private exitCode: number | null = null;
  private signal: string | null = null;
  private restarts = 0;
  private exited: Promise<void> = Promise.resolve();
  /** Restarts and stops of one process run one at a time. */
  private chain: Promise<unknown> = Promise.resolve();
  private readonly logs: LogRingBuffer<ProcessLogLine>;

  constructor(
    readonly spec: SupervisedProcessSpec,
    logLines: number,
  ) {
    this.logs = new LogRingBuffer(logLines);
  }

  get name(): string {
    return this.spec.name;
  }

  /** Spawns the process; resolves when it is running (or failed to spawn). */
  start(): Promise<void> {
    return this.serial(() => this.spawnChild());
  }

  /** SIGTERM, wait `grace_ms`, SIGKILL; the process stays down. */
  stop(timings: StopTimings): Promise<void> {
    return this.serial(async () => {
      await this.terminate(timings);
      this.status = 'stopped';
    });
  }

  /** Stop (SIGTERM, grace, SIGKILL) and spawn again; resolves with the new instance's summary. */
  restart(timings: StopTimings): Promise<ProcessSummary> {
    return this.serial(async () => {
      this.status = 'restarting';
      await this.terminate(timings);
      this.restarts++;
      await this.spawnChild();
      return this.summary();
    });
  }

  summary(): ProcessSummary {
    return {
      name: this.spec.name,
      pid: this.pid,
      running: this.status === 'running',
      status: this.status,
      started_at: this.startedAt,
      restart_count: this.restarts,
    };
  }

  async inspect(): Promise<ProcessInspection> {
    const summary = this.summary();
    const [rss, health] = await Promise.all([this.rssBytes(), this.health()]);
    return {
      ...summary,
      exit_code: summary.running ? null : this.exitCode,
      signal: summary.running ? null : this.signal,
      rss_bytes: rss,
      ...(this.spec.memory_limit_bytes !== undefined
        ? { memory_limit_bytes: this.spec.memory_limit_bytes }
        : {}),
      health,
    };
  }

  tail(n: number): ProcessLogLine[] {
    return this.logs.tail(n);
  }

  private serial<T>(work: () => Promise<T>): Promise<T> {
    const next = this.chain.then(work);
    this.chain = next.catch(() => undefined);
    return next;
  }

  private spawnChild(): Promise<void> {
    const spec = this.spec;
    const child = spawn(spec.command, [...(spec.args ?? [])], {
      cwd: spec.cwd,
      env: { ...(spec.env ?? {}) },
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a stop reaches the service's own children too (kill(-pid)).
      detached: true,
    });
    this.child = child;
    this.exitCode = null;
    this.signal = null;
    const splitters = { stdout: new LineSplitter(), stderr: new LineSplitter() };
    for (const stream of ['stdout', 'stderr'] as const) {
      const source = child[stream];
      source?.on('data', (chunk: Buffer) => {
        for (const text of splitters[stream].push(chunk)) this.capture(stream, text);
      });
      source?.on('end', () => {
        for (const text of splitters[stream].end()) this.capture(stream, text);
      });
    }
    this.exited = new Promise<void>((resolve) => {
      child.once('exit', (code, signal) => {
        if (this.child === child) {
          this.exitCode = code;
          this.signal = signal;
          this.pid = null;
          if (this.status === 'running') this.status = 'exited';
        }
        resolve();
      });
      child.once('error', (err) => {
        // Spawn failed (ENOENT, EACCES): no 'exit' follows.
        if (this.child === child && child.pid === undefined) {
          this.status = 'failed';
          this.pid = null;
          this.capture('stderr', `supervisor: spawn ${spec.command} failed: ${err.message}`);
          resolve();
        }
      });
    });
    return new Promise<void>((resolve) => {
      child.once('spawn', () => {
        this.pid = child.pid ?? null;
        this.startedAt = new Date().toISOString();
        this.status = 'running';
        resolve();
      });
      child.once('error', () => resolve());
    });
  }

  private async terminate(timings: StopTimings): Promise<void> {
    const child = this.child;
    if (child === null || child.exitCode !== null || child.signalCode !== null) return;
    if (child.pid === undefined) return; // never spawned
    this.signalGroup(child.pid, 'SIGTERM');
    if (await within(this.exited, timings.grace_ms)) return;
    this.signalGroup(child.pid, 'SIGKILL');
    await within(this.exited, KILL_WAIT_MS);
  }

  /** The child's process group (it leads one, being detached), else the child alone. */
  private signalGroup(pid: number, signal: NodeJS.Signals): void {
    try {
      process.kill(-pid, signal);
    } catch {
      try {
        process.kill(pid, signal);
      } catch {
        // already gone
      }
    }
  }

  private capture(stream: 'stdout' | 'stderr', text: string): void {
    this.logs.push({ stream, text, at: new Date().toISOString() });
  }

  private async rssBytes(): Promise<number | null> {
    if (this.pid === null || this.status !== 'running') return null;
    try {
      const status = await readFile(`/proc/${this.pid}/status`, 'utf8');
      const match = /^VmRSS:\s+(\d+)\s+kB/m.exec(status);
      return match?.[1] !== undefined ? Number(match[1]) * 1024 : null;
    } catch {
      return null; // not Linux, or the process just went away
    }
  }

  private async health(): Promise<ProcessInspection['health']> {
    const url = this.spec.health_url;
    if (url === undefined || this.status !== 'running') return 'none';
    let ok = false;
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(HEALTH_TIMEOUT_MS) });
      await response.body?.cancel();
      ok = response.ok;
    } catch {
      ok = false;
    }
    if (ok) return 'healthy';
    const period = this.spec.health_start_period_ms ?? DEFAULT_HEALTH_START_PERIOD_MS;
    const started = this.startedAt === null ? 0 : Date.parse(this.startedAt);
    return Date.now() - started < period ? 'starting' : 'unhealthy';
  }
}

/** true when `promise` settled within `ms`. */
async function within(promise: Promise<void>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), ms);
  });
  try {
    return await Promise.race([promise.then(() => true as const), timeout]);
  } finally {
    clearTimeout(timer);
  }
}
