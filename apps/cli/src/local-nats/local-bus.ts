import { join } from 'node:path';
import { type OpscrewConfig } from '@opscrew/config';
import { ADMIN_USER, type ProvisionReport, SubjectMapper } from '@opscrew/messaging/bus-admin';
import { provisionBus } from '../commands/bus-provision.command';
import { ensureLocalCredentials, type LocalCredentials } from './local-credentials';
import { LocalNatsServer } from './local-nats-server';

export interface LocalBusOptions {
  /** var/nats: credentials.env (kept), nats.conf, the log and pid. */
  readonly dir: string;
  /** Where credentials.env lives when not in `dir` (a demo run: the project's var/nats). */
  readonly credentialsDir?: string;
  /** Where JetStream keeps its data (var/nats/store: kept across starts; a demo run's own). */
  readonly storeDir: string;
  readonly port: number;
  readonly httpPort: number | null;
  readonly config: OpscrewConfig;
  readonly serverName?: string;
}

export interface LocalBus {
  readonly server: LocalNatsServer;
  readonly credentials: LocalCredentials;
  readonly report: ProvisionReport;
}

/**
 * The embedded path's bus, start to ready: credentials generated on first start (kept after),
 * nats.conf rendered for the config's bus, our own nats-server on 127.0.0.1:<port>, and the
 * topology provisioned as `admin` — what `opscrew bus provision` does — before any agent
 * starts. A failure after the server started stops it again.
 */
export async function startLocalBus(options: LocalBusOptions): Promise<LocalBus> {
  const credentials = ensureLocalCredentials(options.credentialsDir ?? options.dir);
  const { bus } = options.config;
  const server = await LocalNatsServer.start({
    dir: options.dir,
    storeDir: options.storeDir,
    port: options.port,
    httpPort: options.httpPort,
    mapper: new SubjectMapper(bus.namespace, bus.stream),
    passwords: credentials.passwords,
    ...(options.serverName ? { serverName: options.serverName } : {}),
  });
  try {
    const report = await provisionBus(options.config, {
      user: ADMIN_USER,
      pass: credentials.passwords[ADMIN_USER],
      servers: [server.url],
      source: credentials.path,
    });
    return { server, credentials, report };
  } catch (error) {
    await server.stop();
    throw error;
  }
}

/** `<project>/var/nats`, the embedded bus's folder. */
export function localNatsDir(projectRoot: string): string {
  return join(projectRoot, 'var', 'nats');
}
