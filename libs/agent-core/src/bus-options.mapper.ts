import { type BusAuthConfig, type BusConfig } from '@opscrew/config';
import { type BusOptions } from '@opscrew/messaging';

export interface BusOptionsOverrides extends Partial<Pick<BusOptions, 'wait_on_first_connect'>> {
  /**
   * The process's own NATS user (`agents.<name>.bus_auth`). It replaces the root
   * `bus.user`/`bus.password`/`bus.token` as a whole: mixing one user's name with
   * another credential would only ever fail to authenticate.
   */
  auth?: BusAuthConfig;
}

/** The bus section of the config as the messaging library takes it. */
export function busOptionsFromConfig(
  bus: BusConfig,
  name: string,
  overrides: BusOptionsOverrides = {},
): BusOptions {
  const { auth, ...rest } = overrides;
  const credentials = auth
    ? { user: auth.user, pass: auth.password }
    : {
        ...(bus.user ? { user: bus.user } : {}),
        ...(bus.password ? { pass: bus.password } : {}),
        ...(bus.token ? { token: bus.token } : {}),
      };
  return {
    servers: serverList(bus.servers),
    name,
    stream: bus.stream,
    ...(bus.namespace ? { namespace: bus.namespace } : {}),
    ...credentials,
    reconnect: bus.reconnect,
    duplicate_window_ms: bus.duplicate_window_s * 1000,
    replicas: bus.replicas,
    ...rest,
  };
}

/**
 * Every node as its own URL: `['nats://a:4222,nats://b:4222']` (one `${NATS_URL}` naming a
 * cluster) → two entries. nats.js takes a list and does not split a comma-separated string,
 * so without this it would try the whole string as one host and never reach a second node.
 */
export function serverList(servers: readonly string[]): string[] {
  return servers.flatMap((entry) =>
    entry
      .split(',')
      .map((url) => url.trim())
      .filter((url) => url !== ''),
  );
}
