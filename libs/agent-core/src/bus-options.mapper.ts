import { type BusConfig } from '@opscrew/config';
import { type BusOptions } from '@opscrew/messaging';

/** The bus section of the config as the messaging library takes it. */
export function busOptionsFromConfig(
  bus: BusConfig,
  name: string,
  overrides: Partial<Pick<BusOptions, 'wait_on_first_connect'>> = {},
): BusOptions {
  return {
    servers: bus.servers,
    name,
    stream: bus.stream,
    ...(bus.namespace ? { namespace: bus.namespace } : {}),
    ...(bus.user ? { user: bus.user } : {}),
    ...(bus.password ? { pass: bus.password } : {}),
    ...(bus.token ? { token: bus.token } : {}),
    reconnect: bus.reconnect,
    duplicate_window_ms: bus.duplicate_window_s * 1000,
    ...overrides,
  };
}
