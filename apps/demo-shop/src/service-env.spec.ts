import { dependencyEnvName, readServiceEnv, ServiceEnvError } from './service-env';

describe('readServiceEnv', () => {
  const checkout = {
    SERVICE: 'checkout',
    PORT: '7103',
    FLAG_FILE: '/srv/var/flagd/demo.flagd.json',
    OPSCREW_SHOP_TOKEN: 'token-0123456789abcdef',
    MEMORY_LIMIT_BYTES: String(192 * 1024 * 1024),
    CART_URL: 'http://127.0.0.1:7102',
    CURRENCY_URL: 'http://127.0.0.1:7104',
    PAYMENT_URL: 'http://127.0.0.1:7105',
    PRODUCT_CATALOG_URL: 'http://127.0.0.1:7106',
    SHIPPING_URL: 'http://127.0.0.1:7108',
  };

  it('reads a service, its port, flags, token, limit and dependency URLs', () => {
    expect(readServiceEnv(checkout)).toEqual({
      service: 'checkout',
      host: '127.0.0.1',
      port: 7103,
      flagFile: '/srv/var/flagd/demo.flagd.json',
      token: 'token-0123456789abcdef',
      memoryLimitBytes: 192 * 1024 * 1024,
      dependencies: {
        cart: 'http://127.0.0.1:7102',
        currency: 'http://127.0.0.1:7104',
        payment: 'http://127.0.0.1:7105',
        'product-catalog': 'http://127.0.0.1:7106',
        shipping: 'http://127.0.0.1:7108',
      },
    });
  });

  it('treats flags, token and limit as optional', () => {
    expect(readServiceEnv({ SERVICE: 'ad', PORT: '7101' })).toMatchObject({
      flagFile: null,
      token: null,
      memoryLimitBytes: null,
      dependencies: {},
    });
  });

  it('lists every problem at once', () => {
    const { PAYMENT_URL: _omitted, ...withoutPayment } = checkout;
    expect(() =>
      readServiceEnv({ ...withoutPayment, PORT: 'x', MEMORY_LIMIT_BYTES: '-1' }),
    ).toThrow(
      new ServiceEnvError(
        'demo-shop service environment: PORT must be a port number, got "x"; ' +
          'MEMORY_LIMIT_BYTES must be a positive integer, got "-1"; ' +
          'PAYMENT_URL must be the base URL of payment, got ""',
      ),
    );
    expect(() => readServiceEnv({ SERVICE: 'email', PORT: '1' })).toThrow(/SERVICE must be one of/);
  });

  it('names dependency variables after the service', () => {
    expect(dependencyEnvName('product-catalog')).toBe('PRODUCT_CATALOG_URL');
  });
});
