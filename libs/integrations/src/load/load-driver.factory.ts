import { existsSync } from 'node:fs';
import { type OpscrewConfig } from '@opscrew/config';
import { BuiltinLoadDriver, type BuiltinLoadDriverOptions } from './builtin.load-driver';
import { type LoadDriver } from './load-driver.port';
import { LocustLoadDriver } from './locust.load-driver';
import { isLocustInstalled, LocustProcess } from './locust.process';
import { isLoopbackHostname } from './loopback-url';

export interface LoadDriverDeps {
  /** Project-relative path → absolute (the locustfile is relative to the project root). */
  readonly resolvePath: (path: string) => string;
  readonly logger?: { log(message: string): void; warn(message: string): void };
  /** Default: `locust --version` exits 0. */
  readonly locustInstalled?: () => Promise<boolean>;
  /** The built-in driver's mix (and test seams): the caller's, e.g. demo-controller's shop mix. */
  readonly builtin: BuiltinLoadDriverOptions;
}

/**
 * The load driver the config chooses:
 * - `locust`: Locust's web API at `load.locust.api_url`. When nothing answers
 *   there, the URL is loopback and the locustfile exists, demo-controller
 *   starts Locust itself on that port (and stops it on close);
 * - `builtin`: the Node driver with the caller's task mix (`deps.builtin`);
 * - `auto`: Locust when the `locust` binary runs here and the locustfile
 *   exists, else builtin.
 */
export async function createLoadDriver(
  config: OpscrewConfig,
  deps: LoadDriverDeps,
): Promise<LoadDriver> {
  const load = config.integrations.load;
  const locustfile = deps.resolvePath(load.locust.locustfile);
  if (load.kind === 'builtin') return new BuiltinLoadDriver(deps.builtin);
  if (load.kind === 'auto') {
    const installed = await (deps.locustInstalled ?? (() => isLocustInstalled()))();
    if (!installed || !existsSync(locustfile)) {
      deps.logger?.log(
        `load: built-in driver (${installed ? `no locustfile at ${locustfile}` : 'locust is not installed'})`,
      );
      return new BuiltinLoadDriver(deps.builtin);
    }
  }
  const api = new URL(load.locust.api_url);
  const canLaunch = isLoopbackHostname(api.hostname) && existsSync(locustfile);
  deps.logger?.log(
    `load: Locust at ${load.locust.api_url}` +
      (canLaunch ? ` (started with ${locustfile} if nothing answers there)` : ''),
  );
  return new LocustLoadDriver({
    api_url: load.locust.api_url,
    timeout_ms: load.locust.timeout_ms,
    ...(canLaunch
      ? {
          launch: async () => {
            deps.logger?.log(`load: starting Locust on ${load.locust.api_url}`);
            return LocustProcess.start({
              locustfile,
              port: Number(api.port || (api.protocol === 'https:' ? 443 : 80)),
            });
          },
        }
      : {}),
  });
}
