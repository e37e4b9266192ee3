import {
  isShopServiceName,
  SHOP_SERVICE_NAMES,
  SHOP_SERVICE_PROFILES,
  type ShopServiceName,
} from './shop-service.profiles';

/** The variables a service process reads; the launcher sets exactly these. */
export const SERVICE_ENV = {
  service: 'SERVICE',
  host: 'HOST',
  port: 'PORT',
  flagFile: 'FLAG_FILE',
  token: 'OPSCREW_SHOP_TOKEN',
  memoryLimit: 'MEMORY_LIMIT_BYTES',
} as const;

/** `product-catalog` → `PRODUCT_CATALOG_URL`: where a service finds a dependency. */
export function dependencyEnvName(service: ShopServiceName): string {
  return `${service.toUpperCase().replace(/-/g, '_')}_URL`;
}

export interface ServiceEnv {
  readonly service: ShopServiceName;
  readonly host: string;
  readonly port: number;
  /** Absent: no flags (every flag off). */
  readonly flagFile: string | null;
  /** Absent: fault injection is refused (401). */
  readonly token: string | null;
  readonly memoryLimitBytes: number | null;
  /** Base URL of each dependency of this service. */
  readonly dependencies: Readonly<Partial<Record<ShopServiceName, string>>>;
}

/** The environment does not describe a runnable service; the message lists every problem. */
export class ServiceEnvError extends Error {
  override readonly name = 'ServiceEnvError';
}

/**
 * Reads a service process's settings. The shop's services are separate
 * programs started by the supervisor with an environment of their own (and
 * nothing else): their entry point is the one place they read it, like
 * libs/config for the agents.
 */
export function readServiceEnv(
  // eslint-disable-next-line no-restricted-properties -- a shop service is its own program: its environment, set by the launcher, is its only input
  env: Readonly<Record<string, string | undefined>> = process.env,
): ServiceEnv {
  const problems: string[] = [];
  const name = env[SERVICE_ENV.service] ?? '';
  if (!isShopServiceName(name)) {
    problems.push(
      `${SERVICE_ENV.service} must be one of ${SHOP_SERVICE_NAMES.join(', ')}, got "${name}"`,
    );
  }
  const port = Number(env[SERVICE_ENV.port]);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    problems.push(
      `${SERVICE_ENV.port} must be a port number, got "${env[SERVICE_ENV.port] ?? ''}"`,
    );
  }
  const limitText = env[SERVICE_ENV.memoryLimit];
  const memoryLimitBytes = limitText === undefined || limitText === '' ? null : Number(limitText);
  if (
    memoryLimitBytes !== null &&
    !(Number.isSafeInteger(memoryLimitBytes) && memoryLimitBytes > 0)
  ) {
    problems.push(`${SERVICE_ENV.memoryLimit} must be a positive integer, got "${limitText}"`);
  }
  const dependencies: Partial<Record<ShopServiceName, string>> = {};
  if (isShopServiceName(name)) {
    for (const dependency of SHOP_SERVICE_PROFILES[name].dependsOn) {
      const variable = dependencyEnvName(dependency);
      const url = env[variable];
      if (url === undefined || !/^https?:\/\/[^/]+/.test(url)) {
        problems.push(`${variable} must be the base URL of ${dependency}, got "${url ?? ''}"`);
      } else {
        dependencies[dependency] = url;
      }
    }
  }
  if (problems.length > 0 || !isShopServiceName(name)) {
    throw new ServiceEnvError(`demo-shop service environment: ${problems.join('; ')}`);
  }
  return {
    service: name,
    host: nonEmpty(env[SERVICE_ENV.host]) ?? '127.0.0.1',
    port,
    flagFile: nonEmpty(env[SERVICE_ENV.flagFile]),
    token: nonEmpty(env[SERVICE_ENV.token]),
    memoryLimitBytes,
    dependencies,
  };
}

function nonEmpty(value: string | undefined): string | null {
  return value === undefined || value === '' ? null : value;
}
