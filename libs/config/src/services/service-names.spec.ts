import { loadConfig } from '../config.loader';
import { SHIPPED_CONFIG_DIR } from '../testing/config-fixture';
import { describeWatchedServices, resolveServiceName } from './service-names';

describe('watched service names', () => {
  const { services } = loadConfig({ configDir: SHIPPED_CONFIG_DIR, env: {} }).config;

  it('resolves a name or an alias to the configured name, nothing else', () => {
    expect(resolveServiceName(services, 'cart')).toBe('cart');
    expect(resolveServiceName(services, 'cartservice')).toBe('cart');
    expect(resolveServiceName(services, 'cartt')).toBeUndefined();
    expect(resolveServiceName(services, 'nats')).toBeUndefined();
  });

  it('lists the names with their aliases for an error message', () => {
    expect(describeWatchedServices(services)).toMatch(/^frontend \(.*\), ad \(adservice\), cart /);
  });
});
