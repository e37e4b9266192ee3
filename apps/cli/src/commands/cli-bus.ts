import { type LoadedConfig, type OpscrewConfig, readRuntimeEnvironment } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import { type BusUser, NatsConnectionService } from '@opscrew/messaging/bus-admin';
import { NatsError } from 'nats';
import { discoverLocalBus } from '../local-nats/local-bus-discovery';

/** A CLI (or a client that spawned us) must not hang when NATS is away: a few seconds, then say so. */
export const CLI_CONNECT_TIMEOUT_MS = 5_000;

/** Who the command connects as, when not the config's `bus` credentials. */
export interface CliBusCredentials {
  readonly user: string;
  readonly pass: string;
  /** Replaces the config's bus.servers (the embedded server's URL). */
  readonly servers?: readonly string[];
  /** Where the password came from, for an authentication error (`NATS_PASSWORD_ADMIN`, a file). */
  readonly source: string;
}

export interface OpenCliBusOptions {
  readonly timeoutMs?: number;
  readonly credentials?: CliBusCredentials | null;
}

/**
 * The CLI's NATS connection: a bounded first connect with an error that says
 * where it looked and what to check (a refused user or password names the user and where
 * its password came from). It does not provision: `opscrew bus provision` (as the admin
 * user) makes the topology; a command finds a missing stream or bucket as an error saying
 * so. Throws with that message; a connection it made is closed first. The caller closes the
 * returned one.
 */
export async function openCliBus(
  config: OpscrewConfig,
  name: string,
  options: OpenCliBusOptions = {},
): Promise<NatsConnectionService> {
  const timeoutMs = options.timeoutMs ?? CLI_CONNECT_TIMEOUT_MS;
  const credentials = options.credentials ?? null;
  // Its own file, not @opscrew/agent-core's index (every agent module, Nest's core): the
  // supervisor provisions the bus through here before it spawns any agent.
  const { busOptionsFromConfig } =
    await import('../../../../libs/agent-core/src/bus-options.mapper');
  const base = busOptionsFromConfig(config.bus, name);
  const servers = credentials?.servers ? [...credentials.servers] : base.servers;
  // Given credentials replace the config's as a whole (a user with another's token never works).
  const { user: _user, pass: _pass, token: _token, ...anonymous } = base;
  const bus = new NatsConnectionService({
    ...(credentials ? { ...anonymous, user: credentials.user, pass: credentials.pass } : base),
    servers,
    wait_on_first_connect: false,
  });
  const where = `cannot reach NATS at ${servers.join(', ')}`;
  const who = credentials
    ? `user ${credentials.user} (password from ${credentials.source})`
    : base.user
      ? `user ${base.user} (bus.user / bus.password in the config)`
      : base.token
        ? 'the token in bus.token'
        : 'no credentials (the config names none)';
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      bus.connect().catch((error: unknown) => {
        if (error instanceof NatsError && error.code === 'AUTHORIZATION_VIOLATION') {
          throw new Error(
            `NATS at ${servers.join(', ')} refused ${who}: authorization violation (wrong user or password?)`,
          );
        }
        throw new Error(
          `${where}: ${errorMessage(error)} (is nats-server -js running? NATS_URL points elsewhere)`,
        );
      }),
      new Promise<never>((_, reject) => {
        timer = setTimeout(
          () => reject(new Error(`${where} within ${timeoutMs / 1000} s`)),
          timeoutMs,
        );
      }),
    ]);
    return bus;
  } catch (error) {
    await bus.close().catch(() => undefined);
    throw error;
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The embedded bus's credentials for `user` (`var/nats/credentials.env`, written by `npm start`
 * / `npm run demo`), when the config names none of its own; null otherwise (then the config's
 * bus credentials, or none on an open bus).
 */
export function localCredentials(
  loaded: Pick<LoadedConfig, 'config' | 'resolvePath'>,
  user: BusUser,
  env: Readonly<Record<string, string | undefined>> = readRuntimeEnvironment().env,
): CliBusCredentials | null {
  const local = discoverLocalBus(loaded, user, env);
  return local
    ? {
        user: local.user,
        pass: local.pass,
        source: local.from,
        ...(local.servers ? { servers: local.servers } : {}),
      }
    : null;
}
