import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { freePort } from '@opscrew/testing';
import { type BusUser, BUS_USERS } from '../bus-user';
import { NatsConnectionService } from '../nats-connection.service';
import {
  generateNatsPassword,
  natsPasswordVariable,
  renderNatsServerConf,
} from '../nats-server-conf';
import { type SubjectMapper } from '../subject-mapper';

export interface AuthenticatedNatsServer {
  readonly url: string;
  readonly passwords: Readonly<Record<BusUser, string>>;
  /** A connection as `user`, with its password or the one given (closed by stop()). */
  busAs(user: BusUser, password?: string): Promise<NatsConnectionService>;
  /** Closes the connections, stops the server (by its pid) and removes its files. */
  stop(): Promise<void>;
}

/**
 * A private nats-server on a free port with the generated authorization (the same generator as
 * deploy/nats/nats.conf) and random test passwords: each crew user may do what its grant says and
 * nothing more. For tests of what the server refuses.
 */
export async function startAuthenticatedNatsServer(
  mapper: SubjectMapper,
  /** The server's environment (PATH to find nats-server); the passwords are added to it. */
  baseEnv: NodeJS.ProcessEnv,
): Promise<AuthenticatedNatsServer> {
  const dir = mkdtempSync(join(tmpdir(), 'opscrew-nats-users-'));
  // A leading letter: nats-server parses a `$VAR` value as a config token, so a password
  // starting with a digit would be read as a number and refused.
  const passwords = Object.fromEntries(
    BUS_USERS.map((user) => [user, generateNatsPassword()]),
  ) as Record<BusUser, string>;
  const port = await freePort();
  const url = `nats://127.0.0.1:${port}`;
  const confFile = join(dir, 'nats.conf');
  writeFileSync(
    confFile,
    renderNatsServerConf(mapper, {
      listen: `127.0.0.1:${port}`,
      http: null,
      server_name: 'opscrew-users-test',
      store_dir: join(dir, 'jetstream'),
    }),
  );
  const env: NodeJS.ProcessEnv = { ...baseEnv };
  for (const user of BUS_USERS) env[natsPasswordVariable(user)] = passwords[user];
  const server: ChildProcess = spawn(
    'nats-server',
    ['-js', '-c', confFile, '-p', String(port), '-a', '127.0.0.1'],
    { env, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  server.stdout?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  server.stderr?.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const opened: NatsConnectionService[] = [];

  const stop = async (): Promise<void> => {
    for (const bus of opened) await bus.close().catch(() => undefined);
    if (server.pid !== undefined && server.exitCode === null) {
      const exited = new Promise((resolve) => server.once('exit', resolve));
      process.kill(server.pid, 'SIGTERM');
      await exited;
    }
    rmSync(dir, { recursive: true, force: true });
  };

  const deadline = Date.now() + 15_000;
  while (!/Server is ready/.test(log)) {
    if (server.exitCode !== null || Date.now() > deadline) {
      await stop();
      throw new Error(`nats-server did not start:\n${log}`);
    }
    await new Promise((resolve) => setTimeout(resolve, 50));
  }

  return {
    url,
    passwords,
    async busAs(user: BusUser, password = passwords[user]): Promise<NatsConnectionService> {
      const bus = new NatsConnectionService({
        servers: [url],
        name: `users-test-${user}`,
        ...(mapper.namespace === undefined ? {} : { namespace: mapper.namespace }),
        user,
        pass: password,
        wait_on_first_connect: false,
        reconnect: { initial_delay_ms: 50, max_delay_ms: 500 },
      });
      opened.push(bus);
      await bus.connect();
      return bus;
    },
    stop,
  };
}
