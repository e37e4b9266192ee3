import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';

/**
 * Process-level settings. This file and the loader are the only readers of
 * `process.env` (DESIGN.md): everything else receives values, so tests and
 * the CLI see the same environment as the services.
 */
export interface RuntimeEnvironment {
  /** Config root: `--config`, else `OPSCREW_CONFIG`, else `./config`, else the package's own. */
  readonly configDir: string;
  /** `PORT` overrides the agent's configured port for a single process. */
  readonly port?: number;
  readonly logLevel: string;
  /** `OPSCREW_ENV_FILE` replaces `<project root>/.env`. */
  readonly dotenvPath?: string;
  readonly env: Readonly<Record<string, string | undefined>>;
  /**
   * `opscrew start all`'s control endpoint, handed to atlas's process only (its URL and a token
   * generated for that run): how atlas restarts a stale agent under the supervisor. Absent when
   * atlas runs on its own.
   */
  readonly supervisorControl?: SupervisorControl;
}

export interface SupervisorControl {
  /** `http://127.0.0.1:<port>`: loopback only. */
  readonly url: string;
  readonly token: string;
}

/** The variables the supervisor sets in atlas's environment (and strips from every other child's). */
export const SUPERVISOR_URL_VARIABLE = 'OPSCREW_SUPERVISOR_URL';
export const SUPERVISOR_TOKEN_VARIABLE = 'OPSCREW_SUPERVISOR_TOKEN';

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'];

export interface RuntimeOverrides {
  readonly configDir?: string;
  /**
   * Variables laid over the process environment for this agent only (a test runs an agent in
   * its own process without changing the process's variables).
   */
  readonly env?: Readonly<Record<string, string>>;
}

export function readRuntimeEnvironment(overrides: RuntimeOverrides = {}): RuntimeEnvironment {
  const env = overrides.env ? { ...process.env, ...overrides.env } : process.env;
  const configDir = overrides.configDir ?? env.OPSCREW_CONFIG ?? defaultConfigDir();
  const portText = env.PORT;
  let port: number | undefined;
  if (portText !== undefined && portText !== '') {
    port = Number(portText);
    if (!Number.isInteger(port) || port < 1 || port > 65_535) {
      throw new Error(`PORT: must be an integer between 1 and 65535, got "${portText}"`);
    }
  }
  const logLevel = env.OPSCREW_LOG_LEVEL ?? 'info';
  if (!LOG_LEVELS.includes(logLevel)) {
    throw new Error(
      `OPSCREW_LOG_LEVEL: must be one of ${LOG_LEVELS.join(', ')}, got "${logLevel}"`,
    );
  }
  const supervisorControl = readSupervisorControl(env);
  return {
    configDir: resolve(configDir),
    ...(port !== undefined ? { port } : {}),
    logLevel,
    ...(env.OPSCREW_ENV_FILE ? { dotenvPath: resolve(env.OPSCREW_ENV_FILE) } : {}),
    env,
    ...(supervisorControl ? { supervisorControl } : {}),
  };
}

/** Both variables or neither; the URL must be loopback (the endpoint never listens elsewhere). */
function readSupervisorControl(
  env: Readonly<Record<string, string | undefined>>,
): SupervisorControl | undefined {
  const url = env[SUPERVISOR_URL_VARIABLE];
  const token = env[SUPERVISOR_TOKEN_VARIABLE];
  if ((url === undefined || url === '') && (token === undefined || token === '')) return undefined;
  if (!url || !token) {
    throw new Error(
      `${SUPERVISOR_URL_VARIABLE} and ${SUPERVISOR_TOKEN_VARIABLE} go together (set by \`opscrew start all\` for atlas); only one is set`,
    );
  }
  if (!/^http:\/\/127\.0\.0\.1:\d{1,5}$/.test(url)) {
    throw new Error(`${SUPERVISOR_URL_VARIABLE}: must be http://127.0.0.1:<port>, got "${url}"`);
  }
  return { url, token };
}

/** `./config` when run from a checkout, else the config shipped with the package. */
function defaultConfigDir(): string {
  const local = resolve('config');
  if (existsSync(join(local, 'opscrew.json5'))) return local;
  return join(packageRoot(), 'config');
}

/** The opscrew package folder, found from this file whether it runs from src/ or dist/. */
export function packageRoot(): string {
  let dir = __dirname;
  for (;;) {
    const manifest = join(dir, 'package.json');
    if (existsSync(manifest)) {
      const parsed: unknown = JSON.parse(readFileSync(manifest, 'utf8'));
      if (
        parsed !== null &&
        typeof parsed === 'object' &&
        (parsed as { name?: unknown }).name === 'opscrew'
      )
        return dir;
    }
    const parent = dirname(dir);
    if (parent === dir) throw new Error(`cannot find the opscrew package root above ${__dirname}`);
    dir = parent;
  }
}

let cachedVersion: string | undefined;

/**
 * The opscrew package version (read once). Here, beside packageRoot, so the CLI can print it
 * without loading agent-core (Nest and the agents' whole runtime) for `--version` or `start all`.
 */
export function packageVersion(): string {
  if (cachedVersion === undefined) {
    const manifest: unknown = JSON.parse(readFileSync(join(packageRoot(), 'package.json'), 'utf8'));
    const version = (manifest as { version?: unknown }).version;
    cachedVersion = typeof version === 'string' ? version : '0.0.0';
  }
  return cachedVersion;
}
