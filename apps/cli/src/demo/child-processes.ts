import { type ChildProcess, spawn } from 'node:child_process';
import { createWriteStream, type WriteStream } from 'node:fs';

/** After SIGTERM, agents drain the bus and close HTTP; 10 s is ample before SIGKILL. */
const STOP_GRACE_MS = 10_000;

export interface ChildSpec {
  readonly name: string;
  readonly command: string;
  readonly args: readonly string[];
  readonly env: Readonly<Record<string, string | undefined>>;
  readonly cwd: string;
  /** Output goes here (the demo's terminal stays readable). */
  readonly logFile: string;
}

interface Running {
  readonly spec: ChildSpec;
  readonly child: ChildProcess;
  readonly log: WriteStream;
}

/**
 * Every process the demo starts, so that every one of them is stopped again
 * (by PID, SIGTERM then SIGKILL) when the demo ends, fails or is interrupted —
 * and nothing else is ever touched.
 */
export class ChildProcesses {
  private readonly running = new Map<string, Running>();
  private stopping: Promise<void> | null = null;

  start(spec: ChildSpec): ChildProcess {
    const log = createWriteStream(spec.logFile, { flags: 'a' });
    const child = spawn(spec.command, [...spec.args], {
      cwd: spec.cwd,
      env: { ...spec.env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    child.stdout?.pipe(log, { end: false });
    child.stderr?.pipe(log, { end: false });
    this.running.set(spec.name, { spec, child, log });
    return child;
  }

  get(name: string): ChildProcess | undefined {
    return this.running.get(name)?.child;
  }

  /** Names of children that exited on their own (a crash the story should report). */
  exited(): string[] {
    return [...this.running.values()]
      .filter(({ child }) => child.exitCode !== null || child.signalCode !== null)
      .map(
        ({ spec, child }) =>
          `${spec.name} (${child.signalCode ?? `exit ${child.exitCode ?? '?'}`}; see ${spec.logFile})`,
      );
  }

  async stop(name: string): Promise<void> {
    const entry = this.running.get(name);
    if (!entry) return;
    await stopChild(entry.child);
    entry.log.end();
    this.running.delete(name);
  }

  /** Stops everything, newest first (agents before the bus they talk to). Idempotent. */
  stopAll(): Promise<void> {
    this.stopping ??= (async () => {
      for (const name of [...this.running.keys()].reverse()) await this.stop(name);
    })();
    return this.stopping;
  }
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
  await exited;
  clearTimeout(timer);
}
