import { defaultServiceEntry, listenAddress, processSpec, type ShopOptions } from './shop.launcher';
import {
  DEFAULT_MEMORY_LIMIT_BYTES,
  SHOP_SERVICE_NAMES,
  type ShopServiceName,
} from './shop-service.profiles';

const endpoints = Object.fromEntries(
  SHOP_SERVICE_NAMES.map((name, i) => [name, `http://127.0.0.1:${7100 + i}`]),
) as Record<ShopServiceName, string>;

const options: ShopOptions = {
  endpoints,
  control: { host: '127.0.0.1', port: 7190, token: 'token-0123456789abcdef' },
  flagFile: '/srv/var/flagd/demo.flagd.json',
  memoryLimitBytes: { recommendation: 64 * 1024 * 1024 },
  cwd: '/srv',
};

describe('the shop launcher', () => {
  it('gives each service only the environment it needs (no PATH, no crew credentials)', () => {
    const spec = processSpec('frontend', '/srv/dist/service.main.js', options);
    expect(spec).toEqual({
      name: 'frontend',
      command: process.execPath,
      args: ['/srv/dist/service.main.js'],
      cwd: '/srv',
      health_url: 'http://127.0.0.1:7100/health',
      memory_limit_bytes: DEFAULT_MEMORY_LIMIT_BYTES,
      env: {
        SERVICE: 'frontend',
        HOST: '127.0.0.1',
        PORT: '7100',
        OPSCREW_SHOP_TOKEN: 'token-0123456789abcdef',
        MEMORY_LIMIT_BYTES: String(DEFAULT_MEMORY_LIMIT_BYTES),
        FLAG_FILE: '/srv/var/flagd/demo.flagd.json',
        AD_URL: 'http://127.0.0.1:7101',
        CART_URL: 'http://127.0.0.1:7102',
        CHECKOUT_URL: 'http://127.0.0.1:7103',
        CURRENCY_URL: 'http://127.0.0.1:7104',
        PRODUCT_CATALOG_URL: 'http://127.0.0.1:7106',
        RECOMMENDATION_URL: 'http://127.0.0.1:7107',
      },
    });
  });

  it('applies a per-service memory limit and leaves FLAG_FILE out without flags', () => {
    const spec = processSpec('recommendation', '/x.js', { ...options, flagFile: null });
    expect(spec.memory_limit_bytes).toBe(64 * 1024 * 1024);
    expect(spec.env).toEqual({
      SERVICE: 'recommendation',
      HOST: '127.0.0.1',
      PORT: '7107',
      OPSCREW_SHOP_TOKEN: 'token-0123456789abcdef',
      MEMORY_LIMIT_BYTES: String(64 * 1024 * 1024),
      PRODUCT_CATALOG_URL: 'http://127.0.0.1:7106',
    });
  });

  it('listens where the base URL says', () => {
    expect(listenAddress('http://127.0.0.1:7100')).toEqual({ host: '127.0.0.1', port: 7100 });
    expect(listenAddress('http://[::1]:7101/')).toEqual({ host: '::1', port: 7101 });
    expect(listenAddress('http://localhost')).toEqual({ host: 'localhost', port: 80 });
  });

  it('runs the compiled entry from dist/', () => {
    expect(defaultServiceEntry()).toMatch(/dist\/apps\/demo-shop\/src\/service\.main\.js$/);
  });
});
