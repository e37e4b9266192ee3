import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type LoadedConfig, readRuntimeEnvironment } from '@opscrew/config';
import { type BusUser } from '@opscrew/messaging/bus-admin';
import { CREDENTIALS_FILE, LOCAL_NATS_DIR, readLocalCredentials } from './local-credentials';

/** The embedded server's URL, written at each start (its port may change between starts). */
export const URL_FILE = 'url';

export interface LocalBus {
  /** The embedded server, when the environment does not name one (NATS_URL). */
  readonly servers?: string[];
  readonly user: BusUser;
  readonly pass: string;
  /** The credentials file it came from (for messages). */
  readonly from: string;
}

/**
 * The embedded bus (`npm start` / `npm run demo`) as a CLI command on the same machine finds
 * it: `<project>/var/nats/credentials.env` and `var/nats/url`, written by the embedded start.
 * Used only when the config names no NATS credentials of its own (bus.user / bus.token):
 * then the command connects as `user` (`cli`, or `admin` for `bus provision`) with that
 * user's password from the file, to the URL in `var/nats/url` unless NATS_URL is set.
 */
export function discoverLocalBus(
  loaded: Pick<LoadedConfig, 'config' | 'resolvePath'>,
  user: BusUser,
  env: Readonly<Record<string, string | undefined>> = readRuntimeEnvironment().env,
): LocalBus | null {
  const { bus } = loaded.config;
  if (bus.user !== undefined || bus.token !== undefined) return null;
  const dir = loaded.resolvePath(LOCAL_NATS_DIR);
  const credentials = join(dir, CREDENTIALS_FILE);
  if (!existsSync(credentials)) return null;
  const pass = readLocalCredentials(credentials)[user];
  const urlFile = join(dir, URL_FILE);
  const url =
    env.NATS_URL === undefined && existsSync(urlFile)
      ? readFileSync(urlFile, 'utf8').trim()
      : undefined;
  return { ...(url ? { servers: [url] } : {}), user, pass, from: credentials };
}
