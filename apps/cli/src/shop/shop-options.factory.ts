import { type LoadedConfig } from '@opscrew/config';
import {
  SHOP_SERVICE_NAMES,
  type ShopControlOptions,
  type ShopOptions,
  type ShopServiceName,
} from '../../../demo-shop/src';

const LOOPBACK_HOSTS = ['127.0.0.1', '::1', 'localhost'] as const;

/** The configuration cannot run the shop; one line per problem, naming the config path. */
export class ShopConfigError extends Error {
  override readonly name = 'ShopConfigError';

  constructor(readonly problems: readonly string[]) {
    super(problems.join('\n'));
  }
}

/**
 * The shop as the crew's configuration describes it (the CLI reads the config: the
 * shop itself knows nothing of it), so that the crew and the shop
 * can never disagree: each service listens where ops-monitor scrapes it
 * (`integrations.metrics.scrape.targets`, the origin of each URL), the
 * supervisor's control API is where jira-resolver restarts through
 * (`integrations.runtime.process`), and the flag file is the one
 * demo-controller writes (`integrations.flags.flag_file`, relative to the
 * project root).
 */
export function shopOptionsFromConfig(loaded: LoadedConfig): ShopOptions {
  const { integrations } = loaded.config;
  const problems: string[] = [];
  const targets = integrations.metrics.scrape?.targets ?? {};
  const endpoints: Partial<Record<ShopServiceName, string>> = {};
  for (const name of SHOP_SERVICE_NAMES) {
    const where = `integrations.metrics.scrape.targets.${name}`;
    const target = targets[name];
    if (target === undefined) {
      problems.push(`${where}: missing (the demo shop runs ${name} where it is scraped)`);
      continue;
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      problems.push(`${where}: not a URL: ${JSON.stringify(target)}`);
      continue;
    }
    if (url.protocol !== 'http:' || url.port === '' || url.pathname !== '/metrics') {
      problems.push(
        `${where}: the demo shop serves http://HOST:PORT/metrics, got ${JSON.stringify(target)}`,
      );
      continue;
    }
    endpoints[name] = url.origin;
  }
  const control = controlOptions(loaded, problems);
  if (problems.length > 0 || control === null) throw new ShopConfigError(problems);
  return {
    endpoints: endpoints as Record<ShopServiceName, string>,
    control,
    flagFile: loaded.resolvePath(integrations.flags.flag_file),
    cwd: loaded.projectRoot,
  };
}

function controlOptions(loaded: LoadedConfig, problems: string[]): ShopControlOptions | null {
  const supervisor = loaded.config.integrations.runtime.process;
  if (supervisor === undefined) {
    problems.push(
      'integrations.runtime.process: missing (control_url and token of the supervisor)',
    );
    return null;
  }
  const url = new URL(supervisor.control_url);
  const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
  if (!(LOOPBACK_HOSTS as readonly string[]).includes(host) || url.port === '') {
    problems.push(
      `integrations.runtime.process.control_url: must be http://<loopback>:<port>, got ${JSON.stringify(supervisor.control_url)}`,
    );
    return null;
  }
  return {
    host: host as ShopControlOptions['host'],
    port: Number(url.port),
    token: supervisor.token,
  };
}
