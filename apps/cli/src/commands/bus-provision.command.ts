import { type LoadedConfig, type OpscrewConfig, readRuntimeEnvironment } from '@opscrew/config';
import { errorMessage } from '@opscrew/contracts';
import {
  ADMIN_USER,
  type BusUser,
  BUS_USERS,
  natsPasswordVariable,
  provisionAll,
  type ProvisionedItem,
  type ProvisionReport,
} from '@opscrew/messaging/bus-admin';
import { NatsError } from 'nats';
import { type CliIo, EXIT_FAILURE, EXIT_INVALID, EXIT_OK } from '../cli-io';
import { type CliBusCredentials, localCredentials, openCliBus } from './cli-bus';
import { type ConfigCommandOptions, loadForCli } from './config.commands';

export interface BusProvisionOptions extends ConfigCommandOptions {
  /** Connect as this user; its password from NATS_PASSWORD_<USER>. */
  readonly user?: string;
}

/**
 * Who provisions, in this order: `--user X` (password from `NATS_PASSWORD_X`); `admin` when
 * NATS_PASSWORD_ADMIN is set (compose's `provision` service, a Kubernetes Job); the embedded
 * bus's admin from var/nats/credentials.env; else the config's own bus credentials (none on
 * an open bus). A problem (an unknown user, a password variable unset) is a string.
 */
export function provisionCredentials(
  loaded: Pick<LoadedConfig, 'config' | 'resolvePath'>,
  user: string | undefined,
  env: Readonly<Record<string, string | undefined>> = readRuntimeEnvironment().env,
): CliBusCredentials | null | { problem: string } {
  if (user !== undefined) {
    if (!(BUS_USERS as readonly string[]).includes(user)) {
      return { problem: `unknown NATS user "${user}" (users: ${BUS_USERS.join(', ')})` };
    }
    const variable = natsPasswordVariable(user as BusUser);
    const pass = env[variable];
    if (pass === undefined || pass === '') {
      return { problem: `--user ${user}: set ${variable} to its password` };
    }
    return { user, pass, source: variable };
  }
  const adminVariable = natsPasswordVariable(ADMIN_USER);
  const adminPass = env[adminVariable];
  if (adminPass !== undefined && adminPass !== '') {
    return { user: ADMIN_USER, pass: adminPass, source: adminVariable };
  }
  return localCredentials(loaded, ADMIN_USER, env);
}

/** One line per stream, consumer and bucket: `created`, `updated (what)`, `unchanged`. */
export function describeProvisioning(report: ProvisionReport): string[] {
  const line = (kind: string, item: ProvisionedItem): string =>
    `${kind} ${item.name}: ${item.action}${item.changes?.length ? ` (${item.changes.join(', ')})` : ''}`;
  return [
    line('stream', report.stream),
    line('stream', report.deadLetterStream),
    ...report.consumers.map((item) => line('consumer', item)),
    ...report.buckets.map((item) => line('bucket', item)),
  ];
}

export function summarizeProvisioning(report: ProvisionReport): string {
  const items = [report.stream, report.deadLetterStream, ...report.consumers, ...report.buckets];
  const count = (action: ProvisionedItem['action']): number =>
    items.filter((item) => item.action === action).length;
  return `${count('created')} created, ${count('updated')} updated, ${count('unchanged')} unchanged`;
}

/**
 * Connects (as `credentials`, or the config's bus credentials when null), makes the declared
 * topology exist and match (provisionAll: idempotent, never deletes) and closes. Errors say
 * what to do: a refused login names the user and where its password came from; a refused
 * JetStream request (a user without the admin's rights) says to run it as admin.
 */
export async function provisionBus(
  config: OpscrewConfig,
  credentials: CliBusCredentials | null,
): Promise<ProvisionReport> {
  const bus = await openCliBus(config, 'opscrew-bus-provision', { credentials });
  try {
    return await provisionAll(await bus.jetstreamManager(), bus.subjects, {
      duplicate_window_ms: bus.options.duplicate_window_ms,
      replicas: bus.options.replicas,
    });
  } catch (error) {
    if (error instanceof NatsError && error.code === 'PERMISSIONS_VIOLATION') {
      const who = credentials?.user ?? config.bus.user ?? 'this connection';
      throw new Error(
        `${who} may not provision the bus (${error.message}); run it as the admin user: set ${natsPasswordVariable(ADMIN_USER)}`,
      );
    }
    throw error;
  } finally {
    await bus.close().catch(() => undefined);
  }
}

/**
 * `opscrew bus provision`: the admin step that makes the crew's streams, durables and buckets
 * exist (agents only verify them). Prints every item and what happened to it; idempotent (a
 * second run says `unchanged` throughout). Exit 0 done, 1 failed (unreachable, refused, a
 * change provisioning will not make), 2 bad input.
 */
export async function busProvision(options: BusProvisionOptions, io: CliIo): Promise<number> {
  const result = loadForCli(options, io);
  if ('exitCode' in result) return result.exitCode;
  const credentials = provisionCredentials(result.loaded, options.user);
  if (credentials !== null && 'problem' in credentials) {
    io.err(`opscrew bus provision: ${credentials.problem}`);
    return EXIT_INVALID;
  }
  const { config } = result.loaded;
  try {
    const report = await provisionBus(config, credentials);
    for (const line of describeProvisioning(report)) io.out(line);
    const servers = credentials?.servers ?? config.bus.servers;
    io.out(
      `bus topology provisioned on ${servers.join(', ')} as ${credentials?.user ?? config.bus.user ?? 'the config’s credentials'}: ${summarizeProvisioning(report)}`,
    );
    return EXIT_OK;
  } catch (error) {
    io.err(`opscrew bus provision: ${errorMessage(error)}`);
    return EXIT_FAILURE;
  }
}
