import { spawn, spawnSync } from 'node:child_process';
import { createWriteStream, statSync } from 'node:fs';
import { connect, createServer } from 'node:net';
import { join } from 'node:path';
import { REPO_ROOT } from './crew-harness';

/**
 * The crew's compose stack as a user runs it: the project's own docker-compose files, on the
 * host network (deploy/compose/host-network.yml: nothing crosses Docker's bridge), under a
 * project name of its own, brought down with its volumes at the end.
 */
export interface ComposeStackOptions {
  /** Compose project name and OPSCREW_STACK (the shop's container name prefix). */
  readonly project: string;
  /** Extra `-f` files after the shared file and the host-network variant. */
  readonly extraFiles?: readonly string[];
  /** What .env would give compose. */
  readonly env: Readonly<Record<string, string>>;
  /** Where `up`, `down` and the final logs are written. */
  readonly logDir: string;
}

/**
 * Why the compose suite cannot run here, or null when it can: only a missing Docker engine
 * (npm test and .ci/run start dockerd when they can — root and docker.io). Anything else the
 * suite needs (docker-compose, mmdebstrap without a registry) fails it with the reason instead.
 */
export function composeUnavailable(): string | null {
  if (spawnSync('docker', ['info'], { stdio: 'ignore' }).status !== 0) {
    return 'no Docker engine answers `docker info` (npm test and .ci/run start dockerd when they can: root and docker.io)';
  }
  return null;
}

/** Throws when docker-compose is missing: with an engine at hand, the suite must run. */
export function assertDockerCompose(): void {
  if (spawnSync('docker-compose', ['version'], { stdio: 'ignore' }).status !== 0) {
    throw new Error(
      'docker-compose is not installed (Debian/Ubuntu: apt-get install docker-compose; npm test installs it as root)',
    );
  }
}

/** The group of the Docker socket: jira-resolver's container needs it to restart containers. */
export function dockerSocketGid(): string {
  return String(statSync('/var/run/docker.sock').gid);
}

/** True when something accepts connections on 127.0.0.1:port. */
export function portTaken(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(true));
    server.listen(port, '127.0.0.1', () => server.close(() => resolve(false)));
  });
}

export class ComposeStack {
  constructor(private readonly options: ComposeStackOptions) {}

  private files(): string[] {
    return [
      '-p',
      this.options.project,
      '-f',
      join(REPO_ROOT, 'docker-compose.yml'),
      '-f',
      join(REPO_ROOT, 'deploy/compose/host-network.yml'),
      ...(this.options.extraFiles ?? []).flatMap((file) => ['-f', file]),
    ];
  }

  private env(): NodeJS.ProcessEnv {
    return {
      ...process.env,
      ...this.options.env,
      OPSCREW_STACK: this.options.project,
      // The shared .env of a checkout must not leak into the test's stack.
      COMPOSE_PROJECT_NAME: this.options.project,
    };
  }

  /** Runs one docker-compose command to completion; its output goes to `<logDir>/<name>.log`. */
  run(name: string, args: readonly string[], timeoutMs: number): Promise<void> {
    const log = createWriteStream(join(this.options.logDir, `${name}.log`), { flags: 'a' });
    return new Promise((resolve, reject) => {
      const child = spawn('docker-compose', [...this.files(), ...args], {
        cwd: REPO_ROOT,
        env: this.env(),
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let tail = '';
      const keep = (chunk: Buffer): void => {
        log.write(chunk);
        tail = (tail + chunk.toString('utf8')).slice(-4000);
      };
      child.stdout.on('data', keep);
      child.stderr.on('data', keep);
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('error', reject);
      child.once('close', (code, signal) => {
        clearTimeout(timer);
        log.end();
        if (code === 0) resolve();
        else
          reject(
            new Error(
              `docker-compose ${args.join(' ')} ${signal ? `was killed (${signal}) after ${timeoutMs} ms` : `exited ${code}`}:\n${tail}`,
            ),
          );
      });
    });
  }

  up(timeoutMs: number): Promise<void> {
    return this.run('up', ['up', '-d', '--no-build'], timeoutMs);
  }

  /** Stops and removes the containers, the project's network and its volumes. */
  down(timeoutMs: number): Promise<void> {
    return this.run('down', ['down', '-v', '--remove-orphans', '-t', '5'], timeoutMs);
  }

  /** Every container's last lines, for the report of a failed run. */
  logs(timeoutMs: number): Promise<void> {
    return this.run('logs', ['logs', '--no-color', '--tail', '200'], timeoutMs);
  }

  /** Container id of a compose service. */
  containerId(service: string): string {
    const result = spawnSync('docker-compose', [...this.files(), 'ps', '-q', service], {
      cwd: REPO_ROOT,
      env: this.env(),
      encoding: 'utf8',
    });
    const id = result.stdout.trim();
    if (result.status !== 0 || id === '') {
      throw new Error(`no container for ${service}: ${result.stderr.trim()}`);
    }
    return id;
  }

  /** `docker inspect` of a container: its state, health and start time. */
  inspect(id: string): ContainerState {
    const result = spawnSync('docker', ['inspect', '--format', '{{json .State}}', id], {
      encoding: 'utf8',
    });
    if (result.status !== 0) throw new Error(`docker inspect ${id}: ${result.stderr.trim()}`);
    return JSON.parse(result.stdout) as ContainerState;
  }
}

export interface ContainerState {
  Status: string;
  Running: boolean;
  StartedAt: string;
  Health?: { Status: string; FailingStreak: number };
}

/**
 * Publishes one message the way any NATS client would, without the project's code or a NATS
 * library: the client protocol's CONNECT and PUB over a TCP socket, then PING to learn that the
 * server took it (an authorization or permissions error arrives as -ERR before the PONG).
 */
export function publishWithRawNats(options: {
  port: number;
  user: string;
  password: string;
  subject: string;
  payload: string;
}): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = connect(options.port, '127.0.0.1');
    let received = '';
    let sent = false;
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`no answer from NATS on 127.0.0.1:${options.port}: ${received}`));
    }, 10_000);
    const finish = (error?: Error): void => {
      clearTimeout(timer);
      socket.end();
      if (error) reject(error);
      else resolve();
    };
    socket.on('error', finish);
    socket.on('data', (chunk) => {
      received += chunk.toString('utf8');
      if (!sent && received.startsWith('INFO ') && received.includes('\r\n')) {
        sent = true;
        const body = Buffer.from(options.payload, 'utf8');
        socket.write(
          `CONNECT ${JSON.stringify({ user: options.user, pass: options.password, verbose: false, pedantic: false, name: 'raw-socket-test', lang: 'text', protocol: 1 })}\r\n`,
        );
        socket.write(`PUB ${options.subject} ${body.length}\r\n`);
        socket.write(body);
        socket.write('\r\nPING\r\n');
        return;
      }
      if (received.includes('-ERR')) finish(new Error(`NATS refused: ${received.trim()}`));
      else if (received.includes('PONG')) finish();
    });
  });
}
