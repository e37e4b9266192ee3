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
    servers: bus.servers,
    name,
    stream: bus.stream,
    ...(bus.namespace ? { namespace: bus.namespace } : {}),
    ...credentials,
    reconnect: bus.reconnect,
    duplicate_window_ms: bus.duplicate_window_s * 1000,
    ...rest,
  };
}
