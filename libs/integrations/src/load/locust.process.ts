import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';

/** What to install when Locust is missing (Debian's package; its binary runs /usr/bin/python3). */
export const LOCUST_MISSING = 'install Locust (Debian/Ubuntu: apt-get install python3-locust)';

/**
 * Python plus gevent start Locust's web UI in 1–3 s on two cores; 30 s covers
 * a cold disk cache on a slow CI box without hiding a Locust that will never
 * come up.
 */
const READY_TIMEOUT_MS = 30_000;
/** Locust finishes its greenlets and exits within a second of SIGTERM; 5 s before SIGKILL. */
const STOP_GRACE_MS = 5_000;
const POLL_MS = 100;
/** `locust --version` imports the whole package: a few seconds cold. */
const PROBE_TIMEOUT_MS = 15_000;
/** The last 8 KiB of Locust's output explain a failed start (a traceback). */
const OUTPUT_TAIL_CHARS = 8192;

export interface LocustProcessOptions {
  readonly locustfile: string;
  readonly port: number;
  /** The web UI listens on loopback only: load is started from this machine, never from outside. */
  readonly web_host?: '127.0.0.1';
  readonly binary?: string;
  readonly cwd?: string;
  readonly ready_timeout_ms?: number;
}

/**
 * A Locust we started ourselves: `locust -f <locustfile> --web-host 127.0.0.1
 * --web-port <port>` (no --autostart: the swarm comes through the web API).
 * Stopped by its PID, never by name.
 */
export class LocustProcess {
  private output = '';

  private constructor(
    private readonly child: ChildProcess,
    readonly apiUrl: string,
  ) {
    const keep = (chunk: Buffer): void => {
      this.output = (this.output + chunk.toString('utf8')).slice(-OUTPUT_TAIL_CHARS);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    // A spawn error (ENOENT) is reported by waitReady through exitCode/the error text.
    child.on('error', (error) => keep(Buffer.from(`spawn error: ${error.message}\n`)));
  }

  static async start(options: LocustProcessOptions): Promise<LocustProcess> {
    if (!existsSync(options.locustfile))
      throw new Error(`locust: locustfile ${options.locustfile} does not exist`);
    const host = options.web_host ?? '127.0.0.1';
    const child = spawn(
      options.binary ?? 'locust',
      ['-f', options.locustfile, '--web-host', host, '--web-port', String(options.port)],
      { stdio: ['ignore', 'pipe', 'pipe'], ...(options.cwd ? { cwd: options.cwd } : {}) },
    );
    const locust = new LocustProcess(child, `http://${host}:${options.port}`);
    try {
      await locust.waitReady(options.ready_timeout_ms ?? READY_TIMEOUT_MS);
    } catch (error) {
      await locust.stop();
      throw error;
    }
    return locust;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** The tail of Locust's stdout and stderr. */
  logs(): string {
    return this.output;
  }

  /** SIGTERM to the PID we started, SIGKILL after a grace period. */
  async stop(): Promise<void> {
    const child = this.child;
    if (child.exitCode !== null || child.signalCode !== null || child.pid === undefined) return;
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (Date.now() < deadline) {
      if (this.child.exitCode !== null || this.child.signalCode !== null)
        throw new Error(
          `locust exited (${this.child.exitCode ?? this.child.signalCode}) before its web UI came up: ${this.output.trim()}`,
        );
      if (this.output.includes('spawn error:'))
        throw new Error(`locust could not be started: ${this.output.trim()} (${LOCUST_MISSING})`);
      try {
        const response = await fetch(`${this.apiUrl}/stats/requests`);
        if (response.status === 200) return;
      } catch {
        // not listening yet
      }
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
    throw new Error(
      `locust web UI not ready at ${this.apiUrl} within ${timeoutMs} ms: ${this.output.trim()}`,
    );
  }
}

/** Whether `locust` runs here (`locust --version` exits 0). */
export function isLocustInstalled(binary = 'locust'): Promise<boolean> {
  return new Promise((resolve) => {
    execFile(binary, ['--version'], { timeout: PROBE_TIMEOUT_MS }, (error) =>
      resolve(error === null),
    );
  });
}
