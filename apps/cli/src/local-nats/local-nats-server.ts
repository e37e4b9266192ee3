import { type ChildProcess, spawn } from 'node:child_process';
import { readRuntimeEnvironment } from '@opscrew/config';
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BUS_USERS,
  natsPasswordVariable,
  renderNatsServerConf,
  type SubjectMapper,
} from '@opscrew/messaging/bus-admin';
import { type Passwords } from './local-credentials';

/** `npm start`'s NATS port: 4222 is usually an open system NATS already. */
export const DEFAULT_LOCAL_NATS_PORT = 4322;
/** Its monitoring endpoint (`/healthz`, `/varz`), loopback only. */
export const DEFAULT_LOCAL_NATS_HTTP_PORT = 8322;
const READY_TIMEOUT_MS = 15_000;
const STOP_GRACE_MS = 10_000;

export interface LocalNatsServerOptions {
  /** Holds nats.conf, nats-server.log and nats-server.pid (var/nats, or a demo run's folder). */
  readonly dir: string;
  /** JetStream's store (var/nats/store: kept across starts). */
  readonly storeDir: string;
  readonly port: number;
  /** Monitoring port on 127.0.0.1; null: none. */
  readonly httpPort: number | null;
  /** The bus the permissions are rendered for (its namespace and stream). */
  readonly mapper: SubjectMapper;
  readonly passwords: Passwords;
  readonly serverName?: string;
}

/**
 * The embedded path's own nats-server: the generated nats.conf (one least-privilege user per
 * agent, the CLI, the reporter and the admin — the same renderer as deploy/nats/nats.conf)
 * with local settings, listening on 127.0.0.1 only. Its environment holds the passwords the
 * conf references as `$NATS_PASSWORD_<USER>`, and nothing else of ours. Stopped by its PID.
 */
export class LocalNatsServer {
  private constructor(
    private readonly child: ChildProcess,
    readonly url: string,
    readonly confFile: string,
    readonly logFile: string,
  ) {}

  static async start(options: LocalNatsServerOptions): Promise<LocalNatsServer> {
    mkdirSync(options.dir, { recursive: true, mode: 0o700 });
    mkdirSync(options.storeDir, { recursive: true, mode: 0o700 });
    const confFile = join(options.dir, 'nats.conf');
    const logFile = join(options.dir, 'nats-server.log');
    const conf = renderNatsServerConf(options.mapper, {
      listen: `127.0.0.1:${options.port}`,
      http: options.httpPort === null ? null : `127.0.0.1:${options.httpPort}`,
      server_name: options.serverName ?? 'opscrew-local',
      store_dir: options.storeDir,
    });
    writeFileSync(
      confFile,
      `# The embedded bus of npm start / npm run demo, rendered at each start (no secrets here).\n${conf}`,
      { mode: 0o600 },
    );
    const env: NodeJS.ProcessEnv = { PATH: readRuntimeEnvironment().env.PATH ?? '/usr/bin:/bin' };
    for (const user of BUS_USERS) env[natsPasswordVariable(user)] = options.passwords[user];
    const child = spawn('nats-server', ['-c', confFile], {
      env,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const log = createWriteStream(logFile, { flags: 'a' });
    let output = '';
    const keep = (chunk: Buffer): void => {
      output += chunk.toString();
      log.write(chunk);
    };
    child.stdout?.on('data', keep);
    child.stderr?.on('data', keep);
    const spawnError = new Promise<Error>((resolve) => child.once('error', resolve));
    const server = new LocalNatsServer(
      child,
      `nats://127.0.0.1:${options.port}`,
      confFile,
      logFile,
    );
    const deadline = Date.now() + READY_TIMEOUT_MS;
    for (;;) {
      if (/Server is ready/.test(output)) break;
      const failed = await Promise.race([
        spawnError,
        new Promise<null>((resolve) => setTimeout(() => resolve(null), 50)),
      ]);
      if (failed !== null) {
        throw new Error(
          `cannot run nats-server (${failed.message}); install it (Debian/Ubuntu: apt-get install nats-server) or set NATS_URL to a server of yours`,
        );
      }
      if (child.exitCode !== null || Date.now() > deadline) {
        await server.stop();
        const inUse = /address already in use/i.test(output)
          ? ` (port ${options.port} is taken: set OPSCREW_LOCAL_NATS_PORT to a free one)`
          : '';
        throw new Error(`nats-server did not start${inUse}; see ${logFile}`);
      }
    }
    writeFileSync(join(options.dir, 'nats-server.pid'), `${child.pid ?? ''}\n`);
    return server;
  }

  get pid(): number | undefined {
    return this.child.pid;
  }

  /** SIGTERM by PID, SIGKILL after a grace period; resolves once it has exited. */
  async stop(): Promise<void> {
    if (this.child.exitCode !== null || this.child.signalCode !== null) return;
    const exited = new Promise<void>((resolve) => this.child.once('exit', () => resolve()));
    this.child.kill('SIGTERM');
    const timer = setTimeout(() => this.child.kill('SIGKILL'), STOP_GRACE_MS);
    await exited;
    clearTimeout(timer);
  }

  /** Stops it and removes its store (a demo run's throw-away server). */
  async stopAndRemove(storeDir: string): Promise<void> {
    await this.stop();
    rmSync(storeDir, { recursive: true, force: true });
  }
}
